/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PoCo load generator (bench/run.sh section "poco" starts the backends and calls this):
 *
 *   bench-poco mix URL HUB THREADS ROUNDS BATCH [--receipts] [--fund] [--calls N K]
 *
 * THREADS client threads, each with its own sender key (keccak256("decc-bench-I"), the keys
 * `bench-node genesis` funds; --fund sets their balance with anvil_setBalance instead), one
 * keep-alive HTTP/1.1 connection each. Setup (not timed): every sender creates a workerpool
 * and deposits; thread 0 sends one warm-up round through the chain client (eth_estimateGas)
 * and the gas used per kind of transaction, doubled, becomes the gas limit of the pre-built
 * ones. Then every thread pre-builds ROUNDS rounds of five raw signed transactions, nonces
 * precomputed, all from its sender (owner of the app, workerpool, request and worker):
 *
 *   createApp (a new TEE app, its address from predictApp), deposit (native: deposit() with
 *   value; token mode: RLC approveAndCall), matchOrders (app, workerpool and request orders
 *   signed by the sender, TEE tag, volume 1; the deal id = keccak(requestorder hash, 0)),
 *   initialize(deal, 0), contributeAndFinalize (TEE: the scheduler's authorization of
 *   worker, task and enclave, the enclave's signature of resultHash ‖ resultSeal).
 *
 * Timed phase: each thread sends its transactions BATCH per request (1: one
 * eth_sendRawTransaction per request; >1 a JSON-RPC batch). A transaction counts as
 * acknowledged when its answer arrives (decc node answers after its block is committed), or
 * with --receipts (anvil) when eth_getTransactionReceipt of the request's last transaction
 * is there (same sender, nonce order: the earlier ones are mined too; polled with a backoff
 * from 0.25 ms to 8 ms, `polls=` counts them). After the timed phase
 * every receipt is fetched and a transaction counts as ok only with status 1.
 *
 * --calls N K: then N threads x K eth_call viewDeal(first deal) and viewAccount(sender 0)
 * on the hub, latency p50/p99 of each.
 *
 * Output lines (parsed by bench/run.sh):
 *   poco mix: ... txs=T ok=O time=Ss acknowledged=R tx/s p50=Xms p99=Yms errors=E
 *   poco eth_call VIEW: ... p50=Xms p99=Yms ...
 */
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "decc/abi.h"
#include "decc/chain.h"
#include "decc/crypto.h"
#include "decc/error.h"
#include "decc/hex.h"
#include "decc/order.h"
#include "decc/tx.h"
#include "common.h"

#define TX_PER_ROUND 5
#define DEPOSIT_NRLC 1000000000ull /* setup deposit of each sender */
#define ROUND_DEPOSIT_NRLC 1000ull
#define APP_PRICE 1
#define POOL_PRICE 10

enum kind {
	K_APP,
	K_DEPOSIT,
	K_MATCH,
	K_INIT,
	K_FINALIZE
};
static const char *const kind_names[TX_PER_ROUND] = { "createApp", "deposit", "matchOrders",
						      "initialize", "contributeAndFinalize" };

static char host[64] = "127.0.0.1";
static int port;
static const char *rpc_url;
static decc_address hub, token, apps_reg;
static uint8_t ds_sep[32], enclave_sk[32];
static decc_address enclave;
static uint64_t chain_id, gas_limit[TX_PER_ROUND];
static decc_u256 max_fee, tip;
static bool want_receipts, want_fund;
static unsigned rounds, batch;
static uint64_t run_id;
static pthread_barrier_t barrier;

static void die(const char *what)
{
	fprintf(stderr, "bench-poco: %s: %s\n", what, decc_error_last());
	exit(1);
}

static void oom(int rc)
{
	if (rc < 0) {
		fprintf(stderr, "bench-poco: out of memory\n");
		exit(1);
	}
}

/* ---- raw HTTP/1.1 keep-alive client ---- */

/* Decode a chunked body in place (resp holds the body from offset 0); -1 when incomplete. */
static long unchunk(struct decc_buf *resp, size_t start)
{
	size_t in = start, out = 0;

	for (;;) {
		char *end;
		unsigned long n;
		char *p = (char *)resp->data + in;
		char *crlf = strstr(p, "\r\n");

		if (!crlf)
			return -1;
		n = strtoul(p, &end, 16);
		in = (size_t)(crlf - (char *)resp->data) + 2;
		if (n == 0)
			return (long)out;
		if (in + n + 2 > resp->len)
			return -1;
		memmove(resp->data + out, resp->data + in, n);
		out += n;
		in += n + 2;
	}
}

/* POST body, read the whole response body into resp (NUL-terminated). */
static __thread int resp_status; /* HTTP status of the last post() of this thread */

static void post(int fd, const char *body, size_t len, struct decc_buf *resp)
{
	char head[256], buf[65536];
	size_t hdr_end = 0, need = 0;
	bool chunked = false;
	int n = snprintf(head, sizeof(head),
			 "POST / HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"
			 "Content-Length: %zu\r\n\r\n",
			 host, len);

	if (write(fd, head, (size_t)n) != n || write(fd, body, len) != (ssize_t)len) {
		perror("bench-poco: write");
		exit(1);
	}
	decc_buf_reset(resp);
	for (;;) {
		ssize_t k = read(fd, buf, sizeof(buf));

		if (k <= 0) {
			fprintf(stderr, "bench-poco: connection closed\n");
			exit(1);
		}
		oom(decc_buf_append(resp, buf, (size_t)k));
		if (!hdr_end) {
			char *e = strstr((char *)resp->data, "\r\n\r\n"), *cl, *te;

			if (!e)
				continue;
			hdr_end = (size_t)(e - (char *)resp->data) + 4;
			*e = 0;
			resp_status = strncmp((char *)resp->data, "HTTP/1.", 7) == 0
					  ? atoi((char *)resp->data + 9)
					  : -1;
			cl = strcasestr((char *)resp->data, "Content-Length:");
			te = strcasestr((char *)resp->data, "Transfer-Encoding: chunked");
			*e = '\r';
			chunked = te != NULL;
			need = cl ? strtoul(cl + 15, NULL, 10) : 0;
		}
		if (chunked) {
			struct decc_buf copy = DECC_BUF_INIT;
			long got;

			/* decode a copy: the data may still be incomplete */
			oom(decc_buf_append(&copy, resp->data + hdr_end, resp->len - hdr_end));
			got = unchunk(&copy, 0);
			if (got >= 0) {
				memcpy(resp->data, copy.data, (size_t)got);
				resp->len = (size_t)got;
				resp->data[got] = 0;
				decc_buf_release(&copy);
				return;
			}
			decc_buf_release(&copy);
			continue;
		}
		if (resp->len >= hdr_end + need)
			break;
	}
	memmove(resp->data, resp->data + hdr_end, need);
	resp->len = need;
	resp->data[need] = 0;
}

/* post() and fail on an HTTP status other than 200 (a refused body is no JSON-RPC error) */
static void post_ok(int fd, const char *body, size_t len, struct decc_buf *resp)
{
	post(fd, body, len, resp);
	if (resp_status != 200) {
		fprintf(stderr, "bench-poco: HTTP %d for a %zu-byte request: %.300s\n", resp_status,
			len, (const char *)resp->data);
		exit(1);
	}
}

/* ---- transactions of the mix ---- */

struct worker {
	pthread_t t;
	unsigned idx;
	uint8_t sk[32];
	decc_address me, wp;
	struct decc_chain *c;
	char **raws; /* rounds * TX_PER_ROUND raw transactions, 0x-hex */
	uint8_t (*hashes)[32];
	uint8_t first_deal[32];
	double *lat; /* per request */
	size_t n_lat;
	unsigned errors, ok;
	/* eth_call phase */
	const char *call_body;
	unsigned calls;
};

static char *sign_raw(const uint8_t sk[32], uint64_t nonce, uint64_t gas, const decc_address *to,
		      const decc_u256 *value, const struct decc_buf *data, uint8_t hash[32])
{
	struct decc_buf raw = DECC_BUF_INIT;
	struct decc_tx tx;
	char *hex;

	decc_tx_init(&tx);
	tx.type = 2;
	tx.chain_id = chain_id;
	tx.nonce = nonce;
	tx.max_fee = max_fee;
	tx.max_priority_fee = tip;
	tx.gas = gas;
	tx.has_to = true;
	tx.to = *to;
	tx.value = *value;
	oom(decc_buf_append(&tx.data, data->data, data->len));
	if (decc_tx_sign(&tx, sk) < 0 || decc_tx_encode(&raw, &tx) < 0)
		die("sign transaction");
	decc_keccak256(hash, raw.data, raw.len);
	hex = malloc(2 * raw.len + 3);
	if (!hex)
		oom(-1);
	decc_hex_encode(hex, raw.data, raw.len, true);
	decc_tx_release(&tx);
	decc_buf_release(&raw);
	return hex;
}

static const char enclave_conf[] = "{\"framework\":\"SCONE\",\"version\":\"v5\"}";

static struct decc_abi_value *app_args(const struct worker *w, const char *name)
{
	uint8_t sum[32] = { 0 };

	sum[31] = 0xbe;
	return decc_abi_tuplev(
	    6, decc_abi_address(&w->me), decc_abi_string(name), decc_abi_string("DOCKER"),
	    decc_abi_bytes((const uint8_t *)name, strlen(name)), decc_abi_fixed_bytes(sum, 32),
	    decc_abi_bytes((const uint8_t *)enclave_conf, sizeof(enclave_conf) - 1));
}

#define APP_SIG "createApp(address,string,string,bytes,bytes32,bytes)"
#define PREDICT_SIG "predictApp(address,string,string,bytes,bytes32,bytes)"

/*
 * The five transactions of round r: their targets, values and calldata. The app address is
 * asked with predictApp (eth_call) before the app exists.
 */
struct round_tx {
	decc_address to;
	decc_u256 value;
	struct decc_buf data;
};

static void salt_of(uint8_t salt[32], const struct worker *w, unsigned r, unsigned which)
{
	char s[96];

	snprintf(s, sizeof(s), "bench-poco %llu %u %u %u", (unsigned long long)run_id, w->idx, r,
		 which);
	decc_keccak256(salt, s, strlen(s));
}

static void build_round(struct worker *w, unsigned r, struct round_tx tx[TX_PER_ROUND],
			uint8_t dealid[32])
{
	char name[96], sig[512];
	struct decc_abi_value *pred;
	decc_address app;
	struct decc_order oa, od, ow, orq;
	uint8_t rqh[32], pre[72], taskid[32], digest[32], rh[32], rs[32], h[32], auth[65], esig[65];
	static const uint8_t results[] = "ipfs://bench-poco";
	decc_u256 zero_v = decc_u256_from_u64(0), dep = decc_u256_from_u64(ROUND_DEPOSIT_NRLC);
	decc_u256 gwei = decc_u256_from_u64(1000000000ull);

	for (int i = 0; i < TX_PER_ROUND; i++) {
		decc_buf_init(&tx[i].data, DECC_BUF_DEFAULT_MAX);
		tx[i].value = zero_v;
		tx[i].to = hub;
	}
	/* createApp */
	snprintf(name, sizeof(name), "bench-app-%llu-%u-%u", (unsigned long long)run_id, w->idx, r);
	if (decc_chain_call_fn(w->c, &pred, &apps_reg, PREDICT_SIG, app_args(w, name),
			       "(address)") < 0 ||
	    decc_abi_get_address(&app, pred->items[0]) < 0)
		die("predictApp");
	decc_abi_value_free(pred);
	tx[K_APP].to = apps_reg;
	if (decc_abi_encode_call(&tx[K_APP].data, APP_SIG, app_args(w, name)) < 0)
		die("encode createApp");
	/* deposit */
	if (decc_address_is_zero(&token)) {
		if (decc_u256_mul(&tx[K_DEPOSIT].value, &dep, &gwei))
			die("deposit value");
		oom(decc_buf_append(&tx[K_DEPOSIT].data, "\xd0\xe3\x0d\xb0", 4)); /* deposit() */
	} else {
		tx[K_DEPOSIT].to = token;
		if (decc_abi_encode_call(
			&tx[K_DEPOSIT].data, "approveAndCall(address,uint256,bytes)",
			decc_abi_tuplev(3, decc_abi_address(&hub), decc_abi_uint(&dep),
					decc_abi_bytes(NULL, 0))) < 0)
			die("encode approveAndCall");
	}
	/* matchOrders: all orders of the sender, TEE tag */
	decc_order_init(&oa, DECC_ORDER_APP);
	decc_order_init(&od, DECC_ORDER_DATASET);
	decc_order_init(&ow, DECC_ORDER_WORKERPOOL);
	decc_order_init(&orq, DECC_ORDER_REQUEST);
	oa.app = app;
	oa.price = decc_u256_from_u64(APP_PRICE);
	oa.volume = decc_u256_from_u64(1);
	oa.tag[31] = 1;
	salt_of(oa.salt, w, r, 0);
	ow.workerpool = w->wp;
	ow.price = decc_u256_from_u64(POOL_PRICE);
	ow.volume = decc_u256_from_u64(1);
	ow.tag[31] = 1;
	salt_of(ow.salt, w, r, 1);
	orq.app = app;
	orq.appmaxprice = decc_u256_from_u64(APP_PRICE);
	orq.workerpool = w->wp;
	orq.workerpoolmaxprice = decc_u256_from_u64(POOL_PRICE);
	orq.requester = w->me;
	orq.beneficiary = w->me;
	orq.volume = decc_u256_from_u64(1);
	orq.tag[31] = 1;
	orq.params = strdup("{\"iexec_args\":\"bench\"}");
	if (!orq.params)
		oom(-1);
	salt_of(orq.salt, w, r, 2);
	if (decc_order_sign(&oa, ds_sep, w->sk) < 0 || decc_order_sign(&ow, ds_sep, w->sk) < 0 ||
	    decc_order_sign(&orq, ds_sep, w->sk) < 0)
		die("order sign");
	decc_order_hash(rqh, ds_sep, &orq);
	memcpy(pre, rqh, 32);
	memset(pre + 32, 0, 32); /* consumed volume before the match: 0 */
	decc_keccak256(dealid, pre, 64);
	snprintf(sig, sizeof(sig), "matchOrders(%s,%s,%s,%s)",
		 decc_chain_order_tuple_type(DECC_ORDER_APP),
		 decc_chain_order_tuple_type(DECC_ORDER_DATASET),
		 decc_chain_order_tuple_type(DECC_ORDER_WORKERPOOL),
		 decc_chain_order_tuple_type(DECC_ORDER_REQUEST));
	if (decc_abi_encode_call(
		&tx[K_MATCH].data, sig,
		decc_abi_tuplev(4, decc_chain_order_tuple(&oa), decc_chain_order_tuple(&od),
				decc_chain_order_tuple(&ow), decc_chain_order_tuple(&orq))) < 0)
		die("encode matchOrders");
	decc_order_release(&oa);
	decc_order_release(&od);
	decc_order_release(&ow);
	decc_order_release(&orq);
	/* initialize(deal, 0) */
	if (decc_abi_encode_call(
		&tx[K_INIT].data, "initialize(bytes32,uint256)",
		decc_abi_tuplev(2, decc_abi_fixed_bytes(dealid, 32), decc_abi_uint64(0))) < 0)
		die("encode initialize");
	memcpy(pre, dealid, 32);
	memset(pre + 32, 0, 32);
	decc_keccak256(taskid, pre, 64);
	/* contributeAndFinalize: TEE, the sender is worker and scheduler */
	memset(digest, 0, 32);
	digest[0] = 0xd1;
	digest[31] = (uint8_t)r;
	memcpy(pre, taskid, 32);
	memcpy(pre + 32, digest, 32);
	decc_keccak256(rh, pre, 64);
	{
		uint8_t seal_pre[84];

		memcpy(seal_pre, w->me.b, 20);
		memcpy(seal_pre + 20, taskid, 32);
		memcpy(seal_pre + 52, digest, 32);
		decc_keccak256(rs, seal_pre, 84);
	}
	memcpy(pre, w->me.b, 20);
	memcpy(pre + 20, taskid, 32);
	memcpy(pre + 52, enclave.b, 20);
	decc_keccak256(h, pre, 72);
	if (decc_eip191_sign(auth, h, 32, w->sk) < 0)
		die("authorization sign");
	memcpy(pre, rh, 32);
	memcpy(pre + 32, rs, 32);
	decc_keccak256(h, pre, 64);
	if (decc_eip191_sign(esig, h, 32, enclave_sk) < 0)
		die("enclave sign");
	if (decc_abi_encode_call(
		&tx[K_FINALIZE].data,
		"contributeAndFinalize(bytes32,bytes32,bytes,bytes,address,bytes,bytes)",
		decc_abi_tuplev(7, decc_abi_fixed_bytes(taskid, 32),
				decc_abi_fixed_bytes(digest, 32),
				decc_abi_bytes(results, sizeof(results) - 1),
				decc_abi_bytes(NULL, 0), decc_abi_address(&enclave),
				decc_abi_bytes(esig, 65), decc_abi_bytes(auth, 65))) < 0)
		die("encode contributeAndFinalize");
}

static void release_round(struct round_tx tx[TX_PER_ROUND])
{
	for (int i = 0; i < TX_PER_ROUND; i++)
		decc_buf_release(&tx[i].data);
}

/* ---- setup ---- */

static void chain_client(struct worker *w)
{
	if (decc_chain_new(&w->c, rpc_url) < 0 || decc_chain_set_wallet(w->c, w->sk) < 0 ||
	    decc_chain_address(w->c, &w->me) < 0)
		die("chain client");
	decc_chain_set_hub(w->c, &hub);
	decc_chain_set_poll_interval(w->c, 2);
}

static void fund(struct worker *w)
{
	char params[128], addr[43];

	decc_address_to_checksum(addr, &w->me);
	snprintf(params, sizeof(params), "[\"%s\",\"0x3635c9adc5dea00000\"]", addr); /* 1000 ETH */
	if (decc_chain_rpc(w->c, NULL, "anvil_setBalance", params) < 0)
		die("anvil_setBalance");
}

/* Thread 0: one round through the chain client; gas used per kind, doubled, is the limit. */
static void warm_up(struct worker *w)
{
	struct round_tx tx[TX_PER_ROUND];
	uint8_t dealid[32];

	build_round(w, (unsigned)-1, tx, dealid);
	for (int i = 0; i < TX_PER_ROUND; i++) {
		struct decc_chain_receipt rc;
		struct decc_chain_txopts o = { .value = tx[i].value };

		if (decc_chain_transact(w->c, &rc, &tx[i].to, tx[i].data.data, tx[i].data.len, &o) <
		    0) {
			fprintf(stderr, "bench-poco: warm-up %s: %s\n", kind_names[i],
				decc_error_last());
			exit(1);
		}
		gas_limit[i] = rc.gas_used * 2 + 20000;
		decc_chain_receipt_release(&rc);
	}
	release_round(tx);
}

static void *setup_worker(void *arg)
{
	struct worker *w = arg;
	char desc[64];
	decc_u256 v = decc_u256_from_u64(DEPOSIT_NRLC);
	uint64_t nonce;

	chain_client(w);
	if (want_fund)
		fund(w);
	snprintf(desc, sizeof(desc), "bench-pool-%llu-%u", (unsigned long long)run_id, w->idx);
	if (decc_chain_create_workerpool(w->c, &w->wp, &w->me, desc) < 0)
		die("createWorkerpool");
	if (decc_chain_deposit(w->c, &v) < 0)
		die("deposit");
	if (w->idx == 0)
		warm_up(w);
	pthread_barrier_wait(&barrier); /* gas limits known */
	if (decc_chain_tx_count(w->c, &nonce, &w->me, true) < 0)
		die("eth_getTransactionCount");
	w->raws = calloc((size_t)rounds * TX_PER_ROUND, sizeof(char *));
	w->hashes = calloc((size_t)rounds * TX_PER_ROUND, 32);
	w->lat = calloc((size_t)rounds * TX_PER_ROUND, sizeof(double));
	if (!w->raws || !w->hashes || !w->lat)
		oom(-1);
	for (unsigned r = 0; r < rounds; r++) {
		struct round_tx tx[TX_PER_ROUND];
		uint8_t dealid[32];

		build_round(w, r, tx, dealid);
		if (r == 0)
			memcpy(w->first_deal, dealid, 32);
		for (int i = 0; i < TX_PER_ROUND; i++) {
			size_t k = (size_t)r * TX_PER_ROUND + (size_t)i;

			w->raws[k] = sign_raw(w->sk, nonce + k, gas_limit[i], &tx[i].to,
					      &tx[i].value, &tx[i].data, w->hashes[k]);
		}
		release_round(tx);
	}
	return NULL;
}

/* ---- timed phase ---- */

static void hash_hex(char out[67], const uint8_t h[32])
{
	decc_hex_encode(out, h, 32, true);
}

static unsigned long polls_total; /* receipt polls of the timed phase, all threads */
static pthread_mutex_t polls_lock = PTHREAD_MUTEX_INITIALIZER;

static void wait_receipt(int fd, const uint8_t h[32], struct decc_buf *body, struct decc_buf *resp)
{
	char hx[67];
	double deadline = bench_now_s() + 60;
	long pause_ns = 250000;
	unsigned long polls = 0;

	hash_hex(hx, h);
	decc_buf_reset(body);
	oom(decc_buf_appendf(body,
			     "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":"
			     "\"eth_getTransactionReceipt\",\"params\":[\"%s\"]}",
			     hx));
	/*
	 * Backoff from 0.25 ms, doubling up to 8 ms: a fixed 1 ms pause with 64 clients is up
	 * to 64,000 polls a second, taken from the backend's own CPU on a small machine. 60 s
	 * at most.
	 */
	for (;;) {
		struct timespec ts = { 0, pause_ns };

		post_ok(fd, (const char *)body->data, body->len, resp);
		polls++;
		if (!strstr((const char *)resp->data, "\"result\":null"))
			break;
		if (bench_now_s() > deadline) {
			fprintf(stderr, "bench-poco: no receipt for %s after 60 s\n", hx);
			exit(1);
		}
		nanosleep(&ts, NULL);
		if (pause_ns < 8000000)
			pause_ns *= 2;
	}
	pthread_mutex_lock(&polls_lock);
	polls_total += polls;
	pthread_mutex_unlock(&polls_lock);
}

static void *tx_worker(void *arg)
{
	struct worker *w = arg;
	struct decc_buf body = DECC_BUF_INIT, resp = DECC_BUF_INIT;
	size_t m = (size_t)rounds * TX_PER_ROUND;
	int fd = bench_connect("bench-poco", host, port);

	pthread_barrier_wait(&barrier);
	for (size_t i = 0; i < m; i += batch) {
		size_t k = m - i < batch ? m - i : batch;
		double t0 = bench_now_s();

		decc_buf_reset(&body);
		if (batch > 1)
			oom(decc_buf_append_str(&body, "["));
		for (size_t j = 0; j < k; j++)
			oom(decc_buf_appendf(&body,
					     "%s{\"jsonrpc\":\"2.0\",\"id\":%zu,\"method\":"
					     "\"eth_sendRawTransaction\",\"params\":[\"%s\"]}",
					     j ? "," : "", i + j, w->raws[i + j]));
		if (batch > 1)
			oom(decc_buf_append_str(&body, "]"));
		post_ok(fd, (const char *)body.data, body.len, &resp);
		if (strstr((const char *)resp.data, "\"error\"")) {
			if (!w->errors)
				fprintf(stderr, "bench-poco: %.300s\n", (const char *)resp.data);
			w->errors++;
		}
		if (want_receipts)
			wait_receipt(fd, w->hashes[i + k - 1], &body, &resp);
		w->lat[w->n_lat++] = bench_now_s() - t0;
	}
	close(fd);
	decc_buf_release(&body);
	decc_buf_release(&resp);
	return NULL;
}

/* After the timed phase: every receipt, status 1 counted in w->ok. */
static void *verify_worker(void *arg)
{
	struct worker *w = arg;
	struct decc_buf body = DECC_BUF_INIT, resp = DECC_BUF_INIT;
	size_t m = (size_t)rounds * TX_PER_ROUND;
	int fd = bench_connect("bench-poco", host, port);

	for (size_t i = 0; i < m; i += 50) {
		size_t k = m - i < 50 ? m - i : 50;
		json_t *root;
		json_error_t je;

		decc_buf_reset(&body);
		oom(decc_buf_append_str(&body, "["));
		for (size_t j = 0; j < k; j++) {
			char hx[67];

			hash_hex(hx, w->hashes[i + j]);
			oom(decc_buf_appendf(&body,
					     "%s{\"jsonrpc\":\"2.0\",\"id\":%zu,\"method\":"
					     "\"eth_getTransactionReceipt\",\"params\":[\"%s\"]}",
					     j ? "," : "", i + j, hx));
		}
		oom(decc_buf_append_str(&body, "]"));
		post_ok(fd, (const char *)body.data, body.len, &resp);
		root = json_loadb((const char *)resp.data, resp.len, 0, &je);
		for (size_t j = 0; root && j < json_array_size(root); j++) {
			json_t *st = json_object_get(
			    json_object_get(json_array_get(root, j), "result"), "status");
			json_t *id = json_object_get(json_array_get(root, j), "id");

			if (json_is_string(st) && strcmp(json_string_value(st), "0x1") == 0) {
				w->ok++;
			} else {
				size_t n = json_is_integer(id) ? (size_t)json_integer_value(id) : 0;

				if (w->errors++ < 3)
					fprintf(stderr,
						"bench-poco: sender %u tx %zu (%s) not ok\n",
						w->idx, n, kind_names[n % TX_PER_ROUND]);
			}
		}
		json_decref(root);
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
	int fd = bench_connect("bench-poco", host, port);

	pthread_barrier_wait(&barrier);
	for (unsigned i = 0; i < w->calls; i++) {
		double t0 = bench_now_s();

		post_ok(fd, w->call_body, len, &resp);
		w->lat[i] = bench_now_s() - t0;
		if (strstr((const char *)resp.data, "\"error\"") ||
		    !strstr((const char *)resp.data, "\"result\":\"0x"))
			w->errors++;
	}
	close(fd);
	decc_buf_release(&resp);
	return NULL;
}

static double pct(const double *v, size_t n, unsigned p)
{
	size_t i = n * p / 100;

	return v[i < n ? i : n - 1];
}

static void call_phase(const char *view, const uint8_t *data, size_t dlen, unsigned n, unsigned k)
{
	char hub_s[43], *dhex = malloc(2 * dlen + 3), body[1024];
	struct worker *ws = calloc(n, sizeof(*ws));
	double *all = calloc((size_t)n * k, sizeof(double)), t0, t1;
	unsigned errors = 0;

	if (!dhex || !ws || !all)
		oom(-1);
	decc_address_to_checksum(hub_s, &hub);
	decc_hex_encode(dhex, data, dlen, true);
	snprintf(body, sizeof(body),
		 "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_call\",\"params\":[{\"to\":"
		 "\"%s\",\"data\":\"%s\"},\"latest\"]}",
		 hub_s, dhex);
	pthread_barrier_destroy(&barrier);
	pthread_barrier_init(&barrier, NULL, n + 1);
	for (unsigned i = 0; i < n; i++) {
		ws[i].calls = k;
		ws[i].call_body = body;
		ws[i].lat = all + (size_t)i * k;
		pthread_create(&ws[i].t, NULL, call_worker, &ws[i]);
	}
	pthread_barrier_wait(&barrier);
	t0 = bench_now_s();
	for (unsigned i = 0; i < n; i++) {
		pthread_join(ws[i].t, NULL);
		errors += ws[i].errors;
	}
	t1 = bench_now_s();
	qsort(all, (size_t)n * k, sizeof(double), bench_cmp_double);
	printf("poco eth_call %s: threads=%u calls=%u p50=%.3fms p99=%.3fms rate=%.0f/s "
	       "errors=%u\n",
	       view, n, n * k, pct(all, (size_t)n * k, 50) * 1e3, pct(all, (size_t)n * k, 99) * 1e3,
	       (double)(n * k) / (t1 - t0), errors);
	free(dhex);
	free(ws);
	free(all);
}

static void usage(void)
{
	fprintf(stderr, "usage: bench-poco mix URL HUB THREADS ROUNDS BATCH [--receipts] [--fund] "
			"[--calls N K]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct worker *ws;
	struct decc_chain *c0;
	unsigned n, calls_n = 0, calls_k = 0, errors = 0, ok = 0;
	size_t total, n_lat = 0;
	double t0, t1, *lat;
	uint64_t gp;
	static const char enclave_seed[] = "decc bench-poco enclave";

	if (argc < 7 || strcmp(argv[1], "mix") != 0)
		usage();
	rpc_url = argv[2];
	bench_parse_url("bench-poco", rpc_url, host, &port);
	if (decc_address_parse(&hub, argv[3]) < 0)
		die("HUB");
	n = (unsigned)atoi(argv[4]);
	rounds = (unsigned)atoi(argv[5]);
	batch = (unsigned)atoi(argv[6]);
	for (int i = 7; i < argc; i++) {
		if (strcmp(argv[i], "--receipts") == 0)
			want_receipts = true;
		else if (strcmp(argv[i], "--fund") == 0)
			want_fund = true;
		else if (strcmp(argv[i], "--calls") == 0 && i + 2 < argc) {
			calls_n = (unsigned)atoi(argv[++i]);
			calls_k = (unsigned)atoi(argv[++i]);
		} else
			usage();
	}
	if (!n || n > 1024 || !rounds || rounds > 100000 || !batch || batch > 100)
		usage();
	run_id = (uint64_t)time(NULL) * 1000 + (uint64_t)getpid() % 1000;
	decc_keccak256(enclave_sk, enclave_seed, sizeof(enclave_seed) - 1);
	if (decc_address_from_seckey(&enclave, enclave_sk) < 0)
		die("enclave key");

	/* chain parameters, read once */
	if (decc_chain_new(&c0, rpc_url) < 0)
		die("chain client");
	decc_chain_set_hub(c0, &hub);
	if (decc_chain_connect(c0, &chain_id) < 0 || decc_chain_domain_separator(c0, ds_sep) < 0 ||
	    decc_chain_token(c0, &token) < 0)
		die("hub");
	{
		decc_address d, p;

		if (decc_chain_registries(c0, &apps_reg, &d, &p) < 0)
			die("registries");
	}
	{
		struct decc_buf res = DECC_BUF_INIT;
		char q[80];

		if (decc_chain_rpc(c0, &res, "eth_gasPrice", NULL) < 0 ||
		    sscanf((const char *)res.data, "\"%79[^\"]\"", q) != 1 ||
		    decc_chain_parse_quantity_u64(&gp, q) < 0)
			die("eth_gasPrice");
		decc_buf_release(&res);
	}
	/* generous: fees never change the outcome, the balances cover them */
	max_fee = decc_u256_from_u64(gp * 4 + 2000000000ull);
	tip = decc_u256_from_u64(1000000000ull);
	decc_chain_free(c0);

	ws = calloc(n, sizeof(*ws));
	if (!ws)
		oom(-1);
	pthread_barrier_init(&barrier, NULL, n);
	for (unsigned i = 0; i < n; i++) {
		ws[i].idx = i;
		bench_key_of(ws[i].sk, i);
		pthread_create(&ws[i].t, NULL, setup_worker, &ws[i]);
	}
	for (unsigned i = 0; i < n; i++)
		pthread_join(ws[i].t, NULL);

	pthread_barrier_destroy(&barrier);
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
	for (unsigned i = 0; i < n; i++)
		pthread_create(&ws[i].t, NULL, verify_worker, &ws[i]);
	for (unsigned i = 0; i < n; i++) {
		pthread_join(ws[i].t, NULL);
		ok += ws[i].ok;
	}
	errors = 0;
	for (unsigned i = 0; i < n; i++)
		errors += ws[i].errors;
	total = (size_t)n * rounds * TX_PER_ROUND;
	lat = calloc(total, sizeof(double));
	if (!lat)
		oom(-1);
	for (unsigned i = 0; i < n; i++) {
		memcpy(lat + n_lat, ws[i].lat, ws[i].n_lat * sizeof(double));
		n_lat += ws[i].n_lat;
	}
	qsort(lat, n_lat, sizeof(double), bench_cmp_double);
	printf("poco mix: senders=%u rounds=%u txs=%zu batch=%u ack=%s ok=%u time=%.2fs "
	       "acknowledged=%.0f tx/s p50=%.3fms p99=%.3fms errors=%u polls=%lu "
	       "gas=%llu/%llu/%llu/%llu/%llu\n",
	       n, rounds, total, batch, want_receipts ? "receipt" : "answer", ok, t1 - t0,
	       (double)total / (t1 - t0), pct(lat, n_lat, 50) * 1e3, pct(lat, n_lat, 99) * 1e3,
	       errors, polls_total, (unsigned long long)gas_limit[0],
	       (unsigned long long)gas_limit[1], (unsigned long long)gas_limit[2],
	       (unsigned long long)gas_limit[3], (unsigned long long)gas_limit[4]);
	fflush(stdout);
	if (calls_n && calls_k) {
		struct decc_buf d = DECC_BUF_INIT;

		if (decc_abi_encode_call(
			&d, "viewDeal(bytes32)",
			decc_abi_tuplev(1, decc_abi_fixed_bytes(ws[0].first_deal, 32))) < 0)
			die("encode viewDeal");
		call_phase("viewDeal", d.data, d.len, calls_n, calls_k);
		decc_buf_reset(&d);
		if (decc_abi_encode_call(&d, "viewAccount(address)",
					 decc_abi_tuplev(1, decc_abi_address(&ws[0].me))) < 0)
			die("encode viewAccount");
		call_phase("viewAccount", d.data, d.len, calls_n, calls_k);
		decc_buf_release(&d);
	}
	for (unsigned i = 0; i < n; i++)
		decc_chain_free(ws[i].c);
	return errors || ok != total ? 1 : 0;
}
