/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The scheduler's HTTP API, modelled on iexec-core's worker API (offchain.md §2.4): challenge
 * and login (a bearer token, 1 h), register, ping, available replicate, status updates; plus
 * decc's polling replacement for the STOMP push channel (GET /replicates/{id}/next) and the
 * task read API (GET /tasks/{id}). Bodies are bounded; tokens die on restart.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "decc/crypto.h"
#include "decc/error.h"
#include "decc/hex.h"
#include "decc/http_server.h"
#include "scheduler/internal.h"

#define MAX_SESSIONS 4096
#define CHALLENGE_TTL 300
#define TOKEN_TTL 3600

struct challenge {
	decc_address wallet;
	char text[48]; /* Base64 of 32 random bytes */
	uint64_t expiry;
};

struct token {
	char text[65];
	decc_address wallet;
	uint64_t expiry;
};

struct sched_http {
	struct decc_http_server *http;
	struct sched *s;
	pthread_mutex_t lock;
	struct challenge challenges[MAX_SESSIONS];
	size_t nchallenges;
	struct token tokens[MAX_SESSIONS];
	size_t ntokens;
	char instance[67]; /* answered to pings: changes when the scheduler restarts */
	char *config_json;
};

struct req {
	const char *body; /* NUL-terminated */
	size_t len;
};

static uint64_t wall_now(void)
{
	return (uint64_t)time(NULL);
}

static uint64_t chain_now(struct sched_http *h)
{
	int64_t off = __atomic_load_n(&h->s->time_offset, __ATOMIC_RELAXED);

	return (uint64_t)((int64_t)wall_now() + off);
}

static int reply(struct decc_http_req *c, unsigned status, const char *ctype, const char *body)
{
	return decc_http_respond(c, status, ctype, body, strlen(body));
}

static int send_error(struct decc_http_req *c, unsigned status, const char *msg)
{
	struct decc_buf b = DECC_BUF_INIT;
	int r;

	if (decc_buf_append_str(&b, "{\"error\":\"") < 0)
		return DECC_ENOMEM;
	for (const char *p = msg; *p; p++) {
		if (*p == '"' || *p == '\\' || (unsigned char)*p < 0x20) {
			if (decc_buf_append_byte(&b, ' ') < 0)
				break;
		} else if (decc_buf_append_byte(&b, (uint8_t)*p) < 0) {
			break;
		}
	}
	if (decc_buf_append_str(&b, "\"}") < 0) {
		decc_buf_release(&b);
		return DECC_ENOMEM;
	}
	r = reply(c, status, "application/json", decc_buf_str(&b));
	decc_buf_release(&b);
	return r;
}

static int send_notice(struct decc_http_req *c, unsigned status, int notice)
{
	char body[64];

	snprintf(body, sizeof(body), "\"%s\"", sched_notice_name(notice));
	return reply(c, status, "application/json", body);
}

/* ---- sessions ---- */
static int new_challenge(struct sched_http *h, char out[48], const decc_address *w)
{
	uint8_t rnd[32];
	struct decc_buf b = DECC_BUF_INIT;
	uint64_t now = wall_now();
	struct challenge *slot = NULL;

	DECC_TRY(decc_random_bytes(rnd, sizeof(rnd)));
	DECC_TRY(decc_base64_encode(&b, rnd, sizeof(rnd)));
	pthread_mutex_lock(&h->lock);
	for (size_t i = 0; i < h->nchallenges && !slot; i++)
		if (decc_address_eq(&h->challenges[i].wallet, w) || h->challenges[i].expiry <= now)
			slot = &h->challenges[i];
	if (!slot && h->nchallenges < MAX_SESSIONS)
		slot = &h->challenges[h->nchallenges++];
	if (slot) {
		slot->wallet = *w;
		snprintf(slot->text, sizeof(slot->text), "%s", decc_buf_str(&b));
		slot->expiry = now + CHALLENGE_TTL;
		snprintf(out, 48, "%s", slot->text);
	}
	pthread_mutex_unlock(&h->lock);
	decc_buf_release(&b);
	if (!slot)
		return decc_error_set(DECC_EBUSY, "too many pending logins, try later");
	return 0;
}

static int login(struct sched_http *h, char out[65], const decc_address *w, const uint8_t sig[65])
{
	uint64_t now = wall_now();
	uint8_t digest[32], rnd[32];
	decc_address signer;
	struct token *slot = NULL;
	int r = DECC_EAUTH;

	DECC_TRY(decc_random_bytes(rnd, sizeof(rnd)));
	pthread_mutex_lock(&h->lock);
	for (size_t i = 0; i < h->nchallenges; i++) {
		struct challenge *ch = &h->challenges[i];

		if (!decc_address_eq(&ch->wallet, w) || ch->expiry <= now)
			continue;
		sched_challenge_digest(digest, ch->text);
		if (decc_eth_recover_digest(&signer, digest, sig, 65) == 0 &&
		    decc_address_eq(&signer, w)) {
			ch->expiry = 0; /* one use */
			r = 0;
		}
		break;
	}
	if (r == 0) {
		for (size_t i = 0; i < h->ntokens && !slot; i++)
			if (h->tokens[i].expiry <= now)
				slot = &h->tokens[i];
		if (!slot && h->ntokens < MAX_SESSIONS)
			slot = &h->tokens[h->ntokens++];
		if (slot) {
			decc_hex_encode(slot->text, rnd, 32, false);
			slot->wallet = *w;
			slot->expiry = now + TOKEN_TTL;
			memcpy(out, slot->text, 65);
		} else {
			r = decc_error_set(DECC_EBUSY, "too many sessions, try later");
		}
	} else {
		decc_error_set(r, "login refused: no valid challenge signed by this wallet");
	}
	pthread_mutex_unlock(&h->lock);
	decc_wipe(rnd, sizeof(rnd));
	return r;
}

static bool authenticate(struct sched_http *h, struct decc_http_req *c, decc_address *w)
{
	const char *v = decc_http_req_header(c, "Authorization");
	uint64_t now = wall_now();
	bool ok = false;

	if (!v || strncmp(v, "Bearer ", 7) != 0 || strlen(v + 7) != 64)
		return false;
	pthread_mutex_lock(&h->lock);
	for (size_t i = 0; i < h->ntokens; i++)
		if (h->tokens[i].expiry > now && decc_ct_equal(h->tokens[i].text, v + 7, 64)) {
			*w = h->tokens[i].wallet;
			ok = true;
			break;
		}
	pthread_mutex_unlock(&h->lock);
	return ok;
}

/* ---- handlers ---- */
static int auth_json(struct decc_http_req *c, const struct sched_auth *a, const char *extra)
{
	char task[67], deal[67], w[43], ch[43], sig[133], body[768];

	decc_hex_encode(task, a->task, 32, true);
	decc_hex_encode(deal, a->deal, 32, true);
	decc_hex_encode(w, a->worker.b, 20, true);
	decc_hex_encode(ch, a->challenge.b, 20, true);
	decc_hex_encode(sig, a->sig, 65, true);
	snprintf(body, sizeof(body),
		 "{\"workerpoolAuthorization\":{\"chainTaskId\":\"%s\",\"dealId\":\"%s\","
		 "\"taskIndex\":%llu,\"workerWallet\":\"%s\",\"enclaveChallenge\":\"%s\","
		 "\"signature\":{\"value\":\"%s\"}},\"tee\":%s%s}",
		 task, deal, (unsigned long long)a->idx, w, ch, sig, a->tee ? "true" : "false",
		 extra);
	return reply(c, 200, "application/json", body);
}

static bool parse_task(uint8_t out[32], const char *s, size_t n)
{
	char tmp[67];

	if (n != 66)
		return false;
	memcpy(tmp, s, 66);
	tmp[66] = 0;
	return decc_hex_decode_exact(out, 32, tmp) == 0;
}

static int replicate_route(struct sched_http *h, struct decc_http_req *c, const char *method,
			   const char *rest, struct req *rq, const decc_address *w)
{
	const char *slash = strchr(rest, '/');
	uint8_t task[32];
	int notice, code;

	if (!slash || !parse_task(task, rest, (size_t)(slash - rest)))
		return send_error(c, 404, "no such route");
	slash++;
	if (strcmp(method, "POST") == 0 && strcmp(slash, "updateStatus") == 0) {
		struct sched_update u;
		int r;

		sched_update_init(&u);
		if (sched_parse_update(&u, rq->body, rq->len) < 0) {
			r = send_error(c, 400, decc_error_last());
		} else if (sched_update_status(h->s, &code, &notice, task, w, &u, chain_now(h)) <
			   0) {
			r = send_error(c, 500, decc_error_last());
		} else {
			r = send_notice(c, (unsigned)code, notice);
		}
		sched_update_release(&u);
		return r;
	}
	if (strcmp(method, "GET") == 0 && strcmp(slash, "next") == 0) {
		int r = sched_next(h->s, &notice, task, w);

		if (r == DECC_ENOTFOUND)
			return send_notice(c, 404, N_PLEASE_ABORT);
		if (r < 0)
			return send_error(c, 500, decc_error_last());
		return send_notice(c, 200, notice);
	}
	if (strcmp(method, "GET") == 0 && strcmp(slash, "authorization") == 0) {
		struct sched_auth a;
		int r = sched_authorization(h->s, &a, task, w);

		if (r == DECC_ENOTFOUND)
			return send_error(c, 404, decc_error_last());
		if (r < 0)
			return send_error(c, 500, decc_error_last());
		return auth_json(c, &a, "");
	}
	return send_error(c, 404, "no such route");
}

static int route(struct sched_http *h, struct decc_http_req *c, const char *url, const char *method,
		 struct req *rq)
{
	bool get = strcmp(method, "GET") == 0, post = strcmp(method, "POST") == 0;
	decc_address w;

	if (get && strcmp(url, "/version") == 0)
		return reply(c, 200, "text/plain", "decc-scheduler " DECC_VERSION);
	if (get && strcmp(url, "/healthz") == 0)
		return reply(c, 200, "text/plain", "ok\n");
	if (get && strcmp(url, "/workers/config") == 0)
		return reply(c, 200, "application/json", h->config_json);
	if (get && strncmp(url, "/tasks/", 7) == 0) {
		uint8_t task[32];
		struct decc_buf b = DECC_BUF_INIT;
		int r;
		int e;

		if (!parse_task(task, url + 7, strlen(url + 7)))
			return send_error(c, 400, "expected /tasks/0x<64 hex digits>");
		e = sched_task_json(h->s, &b, task);
		if (e == DECC_ENOTFOUND)
			r = send_error(c, 404, decc_error_last());
		else if (e < 0)
			r = send_error(c, 500, decc_error_last());
		else
			r = reply(c, 200, "application/json", decc_buf_str(&b));
		decc_buf_release(&b);
		return r;
	}
	if ((get && strcmp(url, "/workers/challenge") == 0) ||
	    (post && strcmp(url, "/workers/login") == 0)) {
		const char *a = decc_http_req_query(c, "walletAddress");
		char text[65];
		uint8_t sig[65];

		if (!a || decc_address_parse(&w, a) < 0)
			return send_error(c, 400, "walletAddress=0x<40 hex digits> is required");
		if (get) {
			if (new_challenge(h, text, &w) < 0)
				return send_error(c, 503, decc_error_last());
			return reply(c, 200, "text/plain", text);
		}
		if (sched_parse_signature(sig, rq->body, rq->len) < 0)
			return send_error(c, 400, decc_error_last());
		if (login(h, text, &w, sig) < 0)
			return send_error(c, 401, decc_error_last());
		if (sched_ping(h->s, &w, wall_now()) < 0)
			return send_error(c, 500, decc_error_last());
		return reply(c, 200, "text/plain", text);
	}
	if (!authenticate(h, c, &w))
		return send_error(c, 401, "missing, unknown or expired bearer token: log in again");
	if (post && strcmp(url, "/workers/ping") == 0) {
		if (sched_ping(h->s, &w, wall_now()) < 0)
			return send_error(c, 500, decc_error_last());
		return reply(c, 200, "text/plain", h->instance);
	}
	if (post && strcmp(url, "/workers/register") == 0) {
		uint64_t slots;
		bool tee;

		if (sched_parse_register(&slots, &tee, rq->body, rq->len) < 0)
			return send_error(c, 400, decc_error_last());
		if (sched_register(h->s, &w, slots, tee, wall_now()) < 0)
			return send_error(c, 500, decc_error_last());
		return reply(c, 200, "application/json", "{}");
	}
	if (get && strcmp(url, "/replicates/available") == 0) {
		struct sched_auth a;
		int r = sched_assign(h->s, &a, &w, chain_now(h), wall_now());

		if (r == DECC_ENOTFOUND)
			return reply(c, 204, NULL, "");
		if (r < 0)
			return send_error(c, 500, decc_error_last());
		return auth_json(c, &a, "");
	}
	if (strncmp(url, "/replicates/", 12) == 0)
		return replicate_route(h, c, method, url + 12, rq, &w);
	return send_error(c, 404, "no such route");
}

/* Bodies up to SCHED_MAX_BODY; a larger one is refused by handler() (its error shape). */
static int begin(void *cls, struct decc_http_req *c)
{
	(void)cls;
	decc_http_req_body_limit(c, SCHED_MAX_BODY, DECC_HTTP_BODY_OVERFLOW_TO_HANDLER);
	return 0;
}

static int handler(void *cls, struct decc_http_req *c)
{
	struct sched_http *h = cls;
	struct req rq;

	if (decc_http_req_body_too_large(c))
		return send_error(c, 413, "request body too large");
	rq.body = (const char *)decc_http_req_body(c, &rq.len);
	return route(h, c, decc_http_req_path(c), decc_http_req_method(c), &rq);
}

int sched_http_start(struct sched_http **out, struct sched *s, const char *host, uint16_t port,
		     const char *config_json)
{
	struct sched_http *h = calloc(1, sizeof(*h));
	struct sockaddr_in sa = { 0 };
	struct decc_http_server_opts o = { 0 };
	uint8_t rnd[32];

	if (!h)
		return decc_error_set(DECC_ENOMEM, "out of memory starting the HTTP API");
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
		free(h);
		return decc_error_set(DECC_EINVAL, "listen address '%s' is not an IPv4 address",
				      host);
	}
	h->s = s;
	h->config_json = strdup(config_json);
	if (!h->config_json || decc_random_bytes(rnd, sizeof(rnd)) < 0 ||
	    pthread_mutex_init(&h->lock, NULL) != 0) {
		free(h->config_json);
		free(h);
		return decc_error_set(DECC_ENOMEM, "cannot set up the HTTP API");
	}
	decc_hex_encode(h->instance, rnd, 32, true);
	o.addr = (struct sockaddr *)&sa;
	o.addrlen = sizeof(sa);
	o.max_connections = 256;
	o.idle_timeout_s = 30;
	o.stack_size = (size_t)2 << 20; /* handlers reach SQLite and the chain client */
	o.max_body = SCHED_MAX_BODY;
	o.begin = begin;
	o.handle = handler;
	o.ctx = h;
	if (decc_http_server_start(&h->http, &o) < 0) {
		pthread_mutex_destroy(&h->lock);
		free(h->config_json);
		free(h);
		return decc_error_set(DECC_ERROR,
				      "cannot listen on %s:%u (port in use? choose another "
				      "--listen)",
				      host, port);
	}
	*out = h;
	return 0;
}

void sched_http_stop(struct sched_http *h)
{
	if (!h)
		return;
	decc_http_server_stop(h->http);
	pthread_mutex_destroy(&h->lock);
	free(h->config_json);
	free(h);
}
