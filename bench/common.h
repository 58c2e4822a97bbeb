/* SPDX-License-Identifier: Apache-2.0 */
/* Pieces the load generators (bench-node, bench-poco) share. */
#ifndef DECC_BENCH_COMMON_H
#define DECC_BENCH_COMMON_H

#include <stdint.h>

/* Monotonic time in seconds. */
double bench_now_s(void);
/* The private key of bench sender i: keccak256("decc-bench-<i>") (bench-node genesis funds them). */
void bench_key_of(uint8_t sk[32], unsigned i);
/* "http://IP:PORT" into host (64 bytes) and *port; exits 2 with a message naming prog if not. */
void bench_parse_url(const char *prog, const char *url, char host[64], int *port);
/* A TCP connection to host:port with TCP_NODELAY; exits 1 with perror naming prog on failure. */
int bench_connect(const char *prog, const char *host, int port);
/* qsort comparison of doubles, ascending. */
int bench_cmp_double(const void *a, const void *b);

#endif
