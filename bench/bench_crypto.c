/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Crypto benchmarks (bench/run.sh drives them and prints the table):
 *   bench-crypto keccak              Keccak-256 throughput on 64 MiB in memory, MB/s (10^6 B/s)
 *   bench-crypto sign                secp256k1 recoverable signatures per second
 *   bench-crypto recover             secp256k1 public key recoveries per second
 *   bench-crypto aes IN OUT [KEY IV] AES-256-CBC encryption of file IN into OUT through
 *                                    decc_aes_cbc_fd (hex key and IV; random when absent)
 * Each prints one line "<metric> <value>". Rates are per second of this process's CPU time, i.e.
 * of one core (everything here is single-threaded), so that other load on a shared machine does
 * not count against them; run.sh times the aes command from outside, like the reference.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "decc/crypto.h"
#include "decc/error.h"
#include "decc/hex.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int bench_keccak(void)
{
	const size_t n = (size_t)64 << 20;
	uint8_t *buf = malloc(n), out[32];
	double t0;

	if (!buf)
		return 1;
	for (size_t i = 0; i < n; i++)
		buf[i] = (uint8_t)(i * 131 + 7);
	t0 = now();
	decc_keccak256(out, buf, n);
	printf("keccak256_mbps %.1f\n", (double)n / 1e6 / (now() - t0));
	free(buf);
	return 0;
}

static int bench_secp(bool recover)
{
	const int count = 20000;
	uint8_t sk[32], digest[32], sig[65], pub[64];
	double t0, dt;

	if (decc_secp256k1_keygen(sk) != 0 || decc_random_bytes(digest, 32) != 0 ||
	    decc_secp256k1_sign(sig, digest, sk) != 0) {
		fprintf(stderr, "bench-crypto: %s\n", decc_error_last());
		return 1;
	}
	t0 = now();
	for (int i = 0; i < count; i++) {
		digest[i % 32] ^= (uint8_t)i;
		if (recover) {
			/* a fresh valid signature would cost a sign; recovering a fixed signature
			 * against changing digests does the same work (and yields other keys) */
			if (decc_secp256k1_recover(pub, digest, sig) != 0) {
				fprintf(stderr, "bench-crypto: %s\n", decc_error_last());
				return 1;
			}
		} else if (decc_secp256k1_sign(sig, digest, sk) != 0) {
			fprintf(stderr, "bench-crypto: %s\n", decc_error_last());
			return 1;
		}
	}
	dt = now() - t0;
	printf("%s_per_s %.0f\n", recover ? "secp256k1_recover" : "secp256k1_sign", count / dt);
	return 0;
}

static int bench_aes(const char *in_path, const char *out_path, const char *key_hex,
		     const char *iv_hex)
{
	uint8_t key[32], iv[16];
	int in = open(in_path, O_RDONLY | O_CLOEXEC);
	int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	double t0;
	int r;

	if (in < 0 || out < 0) {
		fprintf(stderr, "bench-crypto: cannot open %s or %s\n", in_path, out_path);
		return 1;
	}
	if (key_hex ? decc_hex_decode_exact(key, 32, key_hex) != 0 ||
			  decc_hex_decode_exact(iv, 16, iv_hex) != 0
		    : decc_random_bytes(key, 32) != 0 || decc_random_bytes(iv, 16) != 0) {
		fprintf(stderr, "bench-crypto: %s\n", decc_error_last());
		return 1;
	}
	t0 = now();
	r = decc_aes_cbc_fd(out, in, true, key, iv);
	if (r == 0 && close(out) != 0)
		r = -1;
	if (r != 0) {
		fprintf(stderr, "bench-crypto: %s\n", decc_error_last());
		return 1;
	}
	printf("aes256cbc_cpu_seconds %.4f\n", now() - t0);
	close(in);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "keccak") == 0)
		return bench_keccak();
	if (argc >= 2 && strcmp(argv[1], "sign") == 0)
		return bench_secp(false);
	if (argc >= 2 && strcmp(argv[1], "recover") == 0)
		return bench_secp(true);
	if ((argc == 4 || argc == 6) && strcmp(argv[1], "aes") == 0)
		return bench_aes(argv[2], argv[3], argc == 6 ? argv[4] : NULL,
				 argc == 6 ? argv[5] : NULL);
	fprintf(stderr, "usage: bench-crypto keccak | sign | recover | aes IN OUT [KEY IV]\n");
	return 2;
}
