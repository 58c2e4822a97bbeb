/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The HTTP/1.1 server (src/net/server.c) on 127.0.0.1 port 0, driven by raw sockets:
 * keep-alive, pipelining, chunked bodies, 100-continue, 413, 400, HEAD, streamed answers,
 * idle and slow clients, the connection cap, stopping with connections open; and the pure
 * request-head parser (src/net/http_head.c).
 */
#include "test.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "decc/http_server.h"
#include "net/http_head.h"

static int begin(void *ctx, struct decc_http_req *rq)
{
	(void)ctx;
	if (strcmp(decc_http_req_path(rq), "/small") == 0)
		decc_http_req_body_limit(rq, 10, 0);
	if (strcmp(decc_http_req_path(rq), "/early") == 0)
		return decc_http_respond(rq, 403, "text/plain", "no\n", 3);
	return 0;
}

static ssize_t count_read(void *ctx, uint8_t *buf, size_t max)
{
	int *left = ctx;

	if (*left == 0)
		return 0;
	(*left)--;
	(void)max;
	memcpy(buf, "abc", 3);
	return 3;
}

static int handle(void *ctx, struct decc_http_req *rq)
{
	const char *path = decc_http_req_path(rq);
	struct decc_buf b = DECC_BUF_INIT;
	static int left;
	size_t n;
	const uint8_t *body = decc_http_req_body(rq, &n);

	(void)ctx;
	if (strcmp(path, "/sleep") == 0)
		usleep(300 * 1000);
	if (strcmp(path, "/stream") == 0) {
		left = 3;
		return decc_http_respond_reader(rq, 200, "text/plain", DECC_HTTP_SIZE_UNKNOWN,
						count_read, NULL, &left);
	}
	if (decc_buf_appendf(&b, "%s %s x=%s h=%s n=%zu body=%s", decc_http_req_method(rq), path,
			     decc_http_req_query(rq, "x") ? decc_http_req_query(rq, "x") : "-",
			     decc_http_req_header(rq, "x-test") ? decc_http_req_header(rq, "x-test")
								: "-",
			     n, (const char *)body) < 0)
		return -1;
	assert_int_equal(decc_http_reply_header(rq, "X-Served", "1"), 0);
	return decc_http_respond_buf(rq, 200, "text/plain", &b);
}

static struct decc_http_server *start(unsigned max_conns, unsigned idle)
{
	struct sockaddr_in sa = { 0 };
	struct decc_http_server_opts o = { 0 };
	struct decc_http_server *s = NULL;

	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	o.addr = (struct sockaddr *)&sa;
	o.addrlen = sizeof(sa);
	o.max_connections = max_conns;
	o.idle_timeout_s = idle;
	o.begin = begin;
	o.handle = handle;
	assert_int_equal(decc_http_server_start(&s, &o), 0);
	assert_true(decc_http_server_port(s) != 0);
	return s;
}

static int dial(struct decc_http_server *s)
{
	struct sockaddr_in sa = { 0 };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons(decc_http_server_port(s));
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static void put(int fd, const char *s)
{
	assert_int_equal(send(fd, s, strlen(s), MSG_NOSIGNAL), (ssize_t)strlen(s));
}

/* Read until `want` bytes, the string `until` or EOF (timeout 5 s); returns what came. */
static char *get(int fd, const char *until, bool *eof)
{
	static char buf[65536];
	size_t len = 0;

	*eof = false;
	buf[0] = 0;
	while (len < sizeof(buf) - 1 && !(until && strstr(buf, until))) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t n;

		if (poll(&p, 1, 5000) <= 0)
			break;
		n = recv(fd, buf + len, sizeof(buf) - 1 - len, 0);
		if (n <= 0) {
			*eof = true;
			break;
		}
		len += (size_t)n;
		buf[len] = 0;
	}
	return buf;
}

static bool closed(int fd, int timeout_ms)
{
	struct pollfd p = { fd, POLLIN, 0 };
	char c;

	if (poll(&p, 1, timeout_ms) <= 0)
		return false;
	return recv(fd, &c, 1, 0) <= 0;
}

static void test_keepalive_and_query(void **state)
{
	struct decc_http_server *s = start(0, 0);
	int fd = dial(s);
	bool eof;
	char *r;

	(void)state;
	put(fd, "GET /a%20b?x=1+2%21&y HTTP/1.1\r\nHost: h\r\nX-TEST:  v v \r\n\r\n");
	r = get(fd, "body=", &eof);
	assert_non_null(strstr(r, "HTTP/1.1 200 OK\r\n"));
	assert_non_null(strstr(r, "X-Served: 1\r\n"));
	assert_non_null(strstr(r, "Content-Length: 31\r\n"));
	assert_non_null(strstr(r, "GET /a b x=1 2! h=v v n=0 body="));
	put(fd, "HEAD /b HTTP/1.1\r\nHost: h\r\n\r\n");
	r = get(fd, "\r\n\r\n", &eof);
	assert_non_null(strstr(r, "Content-Length: 25\r\n"));
	assert_false(closed(fd, 200)); /* no body after a HEAD answer, still open */
	put(fd, "GET /c HTTP/1.1\r\nConnection: close\r\n\r\n");
	r = get(fd, NULL, &eof);
	assert_true(eof);
	assert_non_null(strstr(r, "Connection: close\r\n"));
	assert_non_null(strstr(r, "GET /c x=- h=- n=0"));
	close(fd);
	decc_http_server_stop(s);
}

static void test_pipelined_and_chunked(void **state)
{
	struct decc_http_server *s = start(0, 0);
	int fd = dial(s);
	bool eof;
	char *r;

	(void)state;
	put(fd, "POST /p HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"
		"POST /q HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;e=1\r\nde\r\n"
		"0\r\nT: 1\r\n\r\n"
		"GET /r HTTP/1.1\r\n\r\n");
	r = get(fd, "GET /r x=- h=- n=0 body=", &eof);
	assert_non_null(strstr(r, "POST /p x=- h=- n=5 body=hello"));
	assert_non_null(strstr(r, "POST /q x=- h=- n=5 body=abcde"));
	assert_true(strstr(r, "/p x") < strstr(r, "/q x"));
	/* a streamed answer of unknown size is chunked */
	put(fd, "GET /stream HTTP/1.1\r\n\r\n");
	r = get(fd, "0\r\n\r\n", &eof);
	assert_non_null(strstr(r, "Transfer-Encoding: chunked\r\n"));
	assert_non_null(strstr(r, "3\r\nabc\r\n3\r\nabc\r\n3\r\nabc\r\n0\r\n\r\n"));
	/* a bad chunk size: 400 and closed */
	put(fd, "POST /q HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
	r = get(fd, NULL, &eof);
	assert_true(eof);
	assert_non_null(strstr(r, "HTTP/1.1 400 "));
	close(fd);
	decc_http_server_stop(s);
}

static void test_continue_and_limits(void **state)
{
	struct decc_http_server *s = start(0, 0);
	int fd = dial(s);
	bool eof;
	char *r;

	(void)state;
	put(fd, "POST /c HTTP/1.1\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
	r = get(fd, "\r\n\r\n", &eof);
	assert_string_equal(r, "HTTP/1.1 100 Continue\r\n\r\n");
	put(fd, "data");
	r = get(fd, "body=data", &eof);
	assert_non_null(strstr(r, "HTTP/1.1 200 OK"));
	/* over the route's limit: 413 at once, no 100, connection closed */
	put(fd, "POST /small HTTP/1.1\r\nContent-Length: 11\r\nExpect: 100-continue\r\n\r\n");
	r = get(fd, NULL, &eof);
	assert_true(eof);
	assert_null(strstr(r, "100 Continue"));
	assert_non_null(strstr(r, "HTTP/1.1 413 Content Too Large\r\n"));
	close(fd);
	/* a chunked body growing past the limit */
	fd = dial(s);
	put(fd, "POST /small HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n"
		"8\r\n12345678\r\n0\r\n\r\n");
	r = get(fd, NULL, &eof);
	assert_true(eof);
	assert_non_null(strstr(r, "HTTP/1.1 413 "));
	close(fd);
	/* answered in begin(): the body is not read, the connection closes */
	fd = dial(s);
	put(fd, "POST /early HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc");
	r = get(fd, NULL, &eof);
	assert_true(eof);
	assert_non_null(strstr(r, "HTTP/1.1 403 Forbidden\r\n"));
	close(fd);
	decc_http_server_stop(s);
}

static void test_malformed(void **state)
{
	static const char *bad[] = {
		"GARBAGE\r\n\r\n",
		"GET / HTTP/2.0\r\n\r\n",
		"GET /x HTTP/1.1\r\nBad Name: v\r\n\r\n",
		"GET /x HTTP/1.1\r\nA: b\r\n folded\r\n\r\n",
		"POST /x HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
		"POST /x HTTP/1.1\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n",
		"POST /x HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
		"GET x HTTP/1.1\r\n\r\n",
		"GET /%00 HTTP/1.1\r\n\r\n",
	};
	struct decc_http_server *s = start(0, 0);

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int fd = dial(s);
		bool eof;
		char *r;

		put(fd, bad[i]);
		r = get(fd, NULL, &eof);
		assert_true(eof);
		if (!strstr(r, "HTTP/1.1 400 Bad Request\r\n"))
			fail_msg("no 400 for %s: %s", bad[i], r);
		close(fd);
	}
	decc_http_server_stop(s);
}

static void test_timeouts(void **state)
{
	struct decc_http_server *s = start(0, 1);
	int idle = dial(s), slow = dial(s);
	bool eof;
	char *r;

	(void)state;
	put(slow, "GET / HTTP/1.1\r\n");
	assert_true(closed(idle, 3000));
	r = get(slow, NULL, &eof);
	assert_true(eof);
	assert_non_null(strstr(r, "HTTP/1.1 408 "));
	close(idle);
	close(slow);
	decc_http_server_stop(s);
}

static void test_connection_cap(void **state)
{
	struct decc_http_server *s = start(2, 0);
	int a = dial(s), b = dial(s), c;
	bool eof;
	char *r;

	(void)state;
	put(a, "GET /1 HTTP/1.1\r\n\r\n");
	assert_non_null(strstr(get(a, "body=", &eof), "200 OK"));
	put(b, "GET /2 HTTP/1.1\r\n\r\n");
	assert_non_null(strstr(get(b, "body=", &eof), "200 OK"));
	/* a connection arriving at the cap waits for a slot (up to a second) */
	c = dial(s);
	put(c, "GET /3 HTTP/1.1\r\n\r\n");
	usleep(100 * 1000);
	close(a);
	assert_non_null(strstr(get(c, "body=", &eof), "200 OK"));
	/* full for longer: 503 and closed */
	a = dial(s);
	r = get(a, NULL, &eof);
	assert_true(eof);
	assert_non_null(strstr(r, "HTTP/1.1 503 "));
	close(a);
	close(b);
	close(c);
	decc_http_server_stop(s);
}

static void test_stop_with_connections(void **state)
{
	struct decc_http_server *s = start(0, 0);
	int idle = dial(s), busy = dial(s);
	struct timespec t0, t1;
	bool eof;
	char *r;

	(void)state;
	put(idle, "GET /i HTTP/1.1\r\n\r\n");
	assert_non_null(strstr(get(idle, "body=", &eof), "200 OK"));
	put(busy, "GET /sleep HTTP/1.1\r\n\r\n");
	usleep(100 * 1000);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	decc_http_server_stop(s); /* the sleeping request still gets its answer */
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(t1.tv_sec - t0.tv_sec < 3);
	r = get(busy, NULL, &eof);
	assert_true(eof);
	assert_non_null(strstr(r, "GET /sleep"));
	assert_non_null(strstr(r, "Connection: close"));
	assert_true(closed(idle, 1000));
	close(idle);
	close(busy);
}

static void test_parser(void **state)
{
	static char storage[DECC_HTTP_REQ_HEAD_MAX + 1];
	struct decc_http_req_head h;
	const char *req = "\r\nPOST /p%2Fq?a=1&b=%41+c&a=2&flag HTTP/1.0\r\nConnection: keep-alive"
			  "\r\nContent-Length: 007\r\nexpect: 100-CONTINUE\r\n\r\nBODY";
	size_t used = 0, n = strlen(req);
	uint8_t *big;

	(void)state;
	for (size_t i = 0; i < n - 4; i++)
		assert_int_equal(decc_http_parse_request_head(&h, storage, sizeof(storage),
							      (const uint8_t *)req, i, &used),
				 DECC_EAGAIN);
	assert_int_equal(decc_http_parse_request_head(&h, storage, sizeof(storage),
						      (const uint8_t *)req, n, &used),
			 0);
	assert_int_equal(used, n - 4);
	assert_string_equal(h.method, "POST");
	assert_string_equal(h.path, "/p/q");
	assert_int_equal(h.minor, 0);
	assert_true(h.keep_alive);
	assert_true(h.expect_continue);
	assert_true(h.has_length);
	assert_int_equal(h.length, 7);
	assert_string_equal(decc_http_req_head_arg(&h, "a"), "1");
	assert_string_equal(decc_http_req_head_arg(&h, "b"), "A c");
	assert_null(decc_http_req_head_arg(&h, "flag"));
	assert_null(decc_http_req_head_arg(&h, "none"));
	assert_string_equal(decc_http_req_head_header(&h, "CONTENT-length"), "007");
	/* over the head limit, over the header count */
	big = malloc(DECC_HTTP_REQ_HEAD_MAX + 10);
	assert_non_null(big);
	memset(big, 'a', DECC_HTTP_REQ_HEAD_MAX + 10);
	memcpy(big, "GET / HTTP/1.1\r\nA: ", 19);
	assert_int_equal(decc_http_parse_request_head(&h, storage, sizeof(storage), big,
						      DECC_HTTP_REQ_HEAD_MAX + 10, &used),
			 DECC_ELIMIT);
	{
		struct decc_buf b = DECC_BUF_INIT;

		assert_int_equal(decc_buf_append_str(&b, "GET / HTTP/1.1\r\n"), 0);
		for (int i = 0; i <= DECC_HTTP_REQ_HEADERS_MAX; i++)
			assert_int_equal(decc_buf_appendf(&b, "H%d: v\r\n", i), 0);
		assert_int_equal(decc_buf_append_str(&b, "\r\n"), 0);
		assert_int_equal(decc_http_parse_request_head(&h, storage, sizeof(storage), b.data,
							      b.len, &used),
				 DECC_ELIMIT);
		decc_buf_release(&b);
	}
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parser),
		cmocka_unit_test(test_keepalive_and_query),
		cmocka_unit_test(test_pipelined_and_chunked),
		cmocka_unit_test(test_continue_and_limits),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_timeouts),
		cmocka_unit_test(test_connection_cap),
		cmocka_unit_test(test_stop_with_connections),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
