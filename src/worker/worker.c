/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The worker daemon: login (signed challenge), register, ping, pull work; one thread per task
 * with its own chain client: verify the authorization, read the deal and the app, prepare the
 * inputs, run the app through the runner, compute the result digest, contribute, reveal when
 * asked, report every status to the scheduler.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "decc/chain.h"
#include "decc/crypto.h"
#include "decc/error.h"
#include "decc/file.h"
#include "decc/hex.h"
#include "decc/http_client.h"
#include "decc/result.h"
#include "decc/store.h"
#include "decc/worker.h"

#define MAX_ANSWER (1 << 20)

struct worker {
	const struct decc_worker_config *cfg;
	volatile sig_atomic_t *stop;
	decc_worker_log_fn log;
	void *log_ctx;
	decc_address me, pool, hub;
	char me_hex[43];
	char rpc[512];
	char store[512];
	unsigned ping_s, ask_ms;
	pthread_mutex_t lock;
	char token[80];
	unsigned running;
	bool slot_freed; /* a task ended: ask for work now (under lock) */
};

struct job {
	struct worker *w;
	uint8_t task[32];
	uint8_t deal[32];
	uint64_t idx;
	decc_address challenge;
	uint8_t auth_sig[65];
	bool tee;
};

static void wlog(struct worker *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void wlog(struct worker *w, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (!w->log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	w->log(w->log_ctx, line);
}

static void nap(struct worker *w, unsigned ms)
{
	while (ms && !*w->stop) {
		unsigned step = ms > 50 ? 50 : ms;
		struct timespec ts = { 0, (long)step * 1000000L };

		nanosleep(&ts, NULL);
		ms -= step;
	}
}

/* The pause between two asks for work, cut short when a task ends and frees a slot. */
static void nap_ask(struct worker *w)
{
	for (unsigned left = w->ask_ms; left && !*w->stop;) {
		unsigned step = left > 10 ? 10 : left;
		struct timespec ts = { 0, (long)step * 1000000L };
		bool freed;

		nanosleep(&ts, NULL);
		left -= step;
		pthread_mutex_lock(&w->lock);
		freed = w->slot_freed;
		w->slot_freed = false;
		pthread_mutex_unlock(&w->lock);
		if (freed)
			return;
	}
}

/* ---- HTTP to the scheduler ---- */
static int http_raw(struct worker *w, long *status, struct decc_buf *out, const char *method,
		    const char *path, const char *body, bool auth)
{
	char url[1024], bearer[128];
	const char *hdr[3] = { "Content-Type: application/json", NULL, NULL };
	bool post = strcmp(method, "POST") == 0;
	struct decc_http_request q = {
		.method = method,
		.url = url,
		.headers = hdr,
		.body = post && body ? body : NULL,
		.body_len = post && body ? strlen(body) : 0,
		.out = out,
		.connect_timeout_ms = 5000,
		.timeout_ms = 60000,
	};
	struct decc_http_response resp;
	int r;

	snprintf(url, sizeof(url), "%s%s", w->cfg->scheduler_url, path);
	if (auth) {
		pthread_mutex_lock(&w->lock);
		snprintf(bearer, sizeof(bearer), "Authorization: Bearer %s", w->token);
		pthread_mutex_unlock(&w->lock);
		hdr[1] = bearer;
	}
	r = decc_http_request(&resp, &q);
	if (r < 0) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", decc_error_last());
		return decc_error_set(DECC_ERROR, "scheduler %s: %s", url, msg);
	}
	*status = resp.status;
	decc_http_response_clear(&resp);
	return 0;
}

/* web3j's lenient hex decoding of the challenge, then keccak (offchain.md §2.4). */
static void challenge_digest(uint8_t out[32], const char *s)
{
	struct decc_keccak k;
	size_t len, i = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	len = strlen(s);
	decc_keccak_init(&k);
	if (len % 2) {
		uint8_t b = (uint8_t)decc_hex_digit(s[0]);

		decc_keccak_update(&k, &b, 1);
		i = 1;
	}
	for (; i + 1 < len; i += 2) {
		uint8_t b = (uint8_t)(decc_hex_digit(s[i]) * 16 + decc_hex_digit(s[i + 1]));

		decc_keccak_update(&k, &b, 1);
	}
	decc_keccak_final(&k, out);
}

static int login(struct worker *w)
{
	struct decc_buf b;
	char path[256], body[160], sigh[133];
	uint8_t d[32], sig[65];
	long st = 0;
	int r;

	decc_buf_init(&b, 4096);
	snprintf(path, sizeof(path), "/workers/challenge?walletAddress=%s", w->me_hex);
	r = http_raw(w, &st, &b, "GET", path, NULL, false);
	if (r == 0 && st != 200)
		r = decc_error_set(DECC_EAUTH, "challenge refused (HTTP %ld): %s", st,
				   decc_buf_str(&b));
	if (r == 0) {
		challenge_digest(d, decc_buf_str(&b));
		r = decc_eth_sign_digest(sig, d, w->cfg->sk);
	}
	if (r == 0) {
		decc_hex_encode(sigh, sig, 65, true);
		snprintf(body, sizeof(body), "{\"value\":\"%s\"}", sigh);
		snprintf(path, sizeof(path), "/workers/login?walletAddress=%s", w->me_hex);
		decc_buf_reset(&b);
		r = http_raw(w, &st, &b, "POST", path, body, false);
	}
	if (r == 0 && (st != 200 || b.len == 0 || b.len >= sizeof(w->token)))
		r = decc_error_set(DECC_EAUTH, "login refused (HTTP %ld): %s", st,
				   decc_buf_str(&b));
	if (r == 0) {
		pthread_mutex_lock(&w->lock);
		snprintf(w->token, sizeof(w->token), "%s", decc_buf_str(&b));
		pthread_mutex_unlock(&w->lock);
	}
	decc_buf_release(&b);
	return r;
}

/* An authenticated call; a 401 logs in again once. */
static int http(struct worker *w, long *status, struct decc_buf *out, const char *method,
		const char *path, const char *body)
{
	DECC_TRY(http_raw(w, status, out, method, path, body, true));
	if (*status != 401)
		return 0;
	DECC_TRY(login(w));
	decc_buf_reset(out);
	return http_raw(w, status, out, method, path, body, true);
}

static int do_register(struct worker *w)
{
	struct decc_buf b;
	char body[160];
	long st = 0;
	int r;

	decc_buf_init(&b, 4096);
	snprintf(body, sizeof(body), "{\"name\":\"decc-worker\",\"cpuNb\":%u,\"teeEnabled\":%s}",
		 w->cfg->slots ? w->cfg->slots : 1, w->cfg->tee_runner ? "true" : "false");
	r = http(w, &st, &b, "POST", "/workers/register", body);
	if (r == 0 && st != 200)
		r = decc_error_set(DECC_ERROR, "register refused (HTTP %ld): %s", st,
				   decc_buf_str(&b));
	decc_buf_release(&b);
	return r;
}

/* ---- status reports ---- */
static int json_escape(struct decc_buf *b, const char *s)
{
	int e = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			e |= decc_buf_appendf(b, "\\%c", c);
		else if (c < 0x20)
			e |= decc_buf_appendf(b, "\\u%04x", c);
		else
			e |= decc_buf_append_byte(b, c);
	}
	return e;
}

struct details {
	const char *cause;
	const char *error;
	const char *callback_data;
	const char *result_link;
	bool has_exit;
	int exit_code;
	const char *out_tail, *err_tail;
};

/*
 * Report a status; *notice gets the answer (e.g. "PLEASE_CONTRIBUTE"). Retried until the
 * scheduler answers or the worker stops.
 */
static int report(struct job *j, char notice[48], const char *status, const struct details *d)
{
	struct worker *w = j->w;
	struct decc_buf body = DECC_BUF_INIT, ans;
	char path[160], tid[67];
	long st = 0;
	int r, e = 0;

	decc_buf_init(&ans, 4096);
	decc_hex_encode(tid, j->task, 32, true);
	snprintf(path, sizeof(path), "/replicates/%s/updateStatus", tid);
	e |= decc_buf_appendf(&body, "{\"status\":\"%s\",\"modifier\":\"WORKER\",\"details\":{",
			      status);
	if (d && d->cause)
		e |= decc_buf_appendf(&body, "\"cause\":\"%s\",", d->cause);
	if (d && d->error) {
		e |= decc_buf_append_str(&body, "\"errorMessage\":\"");
		e |= json_escape(&body, d->error);
		e |= decc_buf_append_str(&body, "\",");
	}
	if (d && d->callback_data)
		e |= decc_buf_appendf(&body, "\"chainCallbackData\":\"%s\",", d->callback_data);
	if (d && d->result_link) {
		e |= decc_buf_append_str(&body, "\"resultLink\":\"");
		e |= json_escape(&body, d->result_link);
		e |= decc_buf_append_str(&body, "\",");
	}
	if (d && d->has_exit)
		e |= decc_buf_appendf(&body, "\"exitCode\":%d,", d->exit_code);
	if (d && (d->out_tail || d->err_tail)) {
		e |= decc_buf_appendf(
		    &body, "\"computeLogs\":{\"walletAddress\":\"%s\",\"stdout\":\"", w->me_hex);
		e |= json_escape(&body, d->out_tail ? d->out_tail : "");
		e |= decc_buf_append_str(&body, "\",\"stderr\":\"");
		e |= json_escape(&body, d->err_tail ? d->err_tail : "");
		e |= decc_buf_append_str(&body, "\"},");
	}
	if (body.data[body.len - 1] == ',')
		body.data[--body.len] = 0;
	r = e | decc_buf_append_str(&body, "}}");
	while (r == 0 && !*w->stop) {
		decc_buf_reset(&ans);
		r = http(w, &st, &ans, "POST", path, decc_buf_str(&body));
		if (r == 0 && st >= 200 && st < 300)
			break;
		wlog(w, "task %s: reporting %s failed (%s), retrying", tid, status,
		     r < 0 ? decc_error_last() : decc_buf_str(&ans));
		r = 0;
		nap(w, 1000);
	}
	if (r == 0 && *w->stop)
		r = decc_error_set(DECC_EAGAIN, "stopping");
	if (r == 0) {
		json_t *v = json_loadb(decc_buf_str(&ans), ans.len, JSON_DECODE_ANY, NULL);

		snprintf(notice, 48, "%s",
			 json_is_string(v) ? json_string_value(v) : "PLEASE_CONTINUE");
		json_decref(v);
		wlog(w, "task %s: %s -> %s", tid, status, notice);
	}
	decc_buf_release(&body);
	decc_buf_release(&ans);
	return r;
}

static int next_action(struct job *j, char notice[48])
{
	struct decc_buf ans;
	char path[160], tid[67];
	long st = 0;
	int r;

	decc_buf_init(&ans, 4096);
	decc_hex_encode(tid, j->task, 32, true);
	snprintf(path, sizeof(path), "/replicates/%s/next", tid);
	r = http(j->w, &st, &ans, "GET", path, NULL);
	if (r == 0) {
		json_t *v = json_loadb(decc_buf_str(&ans), ans.len, JSON_DECODE_ANY, NULL);

		snprintf(notice, 48, "%s", json_is_string(v) ? json_string_value(v) : "");
		json_decref(v);
		if (!notice[0])
			r = decc_error_set(DECC_EINVAL, "scheduler answered HTTP %ld: %s", st,
					   decc_buf_str(&ans));
	}
	decc_buf_release(&ans);
	return r;
}

/* ---- the task ---- */
static char *tail_of(const char *path, size_t max)
{
	struct decc_buf b = DECC_BUF_INIT;
	FILE *f = fopen(path, "rb");
	long size;
	char *s = NULL;
	size_t len;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0) {
		if ((size_t)size > max)
			(void)fseek(f, size - (long)max, SEEK_SET);
		else
			rewind(f);
	}
	char buf[4096];
	size_t n;

	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		if (decc_buf_append(&b, buf, n) < 0)
			break;
	fclose(f);
	s = (char *)decc_buf_detach(&b, &len);
	return s;
}

struct params {
	char *args;
	json_t *inputs; /* array of URLs or NULL */
};

static void params_parse(struct params *p, const char *text)
{
	json_t *o = json_loads(text ? text : "", 0, NULL);

	memset(p, 0, sizeof(*p));
	if (o && json_is_object(o)) {
		json_t *a = json_object_get(o, "iexec_args"), *in;

		p->args = strdup(json_is_string(a) ? json_string_value(a) : "");
		in = json_object_get(o, "iexec_input_files");
		if (json_is_array(in) && json_array_size(in))
			p->inputs = json_incref(in);
	} else {
		p->args = strdup(text ? text : "");
	}
	json_decref(o);
}

/* Only a 200's body reaches the file. */
static int download_write(void *ctx, const struct decc_http_response *r, const uint8_t *p, size_t n)
{
	if (r->status != 200)
		return 0;
	if (fwrite(p, 1, n, ctx) != n)
		return decc_error_set(DECC_ERROR, "cannot write: %s", strerror(errno));
	return 0;
}

static int download(const char *url, const char *path)
{
	FILE *f = fopen(path, "wb");
	struct decc_http_request q = {
		.url = url,
		.on_body = download_write,
		.body_ctx = f,
		.timeout_ms = 600000,
		.max_redirects = 20,
		.no_reuse = true,
	};
	struct decc_http_response resp;
	char msg[512] = "";
	int r, st = 0;

	if (!f)
		return decc_error_set(DECC_ERROR, "download of %s failed: %s: %s", url, path,
				      strerror(errno));
	r = decc_http_request(&resp, &q);
	if (r < 0)
		snprintf(msg, sizeof(msg), "%s", decc_error_last());
	else
		st = resp.status;
	decc_http_response_clear(&resp);
	if (fclose(f) != 0 && r == 0) {
		r = DECC_ERROR;
		snprintf(msg, sizeof(msg), "cannot write %.300s: %s", path, strerror(errno));
	}
	if (r < 0 || st != 200) {
		unlink(path);
		return decc_error_set(DECC_ERROR, "download of %s failed: %s (HTTP %d)", url,
				      r < 0 ? msg : "No error", st);
	}
	return 0;
}

/* Offchain.md §1.5: a download failure the replicas can still agree on. */
static int write_error_result(const char *out_dir, const char *cause, const char *msg)
{
	char path[4096], text[1024];

	snprintf(text, sizeof(text),
		 "[IEXEC] Errors occurred while computing the task [error:%s, causes:%s]", msg,
		 cause);
	snprintf(path, sizeof(path), "%s/error.txt", out_dir);
	DECC_TRY(decc_file_write_atomic(path, text, strlen(text), 0644, DECC_FILE_REPLACE));
	snprintf(path, sizeof(path), "%s/computed.json", out_dir);
	snprintf(text, sizeof(text), "{\"deterministic-output-path\":\"/iexec_out/error.txt\"}");
	return decc_file_write_atomic(path, text, strlen(text), 0644, DECC_FILE_REPLACE);
}

struct taskctx {
	struct job *j;
	struct decc_chain *c;
	struct decc_chain_deal deal;
	struct decc_chain_app app;
	struct params params;
	uint64_t timeref;
	char dir[4000], in[4100], out[4100];
	uint8_t digest[32];
	char *callback_data;
	bool have_digest;
};

static int verify_authorization(struct taskctx *t)
{
	struct job *j = t->j;
	uint8_t pre[72], h[32];
	decc_address signer, owner;

	memcpy(pre, j->w->me.b, 20);
	memcpy(pre + 20, j->task, 32);
	memcpy(pre + 52, j->challenge.b, 20);
	decc_keccak256(h, pre, sizeof(pre));
	DECC_TRY(decc_eip191_recover(&signer, h, 32, j->auth_sig, 65));
	DECC_TRY(decc_chain_owner(t->c, &owner, &j->w->pool));
	if (!decc_address_eq(&signer, &owner))
		return decc_error_set(DECC_EAUTH,
				      "the authorization is not signed by the workerpool owner");
	return 0;
}

static void env_add(char **env, size_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void env_add(char **env, size_t *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&env[*n], fmt, ap) >= 0)
		(*n)++;
	va_end(ap);
}

static int compute(struct taskctx *t, const char **cause, struct details *d, char **out_tail,
		   char **err_tail)
{
	char **args = NULL, *env[64] = { 0 }, tid[67], did[67], ds[43], so[4200], se[4200];
	size_t nargs, ne = 0, nin = t->params.inputs ? json_array_size(t->params.inputs) : 0;
	struct decc_worker_run_result res;
	struct decc_worker_job job = { 0 };
	int r;

	*cause = "APP_COMPUTE_FAILED";
	r = decc_worker_split_args(&args, &nargs, t->params.args);
	if (r < 0) {
		*cause = "TASK_DESCRIPTION_INVALID";
		return r;
	}
	decc_hex_encode(tid, t->j->task, 32, true);
	decc_hex_encode(did, t->j->deal, 32, true);
	decc_address_to_checksum(ds, &t->deal.dataset.pointer);
	env_add(env, &ne, "IEXEC_DEAL_ID=%s", did);
	env_add(env, &ne, "IEXEC_TASK_INDEX=%llu", (unsigned long long)t->j->idx);
	env_add(env, &ne, "IEXEC_TASK_ID=%s", tid);
	env_add(env, &ne, "IEXEC_IN=/iexec_in");
	env_add(env, &ne, "IEXEC_OUT=/iexec_out");
	env_add(env, &ne, "IEXEC_BOT_SIZE=%llu", (unsigned long long)t->deal.bot_size);
	env_add(env, &ne, "IEXEC_BOT_FIRST_INDEX=%llu", (unsigned long long)t->deal.bot_first);
	env_add(env, &ne, "IEXEC_BOT_TASK_INDEX=%llu", (unsigned long long)t->j->idx);
	if (!decc_address_is_zero(&t->deal.dataset.pointer)) {
		env_add(env, &ne, "IEXEC_DATASET_ADDRESS=%s", ds);
		env_add(env, &ne, "IEXEC_DATASET_FILENAME=%s", ds);
	}
	env_add(env, &ne, "IEXEC_INPUT_FILES_NUMBER=%zu", nin);
	if (nin)
		env_add(env, &ne, "IEXEC_INPUT_FILES_FOLDER=/iexec_in");
	for (size_t i = 0; i < nin && ne + 2 < DECC_ARRAY_SIZE(env); i++) {
		const char *url = json_string_value(json_array_get(t->params.inputs, i));
		uint8_t h[32];
		char hx[67];

		decc_sha256(h, url, strlen(url));
		decc_hex_encode(hx, h, 32, true);
		env_add(env, &ne, "IEXEC_INPUT_FILE_NAME_%zu=%s", i + 1, hx);
	}
	snprintf(so, sizeof(so), "%s/stdout.log", t->dir);
	snprintf(se, sizeof(se), "%s/stderr.log", t->dir);
	job.app_multiaddr = (const char *)t->app.multiaddr.data;
	job.app_checksum = t->app.checksum;
	job.args = (const char *const *)args;
	job.args_text = t->params.args;
	job.store_url = t->j->w->store[0] ? t->j->w->store : NULL;
	job.env = (const char *const *)env;
	job.in_dir = t->in;
	job.out_dir = t->out;
	job.stdout_path = so;
	job.stderr_path = se;
	job.timeout_s = t->timeref;
	r = t->j->w->cfg->runner->run(t->j->w->cfg->runner->ctx, &res, &job);
	decc_worker_strv_free(args);
	for (size_t i = 0; i < ne; i++)
		free(env[i]);
	if (r < 0)
		return r;
	*out_tail = tail_of(so, 4000);
	*err_tail = tail_of(se, 4000);
	d->has_exit = true;
	d->exit_code = res.exit_code;
	d->out_tail = *out_tail;
	d->err_tail = *err_tail;
	if (res.timed_out) {
		*cause = "APP_COMPUTE_TIMEOUT";
		return decc_error_set(DECC_EAGAIN, "the app ran out of time (%llu s)",
				      (unsigned long long)t->timeref);
	}
	if (res.exit_code != 0)
		return decc_error_set(DECC_ERROR, "the app exited with code %d", res.exit_code);
	return 0;
}

/* computed.json -> result digest (offchain.md §1.4), with the 31-byte name rule. */
static int result_digest(struct taskctx *t, const char **cause)
{
	struct decc_buf b = DECC_BUF_INIT;
	struct decc_result_computed cf;
	char path[4200];
	bool callback = !decc_address_is_zero(&t->deal.callback);
	int r;

	*cause = "DETERMINISM_HASH_NOT_FOUND";
	snprintf(path, sizeof(path), "%s/computed.json", t->out);
	r = decc_file_read(&b, path, DECC_RESULT_COMPUTED_MAX);
	if (r < 0)
		return decc_error_wrap(r, "the app wrote no computed.json");
	r = decc_result_computed_parse(&cf, decc_buf_str(&b), b.len);
	decc_buf_release(&b);
	if (r < 0)
		return r;
	r = decc_result_check_names(t->out);
	if (r < 0) {
		*cause = "POST_COMPUTE_TOO_LONG_RESULT_FILE_NAME";
	} else {
		r = decc_result_digest(t->digest, t->out, &cf, callback);
		if (r == 0 && callback && cf.callback_data)
			t->callback_data = strdup(cf.callback_data);
	}
	decc_result_computed_release(&cf);
	return r;
}

static int contribute(struct taskctx *t, const char **cause)
{
	struct job *j = t->j;
	uint8_t rh[32], rs[32], pre[84], zero_sign[32] = { 0 };
	decc_u256 stake, locked;
	struct decc_chain_task ct;
	uint64_t ws;

	*cause = "CHAIN_UNREACHABLE";
	DECC_TRY(decc_chain_view_task(t->c, &ct, j->task));
	bool active = ct.status == DECC_TASK_ACTIVE;
	bool already = false;

	for (size_t i = 0; i < ct.n_contributors; i++)
		already |= decc_address_eq(&ct.contributors[i], &j->w->me);
	decc_chain_task_release(&ct);
	if (!active) {
		*cause = "TASK_NOT_ACTIVE";
		return decc_error_set(DECC_EINVAL, "the task is not ACTIVE on chain");
	}
	if (already) {
		*cause = "CONTRIBUTION_ALREADY_SET";
		return decc_error_set(DECC_EEXISTS, "this wallet already contributed");
	}
	DECC_TRY(decc_chain_view_account(t->c, &stake, &locked, &j->w->me));
	if (decc_u256_to_u64(&t->deal.worker_stake, &ws) && ws > 0) {
		decc_u256 need = t->deal.worker_stake;

		if (decc_u256_cmp(&stake, &need) < 0) {
			*cause = "STAKE_TOO_LOW";
			return decc_error_set(
			    DECC_EINVAL, "deposit at least %llu nRLC (the deal's worker stake)",
			    (unsigned long long)ws);
		}
	}
	memcpy(pre, j->task, 32);
	memcpy(pre + 32, t->digest, 32);
	decc_keccak256(rh, pre, 64);
	memcpy(pre, j->w->me.b, 20);
	memcpy(pre + 20, j->task, 32);
	memcpy(pre + 52, t->digest, 32);
	decc_keccak256(rs, pre, 84);
	*cause = "UNKNOWN";
	return decc_chain_contribute(t->c, j->task, rh, rs, &j->challenge, zero_sign,
				     sizeof(zero_sign), j->auth_sig, 65);
}

static int prepare(struct taskctx *t)
{
	struct worker *w = t->j->w;
	struct decc_chain_category cat;
	struct decc_chain_task ct;
	char tid[67];
	int r;

	decc_hex_encode(tid, t->j->task, 32, true);
	snprintf(t->dir, sizeof(t->dir), "%s/%s", w->cfg->work_dir, tid);
	snprintf(t->in, sizeof(t->in), "%s/input", t->dir);
	snprintf(t->out, sizeof(t->out), "%s/output/iexec_out", t->dir);
	DECC_TRY(decc_file_mkdirs(t->in, 0755));
	DECC_TRY(decc_file_mkdirs(t->out, 0777));
	/* the sandboxed app may run under another uid */
	(void)chmod(t->out, 0777);
	DECC_TRY(decc_chain_new(&t->c, w->rpc));
	decc_chain_set_hub(t->c, &w->hub);
	DECC_TRY(decc_chain_set_wallet(t->c, w->cfg->sk));
	DECC_TRY(decc_chain_view_task(t->c, &ct, t->j->task));
	r = ct.status == DECC_TASK_UNSET ? decc_error_set(DECC_ENOTFOUND, "task not initialized")
					 : 0;
	decc_chain_task_release(&ct);
	DECC_TRY(r);
	DECC_TRY(decc_chain_view_deal(t->c, &t->deal, t->j->deal));
	DECC_TRY(decc_chain_view_app(t->c, &t->app, &t->deal.app.pointer));
	uint64_t cid;

	if (!decc_u256_to_u64(&t->deal.category, &cid))
		return decc_error_set(DECC_EINVAL, "bad category");
	DECC_TRY(decc_chain_view_category(t->c, &cat, cid));
	t->timeref = cat.work_clock_time_ref;
	decc_chain_category_release(&cat);
	params_parse(&t->params, t->deal.params);
	return 0;
}

/*
 * Wait for the scheduler's next order on this task: asked again after 10 ms, then twice as
 * long each time up to AWAIT_MAX_MS (most orders follow a step within milliseconds).
 */
#define AWAIT_FIRST_MS 10
#define AWAIT_MAX_MS 1000
static int await(struct job *j, char notice[48])
{
	unsigned wait = AWAIT_FIRST_MS;

	while (!*j->w->stop) {
		if (next_action(j, notice) == 0 && strcmp(notice, "PLEASE_WAIT") != 0 &&
		    strcmp(notice, "PLEASE_CONTINUE") != 0)
			return 0;
		nap(j->w, wait);
		wait = wait * 2 > AWAIT_MAX_MS ? AWAIT_MAX_MS : wait * 2;
	}
	return decc_error_set(DECC_EAGAIN, "stopping");
}

/*
 * Standard tasks: zip /iexec_out, upload it to the store, and give the on-chain result link
 * {"storage":"ipfs","location":"/ipfs/CID"} (offchain.md §5) that decc result pull reads.
 */
static int upload_result(struct taskctx *t, struct decc_buf *link)
{
	char zip[4200], cid[DECC_CID_STR_MAX], loc[DECC_CID_STR_MAX + 8];

	snprintf(zip, sizeof(zip), "%s/iexec_out.zip", t->dir);
	DECC_TRY(decc_result_zip_dir(zip, t->out));
	DECC_TRY(decc_store_client_add(cid, NULL, t->j->w->store, zip, NULL));
	snprintf(loc, sizeof(loc), "/ipfs/%s", cid);
	decc_buf_reset(link);
	return decc_result_link(link, "ipfs", loc);
}

/* Wait for the scheduler's word after a final step, then complete or abort. */
static void finish_replicate(struct job *j, char n[48])
{
	for (;;) {
		if (await(j, n) < 0)
			return;
		if (strcmp(n, "PLEASE_COMPLETE") == 0) {
			if (report(j, n, "COMPLETING", NULL) == 0)
				(void)report(j, n, "COMPLETED", NULL);
			return;
		}
		if (strcmp(n, "PLEASE_ABORT") == 0) {
			(void)report(j, n, "ABORTED", NULL);
			return;
		}
		nap(j->w, 1000);
	}
}

/*
 * A TEE task: the enclave (the TEE runner) downloads, computes and uploads; the worker sends
 * contributeAndFinalize with what it returned (poco.md §3.9), no reveal.
 */
static void run_tee(struct taskctx *t)
{
	struct job *j = t->j;
	const struct decc_worker_runner *rn = j->w->cfg->tee_runner;
	struct decc_worker_run_result res;
	struct decc_worker_job job = { 0 };
	struct decc_tee_authorization auth = { 0 };
	struct details d = { 0 };
	struct decc_buf cb = DECC_BUF_INIT, linkb = DECC_BUF_INIT;
	uint8_t pre[72], h[32], wsig[65];
	const char *loc;
	char n[48], so[4200], se[4200];
	int r;

	memset(&res, 0, sizeof(res));
	memcpy(auth.taskid, j->task, 32);
	memcpy(auth.dealid, j->deal, 32);
	auth.task_index = j->idx;
	auth.worker = j->w->me;
	auth.enclave_challenge = j->challenge;
	memcpy(auth.signature, j->auth_sig, 65);
	memcpy(pre, j->w->me.b, 20);
	memcpy(pre + 20, j->task, 32);
	memcpy(pre + 52, j->challenge.b, 20);
	decc_keccak256(h, pre, sizeof(pre));
	if (decc_eip191_sign(wsig, h, 32, j->w->cfg->sk) < 0) {
		d.cause = "TEE_SESSION_GENERATION_FAILED";
		d.error = decc_error_last();
		(void)report(j, n, "APP_DOWNLOAD_FAILED", &d);
		return;
	}
	job.app_multiaddr = (const char *)t->app.multiaddr.data;
	job.app_checksum = t->app.checksum;
	job.app_image = job.app_multiaddr;
	job.args_text = t->params.args;
	job.store_url = j->w->store[0] ? j->w->store : NULL;
	job.taskid = j->task;
	job.auth = &auth;
	job.worker_signature = wsig;
	job.in_dir = t->in;
	job.out_dir = t->out;
	snprintf(so, sizeof(so), "%s/stdout.log", t->dir);
	snprintf(se, sizeof(se), "%s/stderr.log", t->dir);
	job.stdout_path = so;
	job.stderr_path = se;
	job.timeout_s = t->timeref;
	if (rn->prepare && rn->prepare(rn->ctx, &job) < 0) {
		d.cause = "APP_IMAGE_DOWNLOAD_FAILED";
		d.error = decc_error_last();
		(void)report(j, n, "APP_DOWNLOAD_FAILED", &d);
		return;
	}
	if (report(j, n, "APP_DOWNLOADED", NULL) < 0 || report(j, n, "COMPUTING", NULL) < 0)
		return;
	r = rn->run(rn->ctx, &res, &job);
	if (r < 0 || res.cause[0]) {
		d.cause = res.cause[0] ? res.cause : "APP_COMPUTE_FAILED";
		d.error = res.error[0] ? res.error : decc_error_last();
		d.has_exit = r == 0;
		d.exit_code = res.exit_code;
		(void)report(j, n, "COMPUTE_FAILED", &d);
		goto out;
	}
	d.has_exit = true;
	d.exit_code = res.tee.app_exit;
	if (report(j, n, "COMPUTED", &d) < 0)
		goto out;
	memset(&d, 0, sizeof(d));
	if (strcmp(n, "PLEASE_CONTRIBUTE_AND_FINALIZE") != 0) {
		if (strcmp(n, "PLEASE_ABORT") == 0)
			(void)report(j, n, "ABORTED", NULL);
		goto out;
	}
	if (report(j, n, "CONTRIBUTE_AND_FINALIZE_ONGOING", NULL) < 0)
		goto out;
	/* results: the link {"storage":"ipfs","location":"/ipfs/CID"} of the enclave's upload */
	r = 0;
	if (!res.tee.callback && res.tee.location)
		r = decc_result_link(&linkb, "ipfs", res.tee.location);
	loc = linkb.len ? decc_buf_str(&linkb) : "";
	if (res.tee.callback && res.tee.callback_data)
		r = decc_hex_decode_buf(&cb, res.tee.callback_data, strlen(res.tee.callback_data));
	if (r == 0)
		r = decc_chain_contribute_and_finalize(t->c, j->task, res.tee.result_digest,
						       (const uint8_t *)loc, strlen(loc), cb.data,
						       cb.len, &res.tee.enclave_challenge,
						       res.tee.enclave_sign, 65, j->auth_sig, 65);
	if (r < 0) {
		d.cause = "CHAIN_UNREACHABLE";
		if (decc_error_code() == DECC_EREVERT)
			d.cause = "CHAIN_RECEIPT_NOT_VALID";
		d.error = decc_error_last();
		(void)report(j, n, "CONTRIBUTE_AND_FINALIZE_FAILED", &d);
		goto out;
	}
	d.result_link = loc;
	d.callback_data = res.tee.callback ? res.tee.callback_data : NULL;
	if (report(j, n, "CONTRIBUTE_AND_FINALIZE_DONE", &d) < 0)
		goto out;
	finish_replicate(j, n);
out:
	decc_buf_release(&cb);
	decc_buf_release(&linkb);
	decc_tee_result_release(&res.tee);
}

static void run_task(struct job *j)
{
	struct worker *w = j->w;
	struct taskctx t = { 0 };
	struct details d = { 0 };
	char n[48], tid[67], *ot = NULL, *et = NULL;
	const char *cause = NULL;
	bool contribute_anyway = false;
	struct decc_buf link = DECC_BUF_INIT;

	t.j = j;
	decc_hex_encode(tid, j->task, 32, true);
	if (report(j, n, "STARTING", NULL) < 0)
		goto done;
	if (j->tee && !w->cfg->tee_runner) {
		d.cause = "TEE_NOT_SUPPORTED";
		d.error = "this worker has no TEE runner (the enclave is not available yet)";
		(void)report(j, n, "START_FAILED", &d);
		goto done;
	}
	if (prepare(&t) < 0 || verify_authorization(&t) < 0) {
		d.cause = "TASK_DESCRIPTION_NOT_FOUND";
		d.error = decc_error_last();
		if (decc_error_code() == DECC_EAUTH)
			d.cause = "WORKERPOOL_AUTHORIZATION_NOT_FOUND";
		(void)report(j, n, "START_FAILED", &d);
		goto done;
	}
	if (report(j, n, "STARTED", NULL) < 0 || report(j, n, "APP_DOWNLOADING", NULL) < 0)
		goto done;
	if (j->tee) {
		run_tee(&t);
		goto done;
	}
	struct decc_worker_job probe = { .app_multiaddr = (const char *)t.app.multiaddr.data,
					 .app_checksum = t.app.checksum,
					 .store_url = w->store[0] ? w->store : NULL };
	if (w->cfg->runner->prepare && w->cfg->runner->prepare(w->cfg->runner->ctx, &probe) < 0) {
		d.cause = "APP_IMAGE_DOWNLOAD_FAILED";
		d.error = decc_error_last();
		(void)write_error_result(t.out, d.cause, d.error);
		if (report(j, n, "APP_DOWNLOAD_FAILED", &d) < 0)
			goto done;
		contribute_anyway = strcmp(n, "PLEASE_CONTRIBUTE") == 0;
		if (!contribute_anyway)
			goto done;
	} else if (report(j, n, "APP_DOWNLOADED", NULL) < 0) {
		goto done;
	}
	if (!contribute_anyway &&
	    (!decc_address_is_zero(&t.deal.dataset.pointer) || t.params.inputs)) {
		if (report(j, n, "DATA_DOWNLOADING", NULL) < 0)
			goto done;
		if (!decc_address_is_zero(&t.deal.dataset.pointer)) {
			d.cause = "DATASET_FILE_DOWNLOAD_FAILED";
			d.error = "datasets are encrypted: they are processed by TEE tasks only";
		}
		for (size_t i = 0; !d.cause && i < json_array_size(t.params.inputs); i++) {
			const char *url = json_string_value(json_array_get(t.params.inputs, i));
			uint8_t h[32];
			char hx[67], path[4200];

			if (!url) {
				d.cause = "INPUT_FILES_DOWNLOAD_FAILED";
				d.error = "an input file is not a URL string";
				break;
			}
			decc_sha256(h, url, strlen(url));
			decc_hex_encode(hx, h, 32, true);
			snprintf(path, sizeof(path), "%s/%s", t.in, hx);
			if (download(url, path) < 0) {
				d.cause = "INPUT_FILES_DOWNLOAD_FAILED";
				d.error = decc_error_last();
			}
		}
		if (d.cause) {
			(void)write_error_result(t.out, d.cause, d.error);
			if (report(j, n, "DATA_DOWNLOAD_FAILED", &d) < 0)
				goto done;
			contribute_anyway = strcmp(n, "PLEASE_CONTRIBUTE") == 0;
			if (!contribute_anyway)
				goto done;
		} else if (report(j, n, "DATA_DOWNLOADED", NULL) < 0) {
			goto done;
		}
	}
	memset(&d, 0, sizeof(d));
	if (!contribute_anyway) {
		if (report(j, n, "COMPUTING", NULL) < 0)
			goto done;
		if (compute(&t, &cause, &d, &ot, &et) < 0 || result_digest(&t, &cause) < 0) {
			d.cause = cause;
			d.error = decc_error_last();
			(void)report(j, n, "COMPUTE_FAILED", &d);
			goto done;
		}
		if (report(j, n, "COMPUTED", &d) < 0)
			goto done;
		if (strcmp(n, "PLEASE_CONTRIBUTE") != 0) {
			if (strcmp(n, "PLEASE_ABORT") == 0)
				(void)report(j, n, "ABORTED", NULL);
			goto done;
		}
	} else if (result_digest(&t, &cause) < 0) {
		goto done;
	}
	memset(&d, 0, sizeof(d));
	if (report(j, n, "CONTRIBUTING", NULL) < 0)
		goto done;
	if (contribute(&t, &cause) < 0) {
		d.cause = cause;
		d.error = decc_error_last();
		(void)report(j, n, "CONTRIBUTE_FAILED", &d);
		goto done;
	}
	if (report(j, n, "CONTRIBUTED", NULL) < 0)
		goto done;
	for (;;) {
		if (await(j, n) < 0)
			goto done;
		if (strcmp(n, "PLEASE_REVEAL") == 0) {
			if (report(j, n, "REVEALING", NULL) < 0)
				goto done;
			/* the result is in the store before the reveal, its link with REVEALED */
			if (!t.callback_data && w->store[0] && !link.len &&
			    upload_result(&t, &link) < 0)
				wlog(w, "task %s: result upload failed (%s), no result location",
				     tid, decc_error_last());
			if (decc_chain_reveal(t.c, j->task, t.digest) < 0) {
				d.cause = "CANNOT_REVEAL";
				d.error = decc_error_last();
				(void)report(j, n, "REVEAL_FAILED", &d);
				goto done;
			}
			d.callback_data = t.callback_data;
			d.result_link = link.len ? decc_buf_str(&link) : NULL;
			if (report(j, n, "REVEALED", &d) < 0)
				goto done;
			memset(&d, 0, sizeof(d));
		} else if (strcmp(n, "PLEASE_COMPLETE") == 0) {
			if (report(j, n, "COMPLETING", NULL) == 0)
				(void)report(j, n, "COMPLETED", NULL);
			goto done;
		} else if (strcmp(n, "PLEASE_ABORT") == 0) {
			(void)report(j, n, "ABORTED", NULL);
			goto done;
		} else {
			nap(w, 1000);
		}
	}
done:
	wlog(w, "task %s: done with this task", tid);
	decc_buf_release(&link);
	free(ot);
	free(et);
	free(t.callback_data);
	free(t.params.args);
	json_decref(t.params.inputs);
	decc_chain_deal_release(&t.deal);
	decc_chain_app_release(&t.app);
	decc_chain_free(t.c);
}

static void *task_thread(void *arg)
{
	struct job *j = arg;
	struct worker *w = j->w;

	run_task(j);
	pthread_mutex_lock(&w->lock);
	w->running--;
	w->slot_freed = true;
	pthread_mutex_unlock(&w->lock);
	free(j);
	return NULL;
}

static int parse_auth(struct job *j, const char *text, size_t n)
{
	json_t *o = json_loadb(text, n, 0, NULL), *a;
	const char *task, *deal, *ch, *sig;
	json_int_t idx;
	int r = DECC_EINVAL;

	a = json_object_get(o, "workerpoolAuthorization");
	if (json_unpack(a, "{s:s,s:s,s:I,s:s,s:{s:s}}", "chainTaskId", &task, "dealId", &deal,
			"taskIndex", &idx, "enclaveChallenge", &ch, "signature", "value",
			&sig) == 0 &&
	    idx >= 0 && decc_hex_decode_exact(j->task, 32, task) == 0 &&
	    decc_hex_decode_exact(j->deal, 32, deal) == 0 &&
	    decc_address_parse(&j->challenge, ch) == 0 &&
	    decc_hex_decode_exact(j->auth_sig, 65, sig) == 0) {
		j->idx = (uint64_t)idx;
		j->tee = json_is_true(json_object_get(o, "tee"));
		r = 0;
	}
	json_decref(o);
	if (r < 0)
		decc_error_set(r, "malformed authorization from the scheduler");
	return r;
}

static int read_config(struct worker *w)
{
	struct decc_buf b;
	long st = 0;
	json_t *o;
	const char *pool, *hub, *rpc, *store;
	json_int_t ask = 2000, ping = 10;
	int r;

	decc_buf_init(&b, MAX_ANSWER);
	r = http_raw(w, &st, &b, "GET", "/workers/config", NULL, false);
	if (r < 0) {
		decc_buf_release(&b);
		return r;
	}
	o = json_loadb(decc_buf_str(&b), b.len, 0, NULL);
	decc_buf_release(&b);
	r = DECC_EINVAL;
	if (st == 200 &&
	    json_unpack(o, "{s:s,s:s,s:s,s?I,s?I}", "workerPoolAddress", &pool,
			"iexecHubContractAddress", &hub, "chainNodeUrl", &rpc,
			"askForReplicatePeriod", &ask, "pingPeriod", &ping) == 0 &&
	    decc_address_parse(&w->pool, pool) == 0 && decc_address_parse(&w->hub, hub) == 0 &&
	    strlen(rpc) < sizeof(w->rpc)) {
		snprintf(w->rpc, sizeof(w->rpc), "%s", rpc);
		w->ask_ms = ask >= 10 && ask < 600000 ? (unsigned)ask : 2000;
		w->ping_s = ping > 0 && ping < 3600 ? (unsigned)ping : 10;
		store = json_string_value(json_object_get(o, "storeUrl"));
		if (w->cfg->store_url)
			store = w->cfg->store_url;
		if (store && strlen(store) < sizeof(w->store))
			snprintf(w->store, sizeof(w->store), "%s", store);
		r = 0;
	}
	json_decref(o);
	if (r < 0)
		decc_error_set(r, "GET %s/workers/config: not a scheduler configuration (HTTP %ld)",
			       w->cfg->scheduler_url, st);
	return r;
}

int decc_worker_run(const struct decc_worker_config *cfg, volatile sig_atomic_t *stop,
		    decc_worker_log_fn log, void *log_ctx)
{
	struct worker w = { 0 };
	struct decc_chain *c = NULL;
	time_t last_ping = 0;
	unsigned slots = cfg->slots ? cfg->slots : 1;
	int r;

	w.cfg = cfg;
	w.stop = stop;
	w.log = log;
	w.log_ctx = log_ctx;
	DECC_TRY(decc_address_from_seckey(&w.me, cfg->sk));
	decc_hex_encode(w.me_hex, w.me.b, 20, true);
	DECC_TRY(decc_file_mkdirs(cfg->work_dir, 0700));
	if (pthread_mutex_init(&w.lock, NULL) != 0)
		return decc_error_set(DECC_ERROR, "cannot create a lock");
	r = read_config(&w);
	if (r == 0)
		r = decc_chain_new(&c, w.rpc);
	if (r == 0)
		r = login(&w);
	if (r == 0)
		r = do_register(&w);
	if (r < 0)
		goto out;
	wlog(&w, "worker %s logged in to %s (runner %s, %u slot(s), chain %s)", w.me_hex,
	     cfg->scheduler_url, cfg->runner->name, slots, w.rpc);
	while (!*stop) {
		struct decc_buf b;
		time_t now = time(NULL);
		uint64_t block = 0;
		unsigned running;
		long st = 0;
		char path[96];

		decc_buf_init(&b, MAX_ANSWER);
		if (now - last_ping >= (time_t)w.ping_s) {
			if (http(&w, &st, &b, "POST", "/workers/ping", "") < 0 || st != 200)
				wlog(&w, "ping failed: %s",
				     st ? decc_buf_str(&b) : decc_error_last());
			else
				last_ping = now;
			decc_buf_reset(&b);
		}
		pthread_mutex_lock(&w.lock);
		running = w.running;
		pthread_mutex_unlock(&w.lock);
		if (running < slots && decc_chain_block_number(c, &block) == 0) {
			snprintf(path, sizeof(path), "/replicates/available?blockNumber=%llu",
				 (unsigned long long)block);
			if (http(&w, &st, &b, "GET", path, NULL) == 0 && st == 200) {
				struct job *j = calloc(1, sizeof(*j));
				pthread_t th;

				if (j && (j->w = &w, parse_auth(j, decc_buf_str(&b), b.len) == 0)) {
					pthread_mutex_lock(&w.lock);
					w.running++;
					pthread_mutex_unlock(&w.lock);
					if (pthread_create(&th, NULL, task_thread, j) == 0) {
						pthread_detach(th);
						j = NULL;
					} else {
						pthread_mutex_lock(&w.lock);
						w.running--;
						pthread_mutex_unlock(&w.lock);
					}
				} else {
					wlog(&w, "%s", decc_error_last());
				}
				free(j);
				decc_buf_release(&b);
				continue; /* maybe more work right away */
			}
		}
		decc_buf_release(&b);
		nap_ask(&w);
	}
	/* let the task threads notice the stop */
	for (int i = 0; i < 200; i++) {
		unsigned running;

		pthread_mutex_lock(&w.lock);
		running = w.running;
		pthread_mutex_unlock(&w.lock);
		if (!running)
			break;
		struct timespec ts = { 0, 50 * 1000000L };

		nanosleep(&ts, NULL);
	}
	wlog(&w, "worker stopping");
out:
	decc_chain_free(c);
	if (w.running == 0)
		pthread_mutex_destroy(&w.lock);
	return r;
}
