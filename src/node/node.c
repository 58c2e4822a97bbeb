/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The node's writer: a queue of submitted transactions and one thread that mines them.
 * Automine: the thread mines as soon as the queue is non-empty, taking everything queued, so
 * transactions that arrive during a commit (fsync) share the next block: group commit.
 * --block-time: the thread mines every block_time_ms with whatever is queued.
 * A submitter sleeps until its block is committed, then answers its client.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "decc/error.h"
#include "decc/file.h"
#include "node/internal.h"

void node_log(struct decc_node *n, const char *level, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!n->cfg.log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	n->cfg.log(n->cfg.log_ctx, level, msg);
}

static size_t sender_bucket(const decc_address *a)
{
	uint32_t h = 0;

	for (int i = 0; i < 20; i++)
		h = h * 31 + a->b[i];
	return h % NODE_SENDERS_BUCKETS;
}

static struct sender_slot *sender_find(struct decc_node *n, const decc_address *a)
{
	for (struct sender_slot *s = n->senders[sender_bucket(a)]; s; s = s->next)
		if (decc_address_eq(&s->a, a))
			return s;
	return NULL;
}

/* One of a sender's outstanding transactions is settled (mined or rejected). */
static void sender_release(struct decc_node *n, const decc_address *a)
{
	struct sender_slot **pp = &n->senders[sender_bucket(a)];

	for (; *pp; pp = &(*pp)->next) {
		struct sender_slot *s = *pp;

		if (!decc_address_eq(&s->a, a))
			continue;
		if (--s->outstanding == 0) {
			*pp = s->next;
			free(s);
		}
		return;
	}
}

/* Next nonce of a; call with qlock held. */
static int pending_nonce_locked(struct decc_node *n, uint64_t *out, const decc_address *a)
{
	struct sender_slot *s = sender_find(n, a);

	if (s) {
		*out = s->next_nonce;
		return 0;
	}
	return decc_ledger_account(n->ledger, NULL, out, a);
}

int node_pending_nonce(struct decc_node *n, uint64_t *out, const decc_address *a)
{
	int r;

	pthread_mutex_lock(&n->qlock);
	r = pending_nonce_locked(n, out, a);
	pthread_mutex_unlock(&n->qlock);
	return r;
}

static void pending_free(struct pending_tx *p)
{
	if (!p)
		return;
	decc_tx_release(&p->tx);
	free(p->raw);
	free(p);
}

/* Decode and check a raw transaction and queue it; *out is to be passed to node_submit_wait. */
int node_submit_start(struct decc_node *n, struct pending_tx **out, const uint8_t *raw, size_t len,
		      char *why, size_t whylen)
{
	struct pending_tx *p = calloc(1, sizeof(*p));
	struct sender_slot *s;
	uint64_t next;
	decc_u256 bal;
	int r;

	why[0] = 0;
	if (!p)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	decc_tx_init(&p->tx);
	r = decc_tx_decode(&p->tx, raw, len);
	if (r == 0)
		r = decc_tx_hash(p->sub.hash, &p->tx);
	if (r == 0)
		r = decc_tx_sender(&p->sub.sender, &p->tx);
	if (r < 0) {
		snprintf(why, whylen, "invalid transaction: %s", decc_error_last());
		goto fail;
	}
	if (p->tx.chain_id != decc_ledger_chain_id(n->ledger)) {
		snprintf(why, whylen,
			 p->tx.chain_id == 0
			     ? "only replay-protected (EIP-155) transactions allowed"
			     : "invalid chain id %llu: this chain is %llu",
			 (unsigned long long)p->tx.chain_id,
			 (unsigned long long)decc_ledger_chain_id(n->ledger));
		r = DECC_EINVAL;
		goto fail;
	}
	r = decc_ledger_account(n->ledger, &bal, NULL, &p->sub.sender);
	if (r < 0)
		goto fail;
	p->raw = malloc(len ? len : 1);
	if (!p->raw) {
		r = decc_error_set(DECC_ENOMEM, "out of memory");
		goto fail;
	}
	memcpy(p->raw, raw, len);
	p->sub.raw = p->raw;
	p->sub.raw_len = len;
	p->sub.tx = &p->tx;

	pthread_mutex_lock(&n->qlock);
	if (n->stopping) {
		snprintf(why, whylen, "the node is shutting down");
		r = DECC_EBUSY;
	} else if (n->qlen >= NODE_MAX_QUEUE) {
		snprintf(why, whylen, "txpool is full");
		r = DECC_EBUSY;
	} else if ((r = pending_nonce_locked(n, &next, &p->sub.sender)) == 0) {
		if (p->tx.nonce < next) {
			snprintf(why, whylen, "nonce too low: next nonce %llu, tx nonce %llu",
				 (unsigned long long)next, (unsigned long long)p->tx.nonce);
			r = DECC_EINVAL;
		} else if (p->tx.nonce > next) {
			snprintf(why, whylen, "nonce too high: next nonce %llu, tx nonce %llu",
				 (unsigned long long)next, (unsigned long long)p->tx.nonce);
			r = DECC_EINVAL;
		}
	}
	if (r == 0) {
		s = sender_find(n, &p->sub.sender);
		if (!s) {
			s = calloc(1, sizeof(*s));
			if (!s) {
				r = decc_error_set(DECC_ENOMEM, "out of memory");
			} else {
				size_t b = sender_bucket(&p->sub.sender);

				s->a = p->sub.sender;
				s->next = n->senders[b];
				n->senders[b] = s;
			}
		}
		if (s) {
			s->outstanding++;
			s->next_nonce = p->tx.nonce + 1;
		}
	}
	if (r < 0) {
		pthread_mutex_unlock(&n->qlock);
		goto fail;
	}
	if (n->qtail)
		n->qtail->next = p;
	else
		n->qhead = p;
	n->qtail = p;
	n->qlen++;
	pthread_cond_signal(&n->qcond);
	pthread_mutex_unlock(&n->qlock);
	*out = p;
	return 0;
fail:
	pending_free(p);
	return r < 0 ? r : DECC_EINVAL;
}

/* Wait until p's block is committed (or p is rejected), free p. */
int node_submit_wait(struct decc_node *n, struct pending_tx *p, uint8_t hash[32], char *why,
		     size_t whylen)
{
	int r;

	pthread_mutex_lock(&n->qlock);
	while (!p->done)
		pthread_cond_wait(&n->donecond, &n->qlock);
	pthread_mutex_unlock(&n->qlock);
	r = p->sub.status;
	if (r == 0)
		memcpy(hash, p->sub.hash, 32);
	else
		snprintf(why, whylen, "%s", p->sub.reason);
	pending_free(p);
	return r;
}

int node_submit(struct decc_node *n, uint8_t hash[32], const uint8_t *raw, size_t len, char *why,
		size_t whylen)
{
	struct pending_tx *p;

	DECC_TRY(node_submit_start(n, &p, raw, len, why, whylen));
	return node_submit_wait(n, p, hash, why, whylen);
}

void node_hold(struct decc_node *n, bool on)
{
	pthread_mutex_lock(&n->qlock);
	if (on)
		n->hold++;
	else if (n->hold && --n->hold == 0)
		pthread_cond_signal(&n->qcond);
	pthread_mutex_unlock(&n->qlock);
}

int node_mine(struct decc_node *n)
{
	uint64_t want;
	int r;

	pthread_mutex_lock(&n->qlock);
	if (n->stopping) {
		pthread_mutex_unlock(&n->qlock);
		return decc_error_set(DECC_EBUSY, "the node is shutting down");
	}
	want = ++n->mine_requested;
	pthread_cond_signal(&n->qcond);
	while (n->mine_done < want && !n->stopping)
		pthread_cond_wait(&n->donecond, &n->qlock);
	r = n->mine_done >= want ? n->mine_status : DECC_EBUSY;
	pthread_mutex_unlock(&n->qlock);
	return r < 0 ? decc_error_set(r, "mining failed") : 0;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void wait_until(struct decc_node *n, uint64_t deadline_ms)
{
	struct timespec ts;
	uint64_t now = mono_ms();

	if (deadline_ms <= now)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += (time_t)((deadline_ms - now) / 1000);
	ts.tv_nsec += (long)((deadline_ms - now) % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_cond_timedwait(&n->qcond, &n->qlock, &ts);
}

static void *writer_main(void *arg)
{
	struct decc_node *n = arg;
	struct decc_ledger_submit *subs = calloc(n->cfg.max_block_txs, sizeof(*subs));
	uint64_t next_block = mono_ms() + n->cfg.block_time_ms;

	pthread_mutex_lock(&n->qlock);
	while (subs) {
		struct pending_tx *batch, *p, *last = NULL;
		uint64_t mine_req, number = 0;
		size_t k = 0;
		int r;

		if (n->stopping)
			break;
		if (n->hold) {
			pthread_cond_wait(&n->qcond, &n->qlock);
			continue;
		}
		if (n->cfg.block_time_ms == 0) {
			if (!n->qhead && n->mine_requested == n->mine_done) {
				pthread_cond_wait(&n->qcond, &n->qlock);
				continue;
			}
		} else if (mono_ms() < next_block && n->mine_requested == n->mine_done) {
			wait_until(n, next_block);
			continue;
		}
		if (n->cfg.block_time_ms)
			next_block = mono_ms() + n->cfg.block_time_ms;
		mine_req = n->mine_requested;
		batch = n->qhead;
		for (p = batch; p && k < n->cfg.max_block_txs; p = p->next, k++) {
			subs[k] = p->sub;
			last = p;
		}
		if (last) {
			n->qhead = last->next;
			if (!n->qhead)
				n->qtail = NULL;
			last->next = NULL;
			n->qlen -= k;
		} else {
			batch = NULL;
		}
		pthread_mutex_unlock(&n->qlock);

		r = decc_ledger_mine(n->ledger, subs, k, &number);
		if (r < 0)
			node_log(n, "error", "mining block failed: %s", decc_error_last());

		pthread_mutex_lock(&n->qlock);
		k = 0;
		for (p = batch; p; p = p->next, k++) {
			p->sub.status = r < 0 ? r : subs[k].status;
			if (r < 0)
				snprintf(p->sub.reason, sizeof(p->sub.reason),
					 "internal error while mining; retry");
			else
				memcpy(p->sub.reason, subs[k].reason, sizeof(p->sub.reason));
			if (p->sub.status == 0)
				atomic_fetch_add(&n->n_txs, 1);
			sender_release(n, &p->sub.sender);
			p->done = true;
		}
		if (r == 0)
			atomic_fetch_add(&n->n_blocks_mined, 1);
		n->mine_status = r;
		n->mine_done = mine_req;
		pthread_cond_broadcast(&n->donecond);
	}
	/* Shutting down: fail what is still queued. */
	for (struct pending_tx *p = n->qhead; p; p = p->next) {
		p->sub.status = DECC_EBUSY;
		snprintf(p->sub.reason, sizeof(p->sub.reason), "the node is shutting down");
		sender_release(n, &p->sub.sender);
		p->done = true;
	}
	n->qhead = n->qtail = NULL;
	n->qlen = 0;
	n->stopping = true;
	pthread_cond_broadcast(&n->donecond);
	pthread_mutex_unlock(&n->qlock);
	free(subs);
	return NULL;
}

int decc_node_start(struct decc_node **out, const struct decc_node_config *cfg)
{
	struct decc_ledger_config lc = { 0 };
	struct decc_buf path = DECC_BUF_INIT;
	struct decc_node *n;
	int r;

	DECC_ENSURE(cfg && cfg->data_dir && cfg->genesis, DECC_EINVAL,
		    "node: a data directory and a genesis are required");
	n = calloc(1, sizeof(*n));
	if (!n)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	n->cfg = *cfg;
	if (!n->cfg.max_body)
		n->cfg.max_body = 1 << 20;
	if (!n->cfg.max_batch)
		n->cfg.max_batch = 100;
	if (!n->cfg.max_log_range)
		n->cfg.max_log_range = 10000;
	if (!n->cfg.max_connections)
		n->cfg.max_connections = 512;
	if (!n->cfg.max_block_txs)
		n->cfg.max_block_txs = 4096;
	pthread_mutex_init(&n->qlock, NULL);
	pthread_cond_init(&n->qcond, NULL);
	pthread_cond_init(&n->donecond, NULL);

	r = decc_file_mkdirs(cfg->data_dir, 0700);
	if (r == 0)
		r = decc_buf_appendf(&path, "%s/ledger.db", cfg->data_dir);
	if (r == 0) {
		lc.path = decc_buf_str(&path);
		lc.genesis = cfg->genesis;
		lc.executor = cfg->executor;
		lc.genesis_fn = cfg->genesis_fn;
		lc.genesis_ctx = cfg->genesis_ctx;
		lc.no_sync = cfg->no_sync;
		r = decc_ledger_open(&n->ledger, &lc);
	}
	decc_buf_release(&path);
	if (r == 0) /* the market (src/orderbook), served under /market/ */
		r = decc_orderbook_open_node(&n->market, cfg->data_dir, n->ledger);
	if (r == 0) {
		if (pthread_create(&n->writer, NULL, writer_main, n) != 0)
			r = decc_error_set(DECC_ERROR, "node: cannot start the writer thread");
		else
			n->writer_started = true;
	}
	if (r == 0 && cfg->listen)
		r = http_start(n);
	if (r < 0) {
		decc_node_stop(n);
		return r;
	}
	node_log(n, "info", "ledger open: chain id %llu, head block %llu",
		 (unsigned long long)decc_ledger_chain_id(n->ledger),
		 (unsigned long long)decc_ledger_head(n->ledger));
	*out = n;
	return 0;
}

void decc_node_stop(struct decc_node *n)
{
	struct sender_slot *s, *next;

	if (!n)
		return;
	if (n->http)
		http_stop(n);
	if (n->writer_started) {
		pthread_mutex_lock(&n->qlock);
		n->stopping = true;
		pthread_cond_broadcast(&n->qcond);
		pthread_mutex_unlock(&n->qlock);
		pthread_join(n->writer, NULL);
	}
	decc_orderbook_free(n->market);
	decc_ledger_free(n->ledger);
	for (size_t i = 0; i < NODE_SENDERS_BUCKETS; i++)
		for (s = n->senders[i]; s; s = next) {
			next = s->next;
			free(s);
		}
	pthread_mutex_destroy(&n->qlock);
	pthread_cond_destroy(&n->qcond);
	pthread_cond_destroy(&n->donecond);
	free(n);
}

uint16_t decc_node_port(const struct decc_node *n)
{
	return n->port;
}

struct decc_ledger *decc_node_ledger(struct decc_node *n)
{
	return n->ledger;
}

int decc_node_metrics(struct decc_node *n, struct decc_buf *out)
{
	size_t qlen;

	pthread_mutex_lock(&n->qlock);
	qlen = n->qlen;
	pthread_mutex_unlock(&n->qlock);
	DECC_TRY(decc_buf_appendf(
	    out,
	    "# HELP decc_node_head_block Number of the last committed block.\n"
	    "# TYPE decc_node_head_block gauge\ndecc_node_head_block %llu\n"
	    "# HELP decc_node_blocks_mined_total Blocks mined since start.\n"
	    "# TYPE decc_node_blocks_mined_total counter\ndecc_node_blocks_mined_total %llu\n"
	    "# HELP decc_node_txs_total Transactions included since start.\n"
	    "# TYPE decc_node_txs_total counter\ndecc_node_txs_total %llu\n"
	    "# HELP decc_node_txpool_pending Transactions waiting for a block.\n"
	    "# TYPE decc_node_txpool_pending gauge\ndecc_node_txpool_pending %zu\n"
	    "# HELP decc_node_http_requests_total HTTP requests served.\n"
	    "# TYPE decc_node_http_requests_total counter\ndecc_node_http_requests_total %llu\n"
	    "# HELP decc_node_rpc_errors_total JSON-RPC responses with an error.\n"
	    "# TYPE decc_node_rpc_errors_total counter\ndecc_node_rpc_errors_total %llu\n"
	    "# HELP decc_node_rpc_requests_total JSON-RPC requests by method.\n"
	    "# TYPE decc_node_rpc_requests_total counter\n",
	    (unsigned long long)decc_ledger_head(n->ledger),
	    (unsigned long long)atomic_load(&n->n_blocks_mined),
	    (unsigned long long)atomic_load(&n->n_txs), qlen,
	    (unsigned long long)atomic_load(&n->n_http),
	    (unsigned long long)atomic_load(&n->n_rpc_errors)));
	for (size_t i = 0; i < RPC_M_COUNT_; i++) {
		const char *name = rpc_method_name(i);
		uint64_t v = atomic_load(&n->rpc_calls[i]);

		if (name && (v || i == RPC_M_OTHER))
			DECC_TRY(decc_buf_appendf(
			    out, "decc_node_rpc_requests_total{method=\"%s\"} %llu\n", name,
			    (unsigned long long)v));
	}
	return 0;
}
