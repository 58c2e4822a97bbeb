/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The HTTP client: the pure parsers (response head, URLs), then real exchanges with a small
 * scripted server on 127.0.0.1 (keep-alive reuse, a stale kept-alive connection, chunked,
 * Connection: close, body limit, timeout, redirects, streamed uploads).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <unistd.h>

#include "test.h"

#include "decc/http_client.h"
#include "decc/tls.h"
#include "net/chunked.h"

/* ---- parsers ---- */

static int parse(const char *s, struct decc_http_response *r, size_t *used)
{
	return decc_http_parse_head(r, (const uint8_t *)s, strlen(s), used);
}

static void test_parse_head(void **state)
{
	struct decc_http_response r;
	size_t used = 0;
	static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
				 "content-length:  12 \r\nX-Empty:\r\n\r\nbody";

	(void)state;
	memset(&r, 0, sizeof(r));
	assert_int_equal(parse(ok, &r, &used), 0);
	assert_int_equal(used, strlen(ok) - 4);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.reason, "OK");
	assert_int_equal(r.content_length, 12);
	assert_false(r.chunked);
	assert_false(r.close);
	assert_string_equal(decc_http_header(&r, "CONTENT-TYPE"), "text/plain");
	assert_string_equal(decc_http_header(&r, "x-empty"), "");
	assert_null(decc_http_header(&r, "Location"));
	decc_http_response_clear(&r);

	assert_int_equal(parse("HTTP/1.1 204\r\nTransfer-Encoding: Chunked\r\n"
			       "Connection: keep-alive, Close\r\n\r\n",
			       &r, &used),
			 0);
	assert_int_equal(r.status, 204);
	assert_string_equal(r.reason, "");
	assert_true(r.chunked);
	assert_true(r.close);
	decc_http_response_clear(&r);

	/* HTTP/1.0: closed unless kept alive; chunked + length: chunked, then closed */
	assert_int_equal(parse("HTTP/1.0 200 OK\r\n\r\n", &r, &used), 0);
	assert_true(r.close);
	decc_http_response_clear(&r);
	assert_int_equal(parse("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n\r\n", &r, &used), 0);
	assert_false(r.close);
	decc_http_response_clear(&r);
	assert_int_equal(parse("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: "
			       "chunked\r\n\r\n",
			       &r, &used),
			 0);
	assert_true(r.chunked);
	assert_int_equal(r.content_length, -1);
	assert_true(r.close);
	decc_http_response_clear(&r);
}

static void test_parse_head_bad(void **state)
{
	static const char *bad[] = {
		"HTTP/2 200 OK\r\n\r\n",
		"HTTP/1.1 20 OK\r\n\r\n",
		"HTTP/1.1 099 OK\r\n\r\n",
		"HTTP/1.1 200OK\r\n\r\n",
		"ICY 200 OK\r\n\r\n",
		"HTTP/1.1 200 OK\r\nFolded: a\r\n b\r\n\r\n",
		"HTTP/1.1 200 OK\r\nNo colon\r\n\r\n",
		"HTTP/1.1 200 OK\r\n: empty name\r\n\r\n",
		"HTTP/1.1 200 OK\r\nSpace : x\r\n\r\n",
		"HTTP/1.1 200 OK\r\nBare: a\rb\r\n\r\n",
		"HTTP/1.1 200 OK\r\nNul: a\x01\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: "
		"chunked\r\n\r\n",
	};
	struct decc_http_response r;
	struct decc_buf big = DECC_BUF_INIT;
	size_t used;

	(void)state;
	memset(&r, 0, sizeof(r));
	for (size_t i = 0; i < DECC_ARRAY_SIZE(bad); i++) {
		int rc = parse(bad[i], &r, &used);

		if (rc != DECC_EINVAL && rc != DECC_ELIMIT)
			fail_msg("accepted: %s", bad[i]);
	}
	/* incomplete: wait for more; garbage: fail at once */
	assert_int_equal(parse("HTTP/1.1 200 OK\r\nA: b\r\n", &r, &used), DECC_EAGAIN);
	assert_int_equal(parse("HTT", &r, &used), DECC_EAGAIN);
	assert_int_equal(parse("SSH-2.0", &r, &used), DECC_EINVAL);
	/* too many headers, too long a head */
	assert_int_equal(decc_buf_append_str(&big, "HTTP/1.1 200 OK\r\n"), 0);
	for (int i = 0; i <= DECC_HTTP_HEADERS_MAX; i++)
		assert_int_equal(decc_buf_appendf(&big, "X-%d: v\r\n", i), 0);
	assert_int_equal(decc_buf_append_str(&big, "\r\n"), 0);
	assert_int_equal(parse(decc_buf_str(&big), &r, &used), DECC_ELIMIT);
	decc_buf_reset(&big);
	assert_int_equal(decc_buf_append_str(&big, "HTTP/1.1 200 OK\r\nX: "), 0);
	while (big.len < DECC_HTTP_HEAD_MAX)
		assert_int_equal(decc_buf_append_str(&big, "aaaaaaaaaaaaaaaa"), 0);
	assert_int_equal(parse(decc_buf_str(&big), &r, &used), DECC_ELIMIT);
	decc_buf_release(&big);
}

static void test_url(void **state)
{
	struct decc_http_url u;
	struct decc_buf b = DECC_BUF_INIT;

	(void)state;
	assert_int_equal(decc_http_url_parse(&u, "http://example.com"), 0);
	assert_false(u.tls);
	assert_string_equal(u.host, "example.com");
	assert_int_equal(u.port, 80);
	assert_string_equal(u.authority, "example.com");
	assert_string_equal(u.target, "/");
	assert_int_equal(decc_http_url_parse(&u, "HTTPS://h:8443/a/b?x=1&y#frag"), 0);
	assert_true(u.tls);
	assert_int_equal(u.port, 8443);
	assert_string_equal(u.authority, "h:8443");
	assert_string_equal(u.target, "/a/b?x=1&y");
	assert_int_equal(decc_http_url_parse(&u, "http://[::1]:9/p"), 0);
	assert_string_equal(u.host, "::1");
	assert_string_equal(u.authority, "[::1]:9");
	assert_int_equal(decc_http_url_parse(&u, "https://127.0.0.1:443?q"), 0);
	assert_string_equal(u.authority, "127.0.0.1");
	assert_string_equal(u.target, "/?q");
	assert_int_equal(decc_http_url_parse(&u, "http://h/\xc3\xa9"), 0);
	assert_string_equal(u.target, "/%C3%A9");
	assert_int_equal(decc_http_url_parse(&u, "ftp://h/"), DECC_EINVAL);
	assert_int_equal(decc_http_url_parse(&u, "http://u:p@h/"), DECC_EINVAL);
	assert_int_equal(decc_http_url_parse(&u, "http://h:0/"), DECC_EINVAL);
	assert_int_equal(decc_http_url_parse(&u, "http://h:65536/"), DECC_EINVAL);
	assert_int_equal(decc_http_url_parse(&u, "http://h:8x/"), DECC_EINVAL);
	assert_int_equal(decc_http_url_parse(&u, "http:///p"), DECC_EINVAL);
	assert_int_equal(decc_http_url_parse(&u, "http://[::1/"), DECC_EINVAL);
	assert_int_equal(decc_http_url_parse(&u, "http://h/a b"), DECC_EINVAL);
	assert_int_equal(decc_http_url_parse(&u, "http://h/a\r\nX: y"), DECC_EINVAL);
	assert_int_equal(decc_http_url_escape(&b, "a b/c=d~"), 0);
	assert_string_equal(decc_buf_str(&b), "a%20b%2Fc%3Dd~");
	decc_buf_release(&b);
}

/* ---- a scripted server ---- */

static int listen_fd = -1;
static unsigned port;
static atomic_int accepts;

static int send_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t k = send(fd, s, n, MSG_NOSIGNAL);

		if (k <= 0)
			return -1;
		s += k;
		n -= (size_t)k;
	}
	return 0;
}

static int send_str(int fd, const char *s)
{
	return send_all(fd, s, strlen(s));
}

static int to_buf(void *ctx, const uint8_t *p, size_t n)
{
	return decc_buf_append(ctx, p, n);
}

/* Read one request into head/body; -1 at EOF. */
static int read_request(int fd, struct decc_buf *in, char *path, size_t cap, struct decc_buf *body)
{
	char *end;
	size_t hl;

	while (!(end = strstr(decc_buf_str(in), "\r\n\r\n"))) {
		uint8_t tmp[4096];
		ssize_t k = recv(fd, tmp, sizeof(tmp), 0);

		if (k <= 0)
			return -1;
		if (decc_buf_append(in, tmp, (size_t)k) < 0)
			return -1;
	}
	hl = (size_t)(end + 4 - decc_buf_str(in));
	if (sscanf(decc_buf_str(in), "%*s %255s", path) != 1 || cap < 256)
		return -1;
	decc_buf_reset(body);
	if (strcasestr(decc_buf_str(in), "Transfer-Encoding: chunked")) {
		struct decc_chunked c;
		size_t pos = hl;

		decc_chunked_init(&c, 0);
		for (;;) {
			size_t used = 0;
			uint8_t tmp[4096];
			ssize_t k;

			if (decc_chunked_feed(&c, in->data + pos, in->len - pos, &used, to_buf,
					      body) < 0)
				return -1;
			pos += used;
			if (c.done)
				break;
			k = recv(fd, tmp, sizeof(tmp), 0);
			if (k <= 0 || decc_buf_append(in, tmp, (size_t)k) < 0)
				return -1;
		}
		hl = pos;
	} else {
		const char *cl = strcasestr(decc_buf_str(in), "Content-Length:");
		size_t n = cl && cl < end ? strtoul(cl + 15, NULL, 10) : 0;

		while (in->len < hl + n) {
			uint8_t tmp[4096];
			ssize_t k = recv(fd, tmp, sizeof(tmp), 0);

			if (k <= 0 || decc_buf_append(in, tmp, (size_t)k) < 0)
				return -1;
		}
		if (decc_buf_append(body, in->data + hl, n) < 0)
			return -1;
		hl += n;
	}
	memmove(in->data, in->data + hl, in->len - hl);
	in->len -= hl;
	in->data[in->len] = 0;
	return 0;
}

static void *serve_conn(void *arg)
{
	int fd = (int)(intptr_t)arg;
	struct decc_buf in = DECC_BUF_INIT, body = DECC_BUF_INIT, out = DECC_BUF_INIT;
	char path[256];
	bool drop_next = false;

	while (read_request(fd, &in, path, sizeof(path), &body) == 0) {
		decc_buf_reset(&out);
		if (drop_next)
			break; /* a kept-alive connection the server closes when reused */
		if (strcmp(path, "/ka") == 0 || strcmp(path, "/drop-next") == 0) {
			drop_next = strcmp(path, "/drop-next") == 0;
			(void)send_str(fd, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
		} else if (strcmp(path, "/chunked") == 0) {
			(void)send_str(fd, "HTTP/1.1 100 Continue\r\n\r\n");
			(void)send_str(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
					   "3\r\nabc\r\n");
			usleep(20000);
			(void)send_str(fd, "4;x=y\r\ndefg\r\n0\r\nT: 1\r\n\r\n");
		} else if (strcmp(path, "/close") == 0) {
			(void)send_str(fd,
				       "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil close");
			break;
		} else if (strcmp(path, "/big") == 0) {
			static char blob[100000];

			memset(blob, 'x', sizeof(blob));
			(void)send_str(fd, "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n");
			(void)send_all(fd, blob, sizeof(blob));
		} else if (strcmp(path, "/bigchunk") == 0) {
			(void)send_str(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
			for (int i = 0; i < 100; i++)
				(void)send_str(fd, "10\r\n0123456789abcdef\r\n");
			(void)send_str(fd, "0\r\n\r\n");
		} else if (strcmp(path, "/longhead") == 0 || strcmp(path, "/hugehead") == 0) {
			/* 50 or 90 fields of 800 bytes: 40 KiB is a head, 72 KiB is too much */
			int n = strcmp(path, "/longhead") == 0 ? 50 : 90;

			assert_int_equal(decc_buf_append_str(&out, "HTTP/1.1 200 OK\r\n"), 0);
			for (int i = 0; i < n; i++) {
				assert_int_equal(decc_buf_appendf(&out, "X-%02d: ", i), 0);
				for (int k = 0; k < 790; k++)
					assert_int_equal(decc_buf_append_byte(&out, 'v'), 0);
				assert_int_equal(decc_buf_append_str(&out, "\r\n"), 0);
			}
			assert_int_equal(decc_buf_append_str(&out, "Content-Length: 2\r\n\r\nok"),
					 0);
			(void)send_all(fd, decc_buf_str(&out), out.len);
		} else if (strcmp(path, "/silent") == 0) {
			char c;

			(void)recv(fd, &c, 1, 0); /* until the client gives up */
			break;
		} else if (strncmp(path, "/redir", 6) == 0) {
			int n = atoi(path + 6);

			if (n > 1)
				assert_int_equal(
				    decc_buf_appendf(&out,
						     "HTTP/1.1 302 Found\r\nLocation: redir%d\r\n"
						     "Content-Length: 3\r\n\r\nxyz",
						     n - 1),
				    0);
			else
				assert_int_equal(
				    decc_buf_append_str(&out, "HTTP/1.1 301 Moved\r\nLocation: "
							      "/ka\r\nContent-Length: 0\r\n\r\n"),
				    0);
			(void)send_all(fd, decc_buf_str(&out), out.len);
		} else if (strcmp(path, "/echo") == 0) {
			assert_int_equal(
			    decc_buf_appendf(&out,
					     "HTTP/1.1 201 Created\r\nContent-Length: %zu\r\n\r\n",
					     body.len),
			    0);
			assert_int_equal(decc_buf_append(&out, body.data, body.len), 0);
			(void)send_all(fd, decc_buf_str(&out), out.len);
		} else {
			(void)send_str(fd, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
		}
	}
	close(fd);
	decc_buf_release(&in);
	decc_buf_release(&body);
	decc_buf_release(&out);
	return NULL;
}

static void *accept_loop(void *arg)
{
	(void)arg;
	for (;;) {
		int fd = accept(listen_fd, NULL, NULL);
		pthread_t t;

		if (fd < 0)
			return NULL;
		atomic_fetch_add(&accepts, 1);
		if (pthread_create(&t, NULL, serve_conn, (void *)(intptr_t)fd) != 0)
			close(fd);
		else
			pthread_detach(t);
	}
}

static int server_up(void **state)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	pthread_t t;

	(void)state;
	listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (listen_fd < 0 || bind(listen_fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(listen_fd, 16) < 0 || getsockname(listen_fd, (struct sockaddr *)&a, &len) < 0)
		return -1;
	port = ntohs(a.sin_port);
	if (pthread_create(&t, NULL, accept_loop, NULL) != 0)
		return -1;
	pthread_detach(t);
	return 0;
}

static int server_down(void **state)
{
	(void)state;
	decc_http_client_drop_cache();
	shutdown(listen_fd, SHUT_RDWR);
	close(listen_fd);
	usleep(50000);
	return 0;
}

static const char *url(const char *path)
{
	static char u[128];

	snprintf(u, sizeof(u), "http://127.0.0.1:%u%s", port, path);
	return u;
}

static int get(const char *path, struct decc_buf *out, struct decc_http_response *r)
{
	struct decc_http_request q = { .url = url(path), .out = out, .timeout_ms = 5000 };

	return decc_http_request(r, &q);
}

static void test_keepalive(void **state)
{
	struct decc_http_response r;
	struct decc_buf b = DECC_BUF_INIT;
	int before;

	(void)state;
	decc_http_client_drop_cache();
	before = atomic_load(&accepts);
	for (int i = 0; i < 3; i++) {
		decc_buf_reset(&b);
		assert_int_equal(get("/ka", &b, &r), 0);
		assert_int_equal(r.status, 200);
		assert_string_equal(decc_buf_str(&b), "hello");
		decc_http_response_clear(&r);
	}
	assert_int_equal(atomic_load(&accepts) - before, 1);
	/* a 404 keeps the connection too */
	assert_int_equal(get("/nothing", &b, &r), 0);
	assert_int_equal(r.status, 404);
	decc_http_response_clear(&r);
	assert_int_equal(atomic_load(&accepts) - before, 1);
	/* the server drops the kept-alive connection when it is reused: sent again, fresh */
	assert_int_equal(get("/drop-next", &b, &r), 0);
	decc_http_response_clear(&r);
	decc_buf_reset(&b);
	assert_int_equal(get("/ka", &b, &r), 0);
	assert_string_equal(decc_buf_str(&b), "hello");
	decc_http_response_clear(&r);
	assert_int_equal(atomic_load(&accepts) - before, 2);
	decc_buf_release(&b);
}

/* A host name goes through the bounded resolver: localhost (from /etc/hosts) works, a name
 * that cannot exist (.invalid, RFC 6761) fails with the name in the message. */
static void test_host_names(void **state)
{
	struct decc_http_response r;
	struct decc_buf b = DECC_BUF_INIT;
	char u[128];

	(void)state;
	decc_http_client_drop_cache();
	snprintf(u, sizeof(u), "http://localhost:%u/ka", port);
	{
		struct decc_http_request q = { .url = u, .out = &b, .timeout_ms = 5000 };
		int rc = decc_http_request(&r, &q);

		if (rc <
		    0) /* a host whose localhost is ::1 only: the server listens on 127.0.0.1 */
			assert_non_null(strstr(decc_error_last(), "localhost"));
		else {
			assert_int_equal(r.status, 200);
			assert_string_equal(decc_buf_str(&b), "hello");
			decc_http_response_clear(&r);
		}
	}
	{
		struct decc_http_request q = { .url = "http://no-such-host.invalid/",
					       .out = &b,
					       .timeout_ms = 5000 };

		assert_true(decc_http_request(&r, &q) < 0);
		assert_non_null(strstr(decc_error_last(), "no-such-host.invalid"));
	}
	decc_buf_release(&b);
}

static void test_chunked_and_close(void **state)
{
	struct decc_http_response r;
	struct decc_buf b = DECC_BUF_INIT;
	int before;

	(void)state;
	assert_int_equal(get("/chunked", &b, &r), 0);
	assert_int_equal(r.status, 200);
	assert_true(r.chunked);
	assert_string_equal(decc_buf_str(&b), "abcdefg");
	decc_http_response_clear(&r);
	decc_buf_reset(&b);
	/* Connection: close and no length: the body runs to the end, then a new connection */
	before = atomic_load(&accepts);
	assert_int_equal(get("/close", &b, &r), 0);
	assert_string_equal(decc_buf_str(&b), "until close");
	decc_http_response_clear(&r);
	decc_buf_reset(&b);
	assert_int_equal(get("/ka", &b, &r), 0);
	decc_http_response_clear(&r);
	assert_int_equal(atomic_load(&accepts) - before, 1);
	decc_buf_release(&b);
}

static int count_cb(void *ctx, const struct decc_http_response *r, const uint8_t *p, size_t n)
{
	(void)p;
	assert_int_equal(r->status, 200);
	*(size_t *)ctx += n;
	return 0;
}

static void test_limits_and_timeout(void **state)
{
	struct decc_http_response r;
	struct decc_buf b;
	size_t n = 0;
	uint64_t t0;

	(void)state;
	decc_buf_init(&b, 1000);
	assert_int_equal(get("/big", &b, &r), DECC_ELIMIT);
	assert_non_null(strstr(decc_error_last(), "too large"));
	assert_int_equal(r.status, 0);
	decc_buf_reset(&b);
	assert_int_equal(get("/bigchunk", &b, &r), DECC_ELIMIT);
	decc_buf_reset(&b);
	assert_int_equal(get("/longhead", &b, &r), 0);
	assert_int_equal(r.n_headers, 51);
	assert_string_equal(decc_buf_str(&b), "ok");
	decc_http_response_clear(&r);
	assert_int_equal(get("/hugehead", &b, &r), DECC_ELIMIT);
	assert_non_null(strstr(decc_error_last(), "head longer"));
	decc_buf_release(&b);
	{
		struct decc_http_request q = {
			.url = url("/big"), .on_body = count_cb, .body_ctx = &n, .timeout_ms = 5000
		};

		assert_int_equal(decc_http_request(&r, &q), 0);
		assert_int_equal(n, 100000);
		decc_http_response_clear(&r);
		q.max_body = 99999;
		assert_int_equal(decc_http_request(&r, &q), DECC_ELIMIT);
	}
	{
		struct decc_http_request q = { .url = url("/silent"), .timeout_ms = 300 };

		t0 = decc_monotonic_ms();
		assert_int_equal(decc_http_request(&r, &q), DECC_EAGAIN);
		assert_true(decc_monotonic_ms() - t0 >= 290);
		assert_true(decc_monotonic_ms() - t0 < 3000);
		assert_non_null(strstr(decc_error_last(), "timed out"));
	}
	{
		/* a listener whose queue is full: the connect itself times out */
		struct sockaddr_in a = { .sin_family = AF_INET,
					 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		socklen_t len = sizeof(a);
		int lfd = socket(AF_INET, SOCK_STREAM, 0), fill[4];
		char u[64];
		struct decc_http_request q = { .url = u, .connect_timeout_ms = 300 };

		assert_true(lfd >= 0);
		assert_int_equal(bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
		assert_int_equal(listen(lfd, 0), 0);
		assert_int_equal(getsockname(lfd, (struct sockaddr *)&a, &len), 0);
		for (int i = 0; i < 4; i++) {
			fill[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
			(void)connect(fill[i], (struct sockaddr *)&a, sizeof(a));
		}
		usleep(50000);
		snprintf(u, sizeof(u), "http://127.0.0.1:%u/", ntohs(a.sin_port));
		t0 = decc_monotonic_ms();
		assert_int_equal(decc_http_request(&r, &q), DECC_EAGAIN);
		assert_true(decc_monotonic_ms() - t0 < 3000);
		assert_non_null(strstr(decc_error_last(), "timed out after 300 ms"));
		for (int i = 0; i < 4; i++)
			close(fill[i]);
		close(lfd);
	}
	{
		/* nobody listens on the port once the listener is closed: use port 1 */
		struct decc_http_request q = { .url = "http://127.0.0.1:1/", .timeout_ms = 2000 };

		assert_int_equal(decc_http_request(&r, &q), DECC_ERROR);
		assert_non_null(strstr(decc_error_last(), "connect to 127.0.0.1:1"));
	}
}

static void test_redirects(void **state)
{
	struct decc_http_response r;
	struct decc_buf b = DECC_BUF_INIT;
	struct decc_http_request q = { .url = url("/redir3"), .out = &b, .max_redirects = 5 };

	(void)state;
	assert_int_equal(decc_http_request(&r, &q), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(decc_buf_str(&b), "hello");
	assert_non_null(strstr(r.url, "/ka"));
	decc_http_response_clear(&r);
	q.max_redirects = 2;
	decc_buf_reset(&b);
	assert_int_equal(decc_http_request(&r, &q), DECC_ELIMIT);
	assert_non_null(strstr(decc_error_last(), "redirects"));
	/* not followed: the 302 itself */
	q.max_redirects = 0;
	assert_int_equal(decc_http_request(&r, &q), 0);
	assert_int_equal(r.status, 302);
	assert_string_equal(decc_http_header(&r, "location"), "redir2");
	assert_string_equal(decc_buf_str(&b), "xyz");
	decc_http_response_clear(&r);
	decc_buf_release(&b);
}

struct reader {
	const char *s;
	size_t pos, step;
};

static int read_cb(void *ctx, uint8_t *buf, size_t cap, size_t *got)
{
	struct reader *rd = ctx;
	size_t n = strlen(rd->s + rd->pos);

	if (n > rd->step)
		n = rd->step;
	if (n > cap)
		n = cap;
	memcpy(buf, rd->s + rd->pos, n);
	rd->pos += n;
	*got = n;
	return 0;
}

static void test_uploads(void **state)
{
	static const char msg[] = "a streamed body, in small pieces";
	static const char *hdrs[] = { "Content-Type: text/plain", NULL };
	static const char *bad_hdrs[] = { "X: a\r\nInjected: b", NULL };
	struct decc_http_response r;
	struct decc_buf b = DECC_BUF_INIT;
	struct reader rd = { .s = msg, .step = 5 };
	struct decc_http_request q = { .url = url("/echo"),
				       .out = &b,
				       .headers = hdrs,
				       .body = "from memory",
				       .body_len = 11,
				       .timeout_ms = 5000 };

	(void)state;
	assert_int_equal(decc_http_request(&r, &q), 0);
	assert_int_equal(r.status, 201);
	assert_string_equal(decc_buf_str(&b), "from memory");
	decc_http_response_clear(&r);
	/* streamed, unknown length: chunked */
	q.body = NULL;
	q.body_len = 0;
	q.read_body = read_cb;
	q.read_ctx = &rd;
	q.body_size = -1;
	decc_buf_reset(&b);
	assert_int_equal(decc_http_request(&r, &q), 0);
	assert_string_equal(decc_buf_str(&b), msg);
	decc_http_response_clear(&r);
	/* streamed, known length */
	rd.pos = 0;
	q.body_size = (int64_t)strlen(msg);
	decc_buf_reset(&b);
	assert_int_equal(decc_http_request(&r, &q), 0);
	assert_string_equal(decc_buf_str(&b), msg);
	decc_http_response_clear(&r);
	/* a reader shorter than announced */
	rd.pos = 0;
	q.body_size = (int64_t)strlen(msg) + 1;
	assert_int_equal(decc_http_request(&r, &q), DECC_EINVAL);
	/* header injection */
	q.headers = bad_hdrs;
	q.read_body = NULL;
	assert_int_equal(decc_http_request(&r, &q), DECC_EINVAL);
	decc_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_head),
		cmocka_unit_test(test_parse_head_bad),
		cmocka_unit_test(test_url),
		cmocka_unit_test(test_keepalive),
		cmocka_unit_test(test_host_names),
		cmocka_unit_test(test_chunked_and_close),
		cmocka_unit_test(test_limits_and_timeout),
		cmocka_unit_test(test_redirects),
		cmocka_unit_test(test_uploads),
	};
	return cmocka_run_group_tests(tests, server_up, server_down);
}
