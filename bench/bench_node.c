/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Load generator for `decc node` (bench/run.sh starts the node and calls this):
 *   bench-node genesis N            print a genesis funding N bench senders (chain 65535)
 *   bench-node tx URL N M [B [K]]   N senders in parallel (keys K..K+N-1), M signed transfers
 *                                   each, B per JSON-RPC batch (1: one request per
 *                                   transaction, each answered after its block is durable):
 *                                   acknowledged tx/s
 *   bench-node call URL N K TO DATA K eth_call per thread on N threads: latency p50/p99
 * Raw sockets with HTTP/1.1 keep-alive, one connection per thread.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "decc/crypto.h"
#include "decc/hex.h"
#include "decc/tx.h"
#include "common.h"

static char host[64] = "127.0.0.1";
static int port;

/* POST body, read the whole response body into resp (NUL-terminated). */
static void post(int fd, const char *body, size_t len, struct decc_buf *resp)
{
	char head[256], buf[65536];
	size_t got = 0, need = 0, hdr_end = 0;
	int n = snprintf(head, sizeof(head),
			 "POST / HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"
			 "Content-Length: %zu\r\n\r\n",
			 host, len);

	if (write(fd, head, (size_t)n) != n || write(fd, body, len) != (ssize_t)len) {
		perror("bench-node: write");
		exit(1);
	}
	decc_buf_reset(resp);
	for (;;) {
		ssize_t k = read(fd, buf, sizeof(buf));

		if (k <= 0) {
			fprintf(stderr, "bench-node: connection closed\n");
			exit(1);
		}
		if (decc_buf_append(resp, buf, (size_t)k) < 0)
			exit(1);
		got = resp->len;
		if (!hdr_end) {
			char *e = strstr((char *)resp->data, "\r\n\r\n"), *cl;

			if (!e)
				continue;
			hdr_end = (size_t)(e - (char *)resp->data) + 4;
			cl = strcasestr((char *)resp->data, "Content-Length:");
			need = cl ? strtoul(cl + 15, NULL, 10) : 0;
		}
		if (got >= hdr_end + need)
			break;
	}
	memmove(resp->data, resp->data + hdr_end, need);
	resp->len = need;
	resp->data[need] = 0;
}

struct worker {
	pthread_t t;
	unsigned idx, m, batch;
	char **raws; /* m raw transactions, 0x-hex */
	const char *call_body;
	double *lat;
	unsigned errors;
};

static pthread_barrier_t barrier;

static void *tx_worker(void *arg)
{
	struct worker *w = arg;
	struct decc_buf body = DECC_BUF_INIT, resp = DECC_BUF_INIT;
	int fd = bench_connect("bench-node", host, port);

	pthread_barrier_wait(&barrier);
	for (unsigned i = 0; i < w->m; i += w->batch) {
		unsigned k = w->m - i < w->batch ? w->m - i : w->batch;

		decc_buf_reset(&body);
		if (w->batch > 1 && decc_buf_append_str(&body, "[") < 0)
			exit(1);
		for (unsigned j = 0; j < k; j++)
			if (decc_buf_appendf(&body,
					     "%s{\"jsonrpc\":\"2.0\",\"id\":%u,\"method\":"
					     "\"eth_sendRawTransaction\",\"params\":[\"%s\"]}",
					     j ? "," : "", i + j, w->raws[i + j]) < 0)
				exit(1);
		if (w->batch > 1 && decc_buf_append_str(&body, "]") < 0)
			exit(1);
		post(fd, (const char *)body.data, body.len, &resp);
		if (strstr((const char *)resp.data, "\"error\"")) {
			if (!w->errors)
				fprintf(stderr, "bench-node: %s\n", (const char *)resp.data);
			w->errors++;
		}
	}
	close(fd);
	decc_buf_release(&body);
	decc_buf_release(&resp);
	return NULL;
}

static void *call_worker(void *arg)
{
	struct worker *w = arg;
	struct decc_buf resp = DECC_BUF_INIT;
	size_t len = strlen(w->call_body);
	int fd = bench_connect("bench-node", host, port);

	pthread_barrier_wait(&barrier);
	for (unsigned i = 0; i < w->m; i++) {
		double t0 = bench_now_s();

		post(fd, w->call_body, len, &resp);
		w->lat[i] = bench_now_s() - t0;
		if (strstr((const char *)resp.data, "\"error\""))
			w->errors++;
	}
	close(fd);
	decc_buf_release(&resp);
	return NULL;
}

static char *sign_transfer(const uint8_t sk[32], uint64_t nonce)
{
	struct decc_buf raw = DECC_BUF_INIT;
	struct decc_tx tx;
	char *hex;

	decc_tx_init(&tx);
	tx.type = 2;
	tx.chain_id = 65535;
	tx.nonce = nonce;
	tx.max_fee = decc_u256_from_u64(3000000000ULL);
	tx.max_priority_fee = decc_u256_from_u64(1000000000ULL);
	tx.gas = 21000;
	tx.has_to = true;
	memset(tx.to.b, 0x42, 20);
	tx.value = decc_u256_from_u64(1 + nonce);
	if (decc_tx_sign(&tx, sk) < 0 || decc_tx_encode(&raw, &tx) < 0) {
		fprintf(stderr, "bench-node: signing failed\n");
		exit(1);
	}
	hex = malloc(2 * raw.len + 3);
	decc_hex_encode(hex, raw.data, raw.len, true);
	decc_tx_release(&tx);
	decc_buf_release(&raw);
	return hex;
}

int main(int argc, char **argv)
{
	struct worker *ws;
	unsigned n, m, errors = 0;
	double t0, t1;

	if (argc == 3 && strcmp(argv[1], "genesis") == 0) {
		n = (unsigned)atoi(argv[2]);
		printf("{\"chainId\": 65535, \"timestamp\": 1700000000, \"accounts\": {");
		for (unsigned i = 0; i < n; i++) {
			uint8_t sk[32];
			decc_address a;
			char s[43];

			bench_key_of(sk, i);
			if (decc_address_from_seckey(&a, sk) < 0)
				return 1;
			decc_address_to_checksum(s, &a);
			printf("%s\"%s\": {\"balance\": \"1000000000000000000000\"}", i ? ", " : "",
			       s);
		}
		printf("}}\n");
		return 0;
	}
	if (argc >= 5 && strcmp(argv[1], "tx") == 0) {
		unsigned batch = argc > 5 ? (unsigned)atoi(argv[5]) : 1;
		unsigned first = argc > 6 ? (unsigned)atoi(argv[6]) : 0;

		bench_parse_url("bench-node", argv[2], host, &port);
		n = (unsigned)atoi(argv[3]);
		m = (unsigned)atoi(argv[4]);
		if (!n || !m || !batch || batch > 100)
			return 2;
		ws = calloc(n, sizeof(*ws));
		for (unsigned i = 0; i < n; i++) {
			uint8_t sk[32];

			bench_key_of(sk, first + i);
			ws[i].idx = i;
			ws[i].m = m;
			ws[i].batch = batch;
			ws[i].raws = calloc(m, sizeof(char *));
			for (unsigned j = 0; j < m; j++)
				ws[i].raws[j] = sign_transfer(sk, j);
		}
		pthread_barrier_init(&barrier, NULL, n + 1);
		for (unsigned i = 0; i < n; i++)
			pthread_create(&ws[i].t, NULL, tx_worker, &ws[i]);
		pthread_barrier_wait(&barrier);
		t0 = bench_now_s();
		for (unsigned i = 0; i < n; i++) {
			pthread_join(ws[i].t, NULL);
			errors += ws[i].errors;
		}
		t1 = bench_now_s();
		printf("node tx: senders=%u txs=%u batch=%u time=%.2fs acknowledged=%.0f tx/s "
		       "errors=%u\n",
		       n, n * m, batch, t1 - t0, (double)(n * m) / (t1 - t0), errors);
		return errors ? 1 : 0;
	}
	if (argc == 7 && strcmp(argv[1], "call") == 0) {
		char body[4096];
		double *all;

		bench_parse_url("bench-node", argv[2], host, &port);
		n = (unsigned)atoi(argv[3]);
		m = (unsigned)atoi(argv[4]);
		if (!n || !m)
			return 2;
		snprintf(
		    body, sizeof(body),
		    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_call\",\"params\":[{\"to\":"
		    "\"%s\",\"data\":\"%s\"},\"latest\"]}",
		    argv[5], argv[6]);
		ws = calloc(n, sizeof(*ws));
		all = calloc((size_t)n * m, sizeof(double));
		pthread_barrier_init(&barrier, NULL, n + 1);
		for (unsigned i = 0; i < n; i++) {
			ws[i].m = m;
			ws[i].call_body = body;
			ws[i].lat = all + (size_t)i * m;
			pthread_create(&ws[i].t, NULL, call_worker, &ws[i]);
		}
		pthread_barrier_wait(&barrier);
		t0 = bench_now_s();
		for (unsigned i = 0; i < n; i++) {
			pthread_join(ws[i].t, NULL);
			errors += ws[i].errors;
		}
		t1 = bench_now_s();
		qsort(all, (size_t)n * m, sizeof(double), bench_cmp_double);
		printf("node eth_call: threads=%u calls=%u p50=%.3fms p99=%.3fms rate=%.0f/s "
		       "errors=%u\n",
		       n, n * m, all[(size_t)n * m / 2] * 1e3, all[(size_t)n * m * 99 / 100] * 1e3,
		       (double)(n * m) / (t1 - t0), errors);
		return errors ? 1 : 0;
	}
	fprintf(
	    stderr,
	    "usage: bench-node genesis N | tx URL N M [BATCH [FIRST]] | call URL N K TO DATA\n");
	return 2;
}
