/* SPDX-License-Identifier: Apache-2.0 */
/*
 * https:// through the HTTP client against `openssl s_server` on 127.0.0.1 with a throw-away
 * self-signed certificate for "localhost" (trusted through SSL_CERT_FILE): the answer is read,
 * an untrusted or mismatched certificate is refused. Skipped when no openssl binary is found.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test.h"

#include "decc/http_client.h"

static char dir[] = "/tmp/decc-tls-XXXXXX";
static pid_t server = -1;
static unsigned port;

static unsigned free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	unsigned p = 0;

	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		p = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return p;
}

static bool reachable(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	bool ok = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;

	if (fd >= 0)
		close(fd);
	return ok;
}

static int setup(void **state)
{
	char cmd[1024], cert[128], key[128], pstr[16];

	(void)state;
	if (system("command -v openssl >/dev/null 2>&1") != 0 || !mkdtemp(dir))
		return 0;
	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	snprintf(key, sizeof(key), "%s/key.pem", dir);
	snprintf(cmd, sizeof(cmd),
		 "openssl req -x509 -newkey rsa:2048 -nodes -keyout %s -out %s -days 1 "
		 "-subj /CN=localhost -addext subjectAltName=DNS:localhost >/dev/null 2>&1",
		 key, cert);
	if (system(cmd) != 0)
		return 0;
	port = free_port();
	snprintf(pstr, sizeof(pstr), "%u", port);
	server = fork();
	if (server == 0) {
		int nul = open("/dev/null", O_RDWR);

		dup2(nul, 0);
		dup2(nul, 1);
		dup2(nul, 2);
		execlp("openssl", "openssl", "s_server", "-accept", pstr, "-cert", cert, "-key",
		       key, "-www", "-quiet", (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 100 && server > 0 && !reachable(); i++)
		usleep(50000);
	setenv("SSL_CERT_FILE", cert, 1);
	return 0;
}

static int teardown(void **state)
{
	char cmd[256];

	(void)state;
	decc_http_client_drop_cache();
	if (server > 0) {
		kill(server, SIGTERM);
		waitpid(server, NULL, 0);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (strncmp(dir, "/tmp/decc-tls-", 14) == 0 && !strstr(dir, "XXXXXX"))
		(void)!system(cmd);
	return 0;
}

static void test_https(void **state)
{
	struct decc_http_response r;
	struct decc_buf b = DECC_BUF_INIT;
	char url[128];
	struct decc_http_request q = { .url = url, .out = &b, .timeout_ms = 10000 };

	(void)state;
	if (server <= 0 || !reachable())
		skip();
	snprintf(url, sizeof(url), "https://localhost:%u/", port);
	assert_int_equal(decc_http_request(&r, &q), 0);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(decc_buf_str(&b), "s_server"));
	decc_http_response_clear(&r);
	/* the certificate names localhost, not 127.0.0.1 */
	snprintf(url, sizeof(url), "https://127.0.0.1:%u/", port);
	assert_int_equal(decc_http_request(&r, &q), DECC_EAUTH);
	assert_non_null(strstr(decc_error_last(), "certificate"));
	decc_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_https),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
