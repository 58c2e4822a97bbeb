/* SPDX-License-Identifier: Apache-2.0 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "decc/crypto.h"
#include "common.h"

double bench_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void bench_key_of(uint8_t sk[32], unsigned i)
{
	char seed[32];

	snprintf(seed, sizeof(seed), "decc-bench-%u", i);
	decc_keccak256(sk, seed, strlen(seed));
}

void bench_parse_url(const char *prog, const char *url, char host[64], int *port)
{
	if (sscanf(url, "http://%63[^:]:%d", host, port) != 2) {
		fprintf(stderr, "%s: URL must be http://IP:PORT\n", prog);
		exit(2);
	}
}

int bench_connect(const char *prog, const char *host, int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	inet_pton(AF_INET, host, &sa.sin_addr);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "%s: connect to %s:%d: ", prog, host, port);
		perror(NULL);
		exit(1);
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}
