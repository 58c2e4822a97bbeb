/* SPDX-License-Identifier: Apache-2.0 */
/*
 * decc devnet: a whole local network on loopback, as child processes of this decc (its own
 * binary, /proc/self/exe): node (fresh genesis), store, SMS (trusting a SIMULATED platform
 * key), a workerpool with its scheduler and N TEE workers; dev accounts funded and their
 * keystores in DIR. `up` supervises them in the foreground (or in the background with
 * --detach) and describes everything in DIR/devnet.json; `down` stops the supervisor; `status`
 * tells what runs. The sequences are those of scripts/demo.sh.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <time.h>
#include <unistd.h>

#include "decc/chain.h"
#include "decc/common.h"
#include "decc/error.h"
#include "decc/file.h"
#include "decc/hex.h"
#include "decc/http_client.h"
#include "cli/devnet.h"
#include "cli/evm.h"

#define PAGE "devnet"
#define HUB "0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f"
#define CHAIN_ID 65535
#define ZERO_ADDR "0x0000000000000000000000000000000000000000"
#define TEE_TAG "0x0000000000000000000000000000000000000000000000000000000000000001"
#define MAX_WORKERS 16
#define PATH_MAX_ 4096
#define JSON_MAX ((size_t)1 << 20)
#define PASSWORD "decc devnet password"
/* anvil's dev account 0 (its default mnemonic): the admin of a devnet on anvil */
#define ANVIL_KEY0 "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
#define ANVIL_FUND_WEI "100000000000000000000" /* 100 ether to each dev account */
#define ANVIL_FUND_NRLC 1000000000000ull       /* 1000 RLC to each dev account */

/* ---- a tiny HTTP/1.0 client for loopback daemons ---- */

int devnet_http_get(const char *url, int *status, struct decc_buf *body, size_t max)
{
	char host[256], port[16], req[1400];
	const char *p, *slash, *colon;
	struct addrinfo hints = { 0 }, *ai = NULL;
	struct timeval tv = { .tv_sec = 5 };
	struct decc_buf raw = DECC_BUF_INIT;
	char *hdr_end;
	int fd = -1, r;

	if (strncmp(url, "http://", 7) != 0)
		return decc_error_set(DECC_EINVAL, "%s: only http:// URLs", url);
	p = url + 7;
	slash = strchr(p, '/');
	if (!slash)
		slash = p + strlen(p);
	colon = memchr(p, ':', (size_t)(slash - p));
	if (!colon || (size_t)(colon - p) >= sizeof(host) ||
	    (size_t)(slash - colon - 1) >= sizeof(port) || slash == colon + 1)
		return decc_error_set(DECC_EINVAL, "%s: expected http://HOST:PORT/PATH", url);
	memcpy(host, p, (size_t)(colon - p));
	host[colon - p] = 0;
	memcpy(port, colon + 1, (size_t)(slash - colon - 1));
	port[slash - colon - 1] = 0;
	if (strlen(slash) > 1000)
		return decc_error_set(DECC_ELIMIT, "%s: path too long", url);
	snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\nHost: %s\r\nConnection: close\r\n\r\n",
		 *slash ? slash : "/", host);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, port, &hints, &ai) != 0 || !ai)
		return decc_error_set(DECC_EINVAL, "%s: cannot resolve %s", url, host);
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0 ||
	    connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		r = decc_error_set(DECC_ERROR, "%s: %s", url, strerror(errno));
		goto out;
	}
	if (send(fd, req, strlen(req), MSG_NOSIGNAL) != (ssize_t)strlen(req)) {
		r = decc_error_set(DECC_ERROR, "%s: send: %s", url, strerror(errno));
		goto out;
	}
	decc_buf_init(&raw, max + 16384);
	for (;;) {
		char chunk[8192];
		ssize_t n = recv(fd, chunk, sizeof(chunk), 0);

		if (n == 0)
			break;
		if (n < 0) {
			r = decc_error_set(DECC_ERROR, "%s: %s", url,
					   errno == EAGAIN ? "timed out" : strerror(errno));
			goto out;
		}
		if ((r = decc_buf_append(&raw, chunk, (size_t)n)) < 0) {
			r = decc_error_set(DECC_ELIMIT, "%s: the answer is too large", url);
			goto out;
		}
	}
	hdr_end = strstr((char *)raw.data, "\r\n\r\n");
	if (!hdr_end || sscanf((char *)raw.data, "HTTP/%*d.%*d %d", status) != 1) {
		r = decc_error_set(DECC_EINVAL, "%s: not an HTTP answer", url);
		goto out;
	}
	r = decc_buf_append(body, hdr_end + 4, raw.len - (size_t)(hdr_end + 4 - (char *)raw.data));
out:
	if (fd >= 0)
		close(fd);
	freeaddrinfo(ai);
	decc_buf_release(&raw);
	return r;
}

int devnet_read(json_t **out, const char *dir)
{
	char path[PATH_MAX_];
	struct decc_buf b = DECC_BUF_INIT;
	json_error_t e;
	int r;

	snprintf(path, sizeof(path), "%s/devnet.json", dir);
	if ((r = decc_file_read(&b, path, JSON_MAX)) < 0) {
		decc_buf_release(&b);
		return r;
	}
	*out = json_loadb((const char *)b.data, b.len, 0, &e);
	decc_buf_release(&b);
	if (!*out || !json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return decc_error_set(DECC_EINVAL, "%s: %s", path, e.text);
	}
	return 0;
}

/* ---- the supervisor ---- */

struct daemon {
	char name[32];
	pid_t pid;
	char url[64];
};

struct devnet {
	const char *dir;
	char self[PATH_MAX_];
	char logs[PATH_MAX_];
	char pw[PATH_MAX_];
	struct daemon d[6 + MAX_WORKERS];
	size_t nd;
	unsigned port_base; /* 0: random free ports */
	unsigned nports;
	FILE *log; /* DIR/logs/devnet.log */
	/* the chain: decc node (fixed hub) or anvil + PoCo deployed at up */
	bool anvil;
	char anvil_exe[PATH_MAX_];
	const char *artifacts;
	char hub[43], rlc[43];
	uint64_t chain_id;
};

static volatile sig_atomic_t dn_stop;

static void on_signal(int sig)
{
	(void)sig;
	dn_stop = 1;
}

static void dlog(struct devnet *n, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void dlog(struct devnet *n, const char *fmt, ...)
{
	va_list ap;
	time_t t = time(NULL);
	struct tm tm;
	char ts[32];

	if (!n->log)
		return;
	gmtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(n->log, "%s devnet: ", ts);
	va_start(ap, fmt);
	vfprintf(n->log, fmt, ap);
	va_end(ap);
	fputc('\n', n->log);
	fflush(n->log);
}

static int free_port(struct devnet *n, unsigned *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd;

	if (n->port_base) {
		*port = n->port_base + n->nports++;
		return 0;
	}
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
		if (fd >= 0)
			close(fd);
		return decc_error_set(DECC_ERROR, "no free loopback port: %s", strerror(errno));
	}
	close(fd);
	*port = ntohs(a.sin_port);
	return 0;
}

/* Refuse a --port-base whose ports (N to N+count-1) are taken on 127.0.0.1. */
static int ports_free(unsigned base, unsigned count)
{
	for (unsigned p = base; p < base + count; p++) {
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)p) };
		int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), e;

		if (fd < 0)
			return decc_error_set(DECC_ERROR, "socket: %s", strerror(errno));
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		e = bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ? errno : 0;
		close(fd);
		if (e)
			return decc_error_set(DECC_ERROR, "port %u on 127.0.0.1 is taken (%s)", p,
					      strerror(e));
	}
	return 0;
}

/*
 * fork + exec exe (NULL: this decc) with argv; stdin /dev/null, stderr to logfile (appended),
 * stdout to out_fd (or /dev/null when < 0; stdout too goes to logfile for another program).
 * Returns the child's PID or a negative code.
 */
static pid_t spawn(struct devnet *n, const char *exe, char *const argv[], const char *logfile,
		   int out_fd, bool own_group)
{
	pid_t pid = fork();

	if (pid < 0)
		return decc_error_set(DECC_ERROR, "fork: %s", strerror(errno));
	if (pid == 0) {
		int nul = open("/dev/null", O_RDWR);
		int lf = open(logfile, O_WRONLY | O_CREAT | O_APPEND, 0600);

		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		if (own_group)
			setpgid(0, 0);
		if (nul < 0 || lf < 0 || dup2(nul, 0) < 0 ||
		    dup2(out_fd >= 0 ? out_fd
			 : exe	     ? lf
				     : nul,
			 1) < 0 ||
		    dup2(lf, 2) < 0)
			_exit(127);
		execv(exe ? exe : n->self, argv);
		_exit(127);
	}
	return pid;
}

/* Run a one-shot decc command; its stdout (at most 64 KiB) into out. */
static int run(struct devnet *n, struct decc_buf *out, char *const argv[])
{
	char logfile[PATH_MAX_ + 16];
	int p[2], st, r = 0;
	pid_t pid;

	snprintf(logfile, sizeof(logfile), "%s/setup.log", n->logs);
	if (pipe2(p, O_CLOEXEC) < 0)
		return decc_error_set(DECC_ERROR, "pipe: %s", strerror(errno));
	pid = spawn(n, NULL, argv, logfile, p[1], false);
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		return (int)pid;
	}
	for (;;) {
		char c[4096];
		ssize_t k = read(p[0], c, sizeof(c));

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		if (r == 0 && decc_buf_append(out, c, (size_t)k) < 0)
			r = decc_error_set(DECC_ELIMIT, "decc %s: too much output", argv[1]);
	}
	close(p[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (r == 0 && (!WIFEXITED(st) || WEXITSTATUS(st) != 0)) {
		char cmd[256] = "";

		for (size_t i = 1; argv[i] && strlen(cmd) < 200; i++)
			if (argv[i][0] != '-' || i < 3)
				snprintf(cmd + strlen(cmd), sizeof(cmd) - strlen(cmd), "%s%s",
					 *cmd ? " " : "", argv[i]);
		r = decc_error_set(DECC_ERROR, "'decc %s' failed (see %s)", cmd, logfile);
	}
	/* trailing newline off */
	while (out->len && (out->data[out->len - 1] == '\n' || out->data[out->len - 1] == '\r'))
		out->data[--out->len] = 0;
	return r;
}

static bool alive(pid_t pid)
{
	int st;

	if (pid <= 0)
		return false;
	if (waitpid(pid, &st, WNOHANG) == pid)
		return false;
	return kill(pid, 0) == 0;
}

/* The last non-empty line of DIR/logs/NAME.log (at most 300 bytes), or "". */
static void last_line(char *out, size_t cap, const char *logs, const char *name)
{
	char path[PATH_MAX_ + 64];
	struct decc_buf b = DECC_BUF_INIT;
	char *end, *start;

	*out = 0;
	snprintf(path, sizeof(path), "%s/%s.log", logs, name);
	if (decc_file_read(&b, path, 1 << 20) == 0 && b.len) {
		end = (char *)b.data + b.len;
		while (end > (char *)b.data && (end[-1] == '\n' || end[-1] == '\r'))
			*--end = 0;
		start = end;
		while (start > (char *)b.data && start[-1] != '\n')
			start--;
		snprintf(out, cap, "%.300s", start);
	}
	decc_buf_release(&b);
}

/* A daemon that exited while starting: its status and the last line of its log. */
static int exited(struct devnet *n, struct daemon *d)
{
	char line[320];

	last_line(line, sizeof(line), n->logs, d->name);
	dlog(n, "%s (PID %d) exited while starting: %s", d->name, (int)d->pid, line);
	d->pid = 0; /* reaped by alive() */
	return decc_error_set(DECC_ERROR, "%s exited while starting: %s", d->name,
			      *line ? line : "(its log is empty)");
}

/* Wait for GET URL/healthz to answer 200 while pid lives (up to 20 s). */
static int wait_http(struct devnet *n, struct daemon *d)
{
	char u[128];

	snprintf(u, sizeof(u), "%s/healthz", d->url);
	for (int i = 0; i < 200; i++) {
		struct decc_buf b = DECC_BUF_INIT;
		int st = 0, r = devnet_http_get(u, &st, &b, 4096);

		decc_buf_release(&b);
		if (r == 0 && st == 200)
			return 0;
		if (!alive(d->pid))
			return exited(n, d);
		if (dn_stop)
			return decc_error_set(DECC_ERROR, "interrupted");
		usleep(100000);
	}
	return decc_error_set(DECC_ERROR, "%s does not answer %s", d->name, u);
}

/* Wait until the log of a worker says it logged in to the scheduler. */
static int wait_log(struct devnet *n, struct daemon *d, const char *needle)
{
	char path[PATH_MAX_ + 64];

	snprintf(path, sizeof(path), "%s/%s.log", n->logs, d->name);
	for (int i = 0; i < 300; i++) {
		struct decc_buf b = DECC_BUF_INIT;
		bool found =
		    decc_file_read(&b, path, 1 << 20) == 0 && strstr((char *)b.data, needle);

		decc_buf_release(&b);
		if (found)
			return 0;
		if (!alive(d->pid))
			return exited(n, d);
		if (dn_stop)
			return decc_error_set(DECC_ERROR, "interrupted");
		usleep(100000);
	}
	return decc_error_set(DECC_ERROR, "%s did not log in to the scheduler", d->name);
}

/* Start a daemon: this decc (exe NULL) or another program, logged to DIR/logs/NAME.log. */
static struct daemon *start_exe(struct devnet *n, const char *exe, const char *name,
				char *const argv[])
{
	struct daemon *d = &n->d[n->nd];
	char logfile[PATH_MAX_ + 64];
	pid_t pid;

	snprintf(logfile, sizeof(logfile), "%s/%s.log", n->logs, name);
	pid = spawn(n, exe, argv, logfile, -1, false);
	if (pid < 0)
		return NULL;
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->pid = pid;
	n->nd++;
	dlog(n, "%s started, PID %d", name, (int)pid);
	return d;
}

static struct daemon *start(struct devnet *n, const char *name, char *const argv[])
{
	return start_exe(n, NULL, name, argv);
}

/* SIGTERM every child, the last started first; SIGKILL what still runs after 10 s. */
static void stop_all(struct devnet *n)
{
	for (size_t i = n->nd; i-- > 0;) {
		struct daemon *d = &n->d[i];
		int st;

		if (d->pid <= 0)
			continue;
		if (kill(d->pid, SIGTERM) == 0) {
			for (int k = 0; k < 100 && waitpid(d->pid, &st, WNOHANG) == 0; k++)
				usleep(100000);
			if (waitpid(d->pid, &st, WNOHANG) == 0) {
				dlog(n, "%s (PID %d) ignores SIGTERM: SIGKILL", d->name,
				     (int)d->pid);
				kill(d->pid, SIGKILL);
				waitpid(d->pid, &st, 0);
			}
		} else {
			waitpid(d->pid, &st, WNOHANG);
		}
		dlog(n, "%s (PID %d) stopped", d->name, (int)d->pid);
		d->pid = 0;
	}
}

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
	(void)sb;
	(void)flag;
	(void)f;
	return remove(p);
}

static int rm_rf(const char *dir, const char *sub)
{
	char p[PATH_MAX_ + 64];

	snprintf(p, sizeof(p), "%s/%s", dir, sub);
	if (!decc_file_exists(p))
		return 0;
	if (nftw(p, rm_entry, 16, FTW_DEPTH | FTW_PHYS) < 0)
		return decc_error_set(DECC_ERROR, "cannot remove %s: %s", p, strerror(errno));
	return 0;
}

/* The only file of a keystore directory. */
static int keystore_file(char *out, size_t cap, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int r = decc_error_set(DECC_ENOTFOUND, "no keystore in %s", dir);

	if (!d)
		return r;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.') {
			int k = snprintf(out, cap, "%s/%s", dir, e->d_name);

			r = k > 0 && (size_t)k < cap
				? 0
				: decc_error_set(DECC_ELIMIT, "%s: path too long", dir);
			break;
		}
	closedir(d);
	return r;
}

struct account {
	char name[16];
	char address[43];
	char keystore[PATH_MAX_];
};

struct up_opts {
	const char *dir, *port_base, *workers, *runner, *apps_dir, *slots;
	const char *chain, *anvil, *artifacts;
	bool detach;
};

/* A new dev account, or (key_file not NULL) the import of that private key. */
static int make_account(struct devnet *n, struct account *a, const char *name, const char *key_file)
{
	char kdir[PATH_MAX_ + 32];
	struct decc_buf out = DECC_BUF_INIT;
	json_t *j;
	int r;

	snprintf(a->name, sizeof(a->name), "%s", name);
	snprintf(kdir, sizeof(kdir), "%s/wallets/%s", n->dir, name);
	if (key_file)
		r = run(n, &out,
			(char *[]){ n->self, "--json", "wallet", "import", "--private-key-file",
				    (char *)key_file, "--kdf-light", "--keystore-dir", kdir,
				    "--password-file", n->pw, NULL });
	else
		r = run(n, &out,
			(char *[]){ n->self, "--json", "wallet", "create", "--kdf-light",
				    "--keystore-dir", kdir, "--password-file", n->pw, NULL });
	if (r == 0) {
		j = json_loads((char *)out.data, 0, NULL);
		if (!j || !json_is_string(json_object_get(j, "address")) ||
		    strlen(json_string_value(json_object_get(j, "address"))) != 42)
			r = decc_error_set(DECC_EINVAL, "wallet create: unexpected output");
		else
			snprintf(a->address, sizeof(a->address), "%s",
				 json_string_value(json_object_get(j, "address")));
		json_decref(j);
	}
	decc_buf_release(&out);
	if (r == 0)
		r = keystore_file(a->keystore, sizeof(a->keystore), kdir);
	return r;
}

/* ---- the chain on anvil: anvil started, PoCo deployed (token mode), accounts funded ---- */

/* path if it is an executable (or, want_dir, a directory), made absolute into out. */
static bool found(char *out, const char *path, bool want_dir)
{
	struct stat st;
	char abs[PATH_MAX_];

	if (stat(path, &st) < 0 || (want_dir ? !S_ISDIR(st.st_mode) : access(path, X_OK) < 0))
		return false;
	if (!realpath(path, abs))
		return false;
	snprintf(out, PATH_MAX_, "%s", abs);
	return true;
}

/*
 * --anvil and --artifacts, else the copies scripts/setup.sh installs in tools/node of the
 * source tree, looked for next to this decc binary (BUILD/decc: ../tools/node).
 */
static int find_tools(struct devnet *n, char *artifacts, const struct up_opts *o)
{
	static const char *const anvil_rel[] = {
		"tools/node/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil",
		"tools/node/node_modules/.bin/anvil",
	};
	char bindir[PATH_MAX_], p[PATH_MAX_ + 128];
	bool ok = false;

	snprintf(bindir, sizeof(bindir), "%s", n->self);
	if (strrchr(bindir, '/'))
		*strrchr(bindir, '/') = 0;
	if (o->anvil) {
		if (!found(n->anvil_exe, o->anvil, false))
			return decc_error_set(DECC_EINVAL, "--anvil %s: not an executable",
					      o->anvil);
	} else {
		for (size_t i = 0; !ok && i < 2 * DECC_ARRAY_SIZE(anvil_rel); i++) {
			snprintf(p, sizeof(p), "%s/%s%s", bindir, i % 2 ? "" : "../",
				 anvil_rel[i / 2]);
			ok = found(n->anvil_exe, p, false);
		}
		if (!ok)
			return decc_error_set(DECC_ENOTFOUND,
					      "anvil not found under %s/../tools/node (run "
					      "scripts/setup.sh, or give --anvil PATH)",
					      bindir);
	}
	if (o->artifacts) {
		snprintf(p, sizeof(p), "%s/artifacts/contracts/Diamond.sol", o->artifacts);
		if (!found(artifacts, p, true) || !found(artifacts, o->artifacts, true))
			return decc_error_set(DECC_EINVAL,
					      "--artifacts %s: not the unpacked @iexec/poco "
					      "package (no artifacts/contracts/Diamond.sol)",
					      o->artifacts);
	} else {
		ok = false;
		for (int i = 0; !ok && i < 2; i++) {
			snprintf(p, sizeof(p),
				 "%s/%stools/node/poco-6.1.0/artifacts/contracts/Diamond.sol",
				 bindir, i ? "" : "../");
			ok = found(artifacts, p, true);
			if (ok) {
				snprintf(p, sizeof(p), "%s/%stools/node/poco-6.1.0", bindir,
					 i ? "" : "../");
				ok = found(artifacts, p, true);
			}
		}
		if (!ok)
			return decc_error_set(
			    DECC_ENOTFOUND,
			    "the PoCo 6.1.0 artifacts are not under "
			    "%s/../tools/node/poco-6.1.0 (run scripts/setup.sh, or "
			    "give --artifacts DIR)",
			    bindir);
	}
	n->artifacts = artifacts;
	return 0;
}

/*
 * Start anvil on a free port; wait until it answers eth_chainId (20 s). --silent: anvil logs
 * every RPC call otherwise, and the scheduler polls many times a second.
 */
static int start_anvil(struct devnet *n, char *rpc, size_t cap)
{
	char portstr[16];
	struct daemon *d;
	unsigned port;
	int r;

	DECC_TRY(free_port(n, &port));
	snprintf(portstr, sizeof(portstr), "%u", port);
	snprintf(rpc, cap, "http://127.0.0.1:%u", port);
	d = start_exe(
	    n, n->anvil_exe, "anvil",
	    (char *[]){ n->anvil_exe, "--host", "127.0.0.1", "--port", portstr, "--silent", NULL });
	if (!d)
		return decc_error_code();
	snprintf(d->url, sizeof(d->url), "%s", rpc);
	for (int i = 0; i < 200; i++) {
		struct decc_chain *c = NULL;
		uint64_t id = 0;

		r = decc_chain_new(&c, rpc);
		if (r == 0) {
			decc_chain_set_timeouts(c, 1000, 1000);
			r = decc_chain_connect(c, &id);
		}
		decc_chain_free(c);
		if (r == 0) {
			n->chain_id = id;
			return 0;
		}
		if (!alive(d->pid))
			return exited(n, d);
		if (dn_stop)
			return decc_error_set(DECC_ERROR, "interrupted");
		usleep(100000);
	}
	return decc_error_set(DECC_ERROR, "anvil does not answer on %s", rpc);
}

/*
 * As anvil's account 0 (the admin): PoCo 6.1.0 in token mode (decc evm deploy-poco, in this
 * process), then 100 ether and 1000 RLC to every other dev account.
 */
static int deploy_and_fund(struct devnet *n, const char *rpc, const struct account *acc,
			   size_t nacc, size_t admin)
{
	struct poco_deployment dep;
	struct decc_chain *c = NULL;
	struct decc_chain_txopts fund = { 0 };
	decc_u256 nrlc = decc_u256_from_u64(ANVIL_FUND_NRLC);
	uint8_t sk[32];
	int r;

	memset(&dep, 0, sizeof(dep));
	r = decc_hex_decode_exact(sk, 32, ANVIL_KEY0);
	if (r == 0)
		r = decc_u256_parse(&fund.value, ANVIL_FUND_WEI);
	if (r == 0)
		r = decc_chain_new(&c, rpc);
	if (r == 0)
		r = decc_chain_set_wallet(c, sk);
	decc_wipe(sk, sizeof(sk));
	if (r == 0)
		r = decc_chain_connect(c, &n->chain_id);
	if (r == 0) {
		r = evm_deploy_poco_on(c, &dep, n->artifacts, false, true);
		if (r < 0)
			r = decc_error_wrap(r, "deploying PoCo on anvil (artifacts %s)",
					    n->artifacts);
	}
	if (r == 0) {
		decc_address_to_checksum(n->hub, &dep.hub);
		decc_address_to_checksum(n->rlc, &dep.rlc);
		dlog(n, "PoCo deployed on anvil (chain %llu): hub %s, RLC %s",
		     (unsigned long long)n->chain_id, n->hub, n->rlc);
	}
	for (size_t i = 0; r == 0 && i < nacc; i++) {
		decc_address to;

		if (i == admin)
			continue;
		r = decc_address_parse(&to, acc[i].address);
		if (r == 0)
			r = decc_chain_transact(c, NULL, &to, NULL, 0, &fund);
		if (r == 0)
			r = decc_chain_rlc_transfer(c, NULL, &to, &nrlc);
		if (r < 0)
			r = decc_error_wrap(r, "funding %s on anvil", acc[i].name);
	}
	if (r == 0)
		dlog(n, "%zu dev accounts funded (ether and RLC)", nacc - 1);
	decc_chain_free(c);
	return r;
}

static json_t *jaccount(const struct account *a)
{
	return json_pack("{s:s, s:s}", "address", a->address, "keystore", a->keystore);
}

/* decc node on a fresh genesis: every dev account funded, the admin owns the hub. */
static int start_node(struct devnet *n, char *rpc, size_t cap, const struct account *acc,
		      size_t nacc, size_t admin)
{
	char listen[64], path[PATH_MAX_ + 64];
	struct decc_buf b = DECC_BUF_INIT;
	struct daemon *d;
	unsigned port;
	int r;

	snprintf(n->hub, sizeof(n->hub), "%s", HUB);
	n->chain_id = CHAIN_ID;
	/* genesis: every dev account funded, the admin owns the hub */
	r = decc_buf_appendf(&b,
			     "{\"chainId\": %d, \"timestamp\": %ld, \"hubOwner\": \"%s\", "
			     "\"accounts\": {",
			     CHAIN_ID, (long)time(NULL), acc[admin].address);
	for (size_t i = 0; r == 0 && i < nacc; i++)
		r = decc_buf_appendf(&b, "%s\"%s\": {\"balance\": \"1000000000000000000000000\"}",
				     i ? ", " : "", acc[i].address);
	if (r == 0)
		r = decc_buf_append_str(&b, "}}\n");
	snprintf(path, sizeof(path), "%s/genesis.json", n->dir);
	if (r == 0)
		r = decc_file_write_atomic(path, b.data, b.len, 0600, DECC_FILE_REPLACE);
	decc_buf_release(&b);
	if (r < 0)
		return r;

	/* node */
	if ((r = free_port(n, &port)) < 0)
		return r;
	snprintf(listen, sizeof(listen), "127.0.0.1:%u", port);
	snprintf(rpc, cap, "http://127.0.0.1:%u", port);
	snprintf(path, sizeof(path), "%s/genesis.json", n->dir);
	{
		char data[PATH_MAX_ + 16];

		snprintf(data, sizeof(data), "%s/node", n->dir);
		d = start(n, "node",
			  (char *[]){ n->self, "node", "--genesis", path, "--data", data,
				      "--listen", listen, NULL });
	}
	if (!d)
		return decc_error_code();
	snprintf(d->url, sizeof(d->url), "%s", rpc);
	if ((r = wait_http(n, d)) < 0)
		return r;
	return 0;
}

/* Everything up to devnet.json; the daemons stay up on success. */
static int bring_up(struct devnet *n, const struct up_opts *o, unsigned nworkers, json_t **desc)
{
	static const char *const names[] = { "admin", "requester", "appdev", "datasetowner",
					     "pool" };
	enum {
		ADMIN,
		REQUESTER,
		APPDEV,
		DATASET,
		POOL,
		NFIXED
	};
	struct account acc[NFIXED + MAX_WORKERS];
	size_t nacc = NFIXED + nworkers;
	char rpc[64], market[80], store[64], sms[64], sched[64], listen[64], path[PATH_MAX_ + 64];
	char pkey[PATH_MAX_ + 32], platform[43] = "", pool[43] = "", phash[67] = "";
	char porder[PATH_MAX_ + 32];
	struct decc_buf out = DECC_BUF_INIT;
	struct daemon *d;
	unsigned port;
	json_t *accounts, *pids, *workers;
	const char *pa;
	int r;

	if (n->anvil) {
		/* the admin is anvil's account 0: it deploys PoCo and holds ether and RLC */
		snprintf(pkey, sizeof(pkey), "%s/anvil-admin.key", n->dir);
		r = decc_file_write_atomic(pkey, ANVIL_KEY0 "\n", strlen(ANVIL_KEY0) + 1, 0600,
					   DECC_FILE_REPLACE);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < DECC_ARRAY_SIZE(names); i++)
		if ((r = make_account(n, &acc[i], names[i], n->anvil && i == ADMIN ? pkey : NULL)) <
		    0)
			return r;
	for (unsigned i = 0; i < nworkers; i++) {
		char nm[24];

		snprintf(nm, sizeof(nm), "worker%u", i + 1);
		if ((r = make_account(n, &acc[NFIXED + i], nm, NULL)) < 0)
			return r;
	}
	dlog(n, "%zu dev accounts created", nacc);

	if (n->anvil) {
		if ((r = start_anvil(n, rpc, sizeof(rpc))) < 0 ||
		    (r = deploy_and_fund(n, rpc, acc, nacc, ADMIN)) < 0)
			return r;
		/* anvil serves no market: decc evm market does, checking orders on anvil */
		if ((r = free_port(n, &port)) < 0)
			return r;
		snprintf(listen, sizeof(listen), "127.0.0.1:%u", port);
		snprintf(market, sizeof(market), "http://127.0.0.1:%u/market", port);
		snprintf(path, sizeof(path), "%s/market", n->dir);
		d = start(n, "market",
			  (char *[]){ n->self, "--rpc", rpc, "--hub", n->hub, "evm", "market",
				      "--book", path, "--listen", listen, NULL });
		if (!d)
			return decc_error_code();
		snprintf(d->url, sizeof(d->url), "http://127.0.0.1:%u", port);
		if ((r = wait_http(n, d)) < 0)
			return r;
	} else {
		if ((r = start_node(n, rpc, sizeof(rpc), acc, nacc, ADMIN)) < 0)
			return r;
		snprintf(market, sizeof(market), "%s/market", rpc);
	}

	/* store */
	if ((r = free_port(n, &port)) < 0)
		return r;
	snprintf(listen, sizeof(listen), "127.0.0.1:%u", port);
	snprintf(store, sizeof(store), "http://127.0.0.1:%u", port);
	snprintf(path, sizeof(path), "%s/store", n->dir);
	d = start(n, "store",
		  (char *[]){ n->self, "store", "--data", path, "--listen", listen, NULL });
	if (!d)
		return decc_error_code();
	snprintf(d->url, sizeof(d->url), "%s", store);
	if ((r = wait_http(n, d)) < 0)
		return r;

	/* the simulated attestation platform, trusted by the SMS */
	snprintf(pkey, sizeof(pkey), "%s/platform.key", n->dir);
	r = run(n, &out, (char *[]){ n->self, "enclave", "--make-platform-key", pkey, NULL });
	pa = r == 0 ? strstr((char *)out.data, "0x") : NULL;
	if (pa && strlen(pa) >= 42)
		snprintf(platform, sizeof(platform), "%.42s", pa);
	decc_buf_release(&out);
	if (r < 0)
		return r;
	if (!*platform)
		return decc_error_set(DECC_EINVAL, "enclave --make-platform-key: no address");
	if ((r = free_port(n, &port)) < 0)
		return r;
	snprintf(listen, sizeof(listen), "127.0.0.1:%u", port);
	snprintf(sms, sizeof(sms), "http://127.0.0.1:%u", port);
	snprintf(path, sizeof(path), "%s/sms", n->dir);
	d = start(n, "sms",
		  (char *[]){ n->self, "sms", "--data", path, "--listen", listen, "--rpc", rpc,
			      "--hub", n->hub, "--trust-platform", platform, "--result-proxy",
			      store, NULL });
	if (!d)
		return decc_error_code();
	snprintf(d->url, sizeof(d->url), "%s", sms);
	if ((r = wait_http(n, d)) < 0)
		return r;

	/* escrow deposits: requester, workerpool owner, workers */
	for (size_t i = 0; i < nacc; i++) {
		if (i == ADMIN || i == APPDEV || i == DATASET)
			continue;
		r = run(n, &out,
			(char *[]){ n->self, "--rpc", rpc, "--hub", n->hub, "--wallet",
				    acc[i].keystore, "--password-file", n->pw, "account", "deposit",
				    "1000000", NULL });
		decc_buf_reset(&out);
		if (r < 0) {
			decc_buf_release(&out);
			return r;
		}
	}
	/* the workerpool and its scheduler */
	r = run(n, &out,
		(char *[]){ n->self, "--rpc", rpc, "--hub", n->hub, "--wallet", acc[POOL].keystore,
			    "--password-file", n->pw, "workerpool", "deploy", "--description",
			    "decc devnet pool", NULL });
	if (r == 0 && (out.len != 42 || strncmp((char *)out.data, "0x", 2) != 0))
		r = decc_error_set(DECC_EINVAL, "workerpool deploy: unexpected output '%s'",
				   (char *)out.data);
	if (r == 0)
		snprintf(pool, sizeof(pool), "%s", (char *)out.data);
	decc_buf_release(&out);
	if (r < 0)
		return r;
	if ((r = free_port(n, &port)) < 0)
		return r;
	snprintf(listen, sizeof(listen), "127.0.0.1:%u", port);
	snprintf(sched, sizeof(sched), "http://127.0.0.1:%u", port);
	snprintf(path, sizeof(path), "%s/scheduler", n->dir);
	d = start(n, "scheduler",
		  (char *[]){ n->self,
			      "--rpc",
			      rpc,
			      "--hub",
			      n->hub,
			      "--wallet",
			      acc[POOL].keystore,
			      "--password-file",
			      n->pw,
			      "scheduler",
			      "--workerpool",
			      pool,
			      "--data",
			      path,
			      "--listen",
			      listen,
			      "--sms",
			      sms,
			      "--store",
			      store,
			      "--poll-ms",
			      "20",
			      "--ask-period-ms",
			      "50",
			      NULL });
	if (!d)
		return decc_error_code();
	snprintf(d->url, sizeof(d->url), "%s", sched);
	if ((r = wait_http(n, d)) < 0)
		return r;

	/* the TEE workers */
	for (unsigned i = 0; i < nworkers; i++) {
		struct account *a = &acc[NFIXED + i];
		char *argv[24];
		size_t k = 0;

		snprintf(path, sizeof(path), "%s/work/%s", n->dir, a->name);
		argv[k++] = n->self;
		argv[k++] = "--wallet";
		argv[k++] = a->keystore;
		argv[k++] = "--password-file";
		argv[k++] = n->pw;
		argv[k++] = "worker";
		argv[k++] = "--scheduler";
		argv[k++] = sched;
		argv[k++] = "--work-dir";
		argv[k++] = path;
		argv[k++] = "--store";
		argv[k++] = store;
		argv[k++] = "--sms";
		argv[k++] = sms;
		argv[k++] = "--platform-key";
		argv[k++] = pkey;
		if (o->runner) {
			argv[k++] = "--runner";
			argv[k++] = (char *)o->runner;
		}
		if (o->apps_dir) {
			argv[k++] = "--apps-dir";
			argv[k++] = (char *)o->apps_dir;
		}
		if (o->slots) {
			argv[k++] = "--slots";
			argv[k++] = (char *)o->slots;
		}
		argv[k] = NULL;
		if (!(d = start(n, a->name, argv)))
			return decc_error_code();
		if ((r = wait_log(n, d, "logged in to")) < 0)
			return r;
	}

	/*
	 * The workerpool order: free, TEE tag (so it serves standard and TEE requests), trust 1,
	 * category 0, a large volume; signed into DIR/orders/ and published on the market.
	 */
	{
		char od[PATH_MAX_ + 16], chain_id[16];
		struct decc_buf ob = DECC_BUF_INIT;

		snprintf(od, sizeof(od), "%s/orders", n->dir);
		snprintf(porder, sizeof(porder), "%s/orders/workerpool.json", n->dir);
		snprintf(path, sizeof(path), "%s/orders/workerpool-unsigned.json", n->dir);
		snprintf(chain_id, sizeof(chain_id), "%llu", (unsigned long long)n->chain_id);
		r = decc_file_mkdirs(od, 0700);
		if (r == 0)
			r = decc_buf_appendf(
			    &ob,
			    "{\"workerpool\":\"%s\",\"workerpoolprice\":\"0\",\"volume\":"
			    "\"1000000\","
			    "\"tag\":\"" TEE_TAG "\",\"category\":\"0\",\"trust\":\"1\","
			    "\"apprestrict\":\"" ZERO_ADDR "\",\"datasetrestrict\":\"" ZERO_ADDR
			    "\",\"requesterrestrict\":\"" ZERO_ADDR "\"}\n",
			    pool);
		if (r == 0)
			r = decc_file_write_atomic(path, ob.data, ob.len, 0600, DECC_FILE_REPLACE);
		decc_buf_release(&ob);
		if (r == 0)
			r = run(n, &out,
				(char *[]){ n->self, "--wallet", acc[POOL].keystore,
					    "--password-file", n->pw, "order", "sign", "workerpool",
					    "--order", path, "--output", porder, "--chain-id",
					    chain_id, "--hub", n->hub, NULL });
		decc_buf_reset(&out);
		if (r == 0)
			r = run(n, &out,
				(char *[]){ n->self, "--rpc", rpc, "--hub", n->hub, "order",
					    "publish", "workerpool", "--order", porder, "--market",
					    market, NULL });
		if (r == 0 && (out.len != 66 || strncmp((char *)out.data, "0x", 2) != 0))
			r = decc_error_set(DECC_EINVAL, "order publish: unexpected output '%s'",
					   (char *)out.data);
		if (r == 0)
			snprintf(phash, sizeof(phash), "%s", (char *)out.data);
		decc_buf_release(&out);
		if (r < 0)
			return r;
		dlog(n, "workerpool order %s published", phash);
	}

	accounts = json_object();
	for (size_t i = 0; i < nacc; i++)
		json_object_set_new(accounts, acc[i].name, jaccount(&acc[i]));
	workers = json_array();
	for (unsigned i = 0; i < nworkers; i++)
		json_array_append_new(workers, json_string(acc[NFIXED + i].name));
	pids = json_object();
	json_object_set_new(pids, "supervisor", json_integer(getpid()));
	for (size_t i = 0; i < n->nd; i++)
		json_object_set_new(pids, n->d[i].name, json_integer(n->d[i].pid));
	snprintf(path, sizeof(path), "%s/logs", n->dir);
	*desc =
	    json_pack("{s:i, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, "
		      "s:s, s:o, s:o, s:o, s:s}",
		      "version", 1, "dir", n->dir, "chainId", (json_int_t)n->chain_id, "hub",
		      n->hub, "rpc", rpc, "market", market, "store", store, "sms", sms, "scheduler",
		      sched, "workerpool", pool, "workerpoolOrder", porder, "workerpoolOrderHash",
		      phash, "platform", platform, "platformKey", pkey, "passwordFile", n->pw,
		      "accounts", accounts, "workers", workers, "pids", pids, "logs", path);
	if (*desc) {
		json_object_set_new(*desc, "exe", json_string(n->self));
		json_object_set_new(*desc, "chain", json_string(n->anvil ? "anvil" : "node"));
	}
	if (*desc && n->anvil) {
		json_object_set_new(*desc, "rlc", json_string(n->rlc));
		json_object_set_new(*desc, "anvilExe", json_string(n->anvil_exe));
		json_object_set_new(*desc, "artifacts", json_string(n->artifacts));
	}
	return *desc ? 0 : decc_error_set(DECC_ENOMEM, "out of memory");
}

static int write_json(const char *dir, json_t *desc)
{
	char path[PATH_MAX_ + 16], *text = json_dumps(desc, JSON_INDENT(2));
	int r;

	if (!text)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	snprintf(path, sizeof(path), "%s/devnet.json", dir);
	r = decc_file_write_atomic(path, text, strlen(text), 0600, DECC_FILE_REPLACE);
	free(text);
	return r;
}

static void summary(FILE *f, json_t *desc)
{
	const char *keys[] = { "rpc", "market", "store", "sms", "scheduler", "workerpool", "hub" };
	const char *chain = json_string_value(json_object_get(desc, "chain"));

	fprintf(f, "decc devnet up (%s, chain id %lld; the TEE is SIMULATED: development only)\n",
		chain && strcmp(chain, "anvil") == 0 ? "anvil + PoCo 6.1.0 in token mode"
						     : "decc node",
		(long long)json_integer_value(json_object_get(desc, "chainId")));
	for (size_t i = 0; i < DECC_ARRAY_SIZE(keys); i++)
		fprintf(f, "   %-10s %s\n", keys[i],
			json_string_value(json_object_get(desc, keys[i])));
	fprintf(f, "   %-10s %s/devnet.json (accounts, keystores, PIDs); logs in %s\n", "described",
		json_string_value(json_object_get(desc, "dir")),
		json_string_value(json_object_get(desc, "logs")));
}

/*
 * The supervisor's failure: printed, or with --detach sent as "E" + message to the foreground
 * process, which prints it (one line on stderr either way).
 */
static int fail_up(int ready_fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail_up(int ready_fd, const char *fmt, ...)
{
	char msg[1024] = "E";
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg + 1, sizeof(msg) - 1, fmt, ap);
	va_end(ap);
	if (ready_fd < 0)
		return cli_failx("%s", msg + 1);
	if (write(ready_fd, msg, strlen(msg)) < 0) {
		/* the foreground process is gone: nobody to tell */
	}
	close(ready_fd);
	return CLI_EXIT_FAIL;
}

static int devnet_up(struct cli *cli, const struct up_opts *o)
{
	struct devnet n = { 0 };
	char path[PATH_MAX_ + 32], abs[PATH_MAX_], artifacts[PATH_MAX_];
	struct sigaction sa = { 0 };
	unsigned nworkers = 1;
	uint64_t v;
	json_t *desc = NULL, *old = NULL;
	int lock, ready[2] = { -1, -1 }, r;
	ssize_t sl;

	if (!o->dir)
		return cli_usage_error(PAGE, "devnet up", "--dir DIR is required");
	if (o->workers) {
		if (cli_parse_u64(&v, o->workers) < 0 || v < 1 || v > MAX_WORKERS)
			return cli_usage_error(PAGE, "devnet up", "--workers: expected 1 to %d",
					       MAX_WORKERS);
		nworkers = (unsigned)v;
	}
	if (o->port_base) {
		if (cli_parse_u64(&v, o->port_base) < 0 || v < 1024 || v > 65535 - 8)
			return cli_usage_error(PAGE, "devnet up",
					       "--port-base: expected 1024 to 65527");
		n.port_base = (unsigned)v;
	}
	if (o->slots && (cli_parse_u64(&v, o->slots) < 0 || v < 1 || v > 64))
		return cli_usage_error(PAGE, "devnet up", "--slots: expected 1 to 64");
	if (o->runner && strcmp(o->runner, "oci") != 0 && strcmp(o->runner, "local") != 0)
		return cli_usage_error(PAGE, "devnet up", "--runner: expected oci or local");
	if (o->chain && strcmp(o->chain, "anvil") != 0 && strcmp(o->chain, "node") != 0)
		return cli_usage_error(PAGE, "devnet up", "--chain: expected node or anvil");
	n.anvil = o->chain && strcmp(o->chain, "anvil") == 0;
	if (!n.anvil && (o->anvil || o->artifacts))
		return cli_usage_error(PAGE, "devnet up",
				       "--anvil and --artifacts go with --chain anvil");
	if (decc_file_mkdirs(o->dir, 0700) < 0)
		return cli_fail("devnet up");
	if (!realpath(o->dir, abs))
		return cli_failx("devnet up: %s: %s", o->dir, strerror(errno));
	n.dir = abs;
	sl = readlink("/proc/self/exe", n.self, sizeof(n.self) - 1);
	if (sl <= 0)
		return cli_failx("devnet up: cannot find the decc binary (/proc/self/exe)");
	n.self[sl] = 0;
	if (n.anvil && find_tools(&n, artifacts, o) < 0)
		return cli_fail("devnet up --chain anvil");

	/* one devnet per directory: the supervisor holds DIR/devnet.lock */
	snprintf(path, sizeof(path), "%s/devnet.lock", n.dir);
	lock = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lock < 0)
		return cli_failx("devnet up: %s: %s", path, strerror(errno));
	if (flock(lock, LOCK_EX | LOCK_NB) < 0) {
		long pid = 0;

		if (devnet_read(&old, n.dir) == 0)
			pid = (long)json_integer_value(
			    json_object_get(json_object_get(old, "pids"), "supervisor"));
		json_decref(old);
		close(lock);
		if (pid)
			return cli_failx("devnet up: a devnet is already running in %s (supervisor "
					 "PID %ld); stop it with 'decc devnet down --dir %s'",
					 n.dir, pid, o->dir);
		return cli_failx("devnet up: a devnet is already starting or running in %s", n.dir);
	}

	if (n.port_base && ports_free(n.port_base, n.anvil ? 5 : 4) < 0) {
		close(lock);
		return cli_failx("devnet up: --port-base %u: %s; nothing was started", n.port_base,
				 decc_error_last());
	}

	if (o->detach) {
		char msg[1024];
		size_t got = 0;
		pid_t pid;

		if (pipe2(ready, O_CLOEXEC) < 0)
			return cli_failx("devnet up: pipe: %s", strerror(errno));
		fflush(NULL);
		pid = fork();
		if (pid < 0)
			return cli_failx("devnet up: fork: %s", strerror(errno));
		if (pid > 0) {
			/* the foreground part: wait for the supervisor to say it is ready */
			close(ready[1]);
			close(lock);
			/* "R", or "E" and the supervisor's error message */
			for (;;) {
				ssize_t k = read(ready[0], msg + got, sizeof(msg) - 1 - got);

				if (k < 0 && errno == EINTR)
					continue;
				if (k <= 0)
					break;
				got += (size_t)k;
				if (got == sizeof(msg) - 1)
					break;
			}
			msg[got] = 0;
			close(ready[0]);
			if (got && msg[0] == 'E')
				return cli_failx("%s", msg + 1);
			if (!got || msg[0] != 'R')
				return cli_failx(
				    "devnet up: the devnet did not start (see %s/logs)", n.dir);
			if (devnet_read(&desc, n.dir) < 0)
				return cli_fail("devnet up");
			if (cli->json)
				r = cli_print_json(cli, desc);
			else {
				summary(stdout, desc);
				printf(
				    "   the supervisor runs in the background: 'decc devnet down "
				    "--dir %s' stops it\n",
				    o->dir);
				r = CLI_EXIT_OK;
			}
			json_decref(desc);
			return r;
		}
		close(ready[0]);
		setsid();
		decc_http_client_drop_cache(); /* the parent's kept-alive connections stay its own */
	}

	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* fresh state: the previous run's chain, wallets and daemons' data go */
	snprintf(path, sizeof(path), "%s/devnet.json", n.dir);
	unlink(path);
	{
		static const char *const subs[] = {
			"node",
			"store",
			"sms",
			"scheduler",
			"work",
			"wallets",
			"logs",
			"market",
			"genesis.json",
			"platform.key",
			"anvil-admin.key",
		};

		for (size_t i = 0; i < DECC_ARRAY_SIZE(subs); i++)
			if ((r = rm_rf(n.dir, subs[i])) < 0)
				goto fail_early;
	}
	snprintf(n.logs, sizeof(n.logs), "%s/logs", n.dir);
	snprintf(n.pw, sizeof(n.pw), "%s/password", n.dir);
	if ((r = decc_file_mkdirs(n.logs, 0700)) < 0 ||
	    (r = decc_file_write_atomic(n.pw, PASSWORD "\n", strlen(PASSWORD) + 1, 0600,
					DECC_FILE_REPLACE)) < 0)
		goto fail_early;
	snprintf(path, sizeof(path), "%s/devnet.log", n.logs);
	n.log = fopen(path, "ae");
	dlog(&n, "starting in %s (%u worker(s))", n.dir, nworkers);

	r = bring_up(&n, o, nworkers, &desc);
	if (r == 0)
		r = write_json(n.dir, desc);
	if (r < 0) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", decc_error_last());
		dlog(&n, "failed: %s", msg);
		stop_all(&n);
		if (n.log)
			fclose(n.log);
		json_decref(desc);
		close(lock);
		return fail_up(o->detach ? ready[1] : -1, "devnet up: %s (logs in %s)", msg,
			       n.logs);
	}
	dlog(&n, "ready: %s/devnet.json", n.dir);
	if (o->detach) {
		int nul = open("/dev/null", O_RDWR);

		if (write(ready[1], "R", 1) != 1)
			dlog(&n, "the foreground process is gone");
		close(ready[1]);
		if (nul >= 0) {
			dup2(nul, 0);
			dup2(nul, 1);
			dup2(nul, 2);
			close(nul);
		}
	} else if (cli->json) {
		cli_print_json(cli, desc);
		fflush(stdout);
	} else {
		summary(stdout, desc);
		printf("   supervising (Ctrl-C or 'decc devnet down --dir %s' stops everything)\n",
		       o->dir);
		fflush(stdout);
	}
	json_decref(desc);

	/* supervise: report a daemon that dies; stop everything on SIGTERM/SIGINT */
	while (!dn_stop) {
		int st;
		pid_t p = waitpid(-1, &st, WNOHANG);

		if (p > 0) {
			for (size_t i = 0; i < n.nd; i++)
				if (n.d[i].pid == p) {
					dlog(&n,
					     "%s (PID %d) exited unexpectedly (status %d, see "
					     "logs/%s.log)",
					     n.d[i].name, (int)p,
					     WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st),
					     n.d[i].name);
					n.d[i].pid = 0;
				}
			continue;
		}
		usleep(200000);
	}
	dlog(&n, "stopping");
	stop_all(&n);
	snprintf(path, sizeof(path), "%s/devnet.json", n.dir);
	unlink(path);
	dlog(&n, "stopped");
	if (n.log)
		fclose(n.log);
	close(lock);
	return CLI_EXIT_OK;
fail_early:
	close(lock);
	return fail_up(o->detach ? ready[1] : -1, "devnet up: %s", decc_error_last());
}

/*
 * A PID of devnet.json that still runs the decc binary that started the devnet ("exe" of
 * devnet.json; this binary when absent), not a recycled PID. A binary rebuilt since reads
 * as "PATH (deleted)" in /proc: still the same program.
 */
static bool runs_decc(long pid, const char *exe);

/* A PID of devnet.json still running its program: anvil's is anvilExe, the others decc. */
static bool runs_member(json_t *desc, const char *name, long pid)
{
	const char *exe = json_string_value(json_object_get(desc, "exe"));

	if (strcmp(name, "anvil") == 0) {
		exe = json_string_value(json_object_get(desc, "anvilExe"));
		if (!exe)
			return false;
	}
	return runs_decc(pid, exe);
}

/* A process that exited but was not reaped (its parent gone, nobody reaping) still takes
 * kill(pid, 0): read its state from /proc. */
static bool zombie(long pid)
{
	char p[64], buf[512], *close_paren;
	FILE *f;
	size_t k;

	snprintf(p, sizeof(p), "/proc/%ld/stat", pid);
	if (!(f = fopen(p, "re")))
		return false;
	k = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[k] = 0;
	close_paren = strrchr(buf, ')');
	return close_paren && close_paren[1] == ' ' && close_paren[2] == 'Z';
}

static bool alive_pid(long pid)
{
	return pid > 0 && kill((pid_t)pid, 0) == 0 && !zombie(pid);
}

static bool runs_decc(long pid, const char *exe)
{
	static const char deleted[] = " (deleted)";
	char p[64], a[PATH_MAX_], b[PATH_MAX_];
	ssize_t la, lb;

	if (!alive_pid(pid))
		return false;
	snprintf(p, sizeof(p), "/proc/%ld/exe", pid);
	la = readlink(p, a, sizeof(a) - 1);
	if (exe && strlen(exe) < sizeof(b)) {
		lb = (ssize_t)strlen(exe);
		memcpy(b, exe, (size_t)lb);
	} else {
		lb = readlink("/proc/self/exe", b, sizeof(b) - 1);
	}
	if (la <= 0 || lb <= 0)
		return true; /* cannot tell: trust kill(0) */
	a[la] = b[lb] = 0;
	if ((size_t)la > sizeof(deleted) - 1 &&
	    strcmp(a + la - (sizeof(deleted) - 1), deleted) == 0)
		a[la - (sizeof(deleted) - 1)] = 0;
	return strcmp(a, b) == 0;
}

static int devnet_down(struct cli *cli, const char *dir)
{
	json_t *desc, *pids, *v;
	const char *k, *exe;
	bool sup_cleaned;
	long sup;
	int i;

	if (!dir)
		return cli_usage_error(PAGE, "devnet down", "--dir DIR is required");
	if (devnet_read(&desc, dir) < 0) {
		if (decc_error_code() == DECC_ENOTFOUND || errno == ENOENT) {
			/* nothing to stop is not an error: down is idempotent */
			if (cli->json)
				return cli_print_json(
				    cli, json_pack("{s:s, s:b}", "dir", dir, "running", false));
			printf("no devnet runs in %s (no devnet.json): nothing to stop\n", dir);
			return CLI_EXIT_OK;
		}
		return cli_fail("devnet down");
	}
	pids = json_object_get(desc, "pids");
	exe = json_string_value(json_object_get(desc, "exe"));
	sup = (long)json_integer_value(json_object_get(pids, "supervisor"));
	if (runs_decc(sup, exe)) {
		kill((pid_t)sup, SIGTERM);
		for (i = 0; i < 300 && alive_pid(sup); i++)
			usleep(100000);
		if (alive_pid(sup)) {
			json_decref(desc);
			return cli_failx("devnet down: the supervisor (PID %ld) is still running "
					 "after 30 s",
					 sup);
		}
		/* exited: give its parent (init or a subreaper) a moment to reap it */
		for (i = 0; i < 30 && kill((pid_t)sup, 0) == 0; i++)
			usleep(100000);
	}
	{
		char path[PATH_MAX_ + 16];

		snprintf(path, sizeof(path), "%s/devnet.json", dir);
		sup_cleaned = !decc_file_exists(path);
	}
	if (!sup_cleaned) {
		/* the supervisor died without cleaning up: stop what it left */
		json_object_foreach(pids, k, v)
		{
			long p = (long)json_integer_value(v);

			if (strcmp(k, "supervisor") != 0 && runs_member(desc, k, p))
				kill((pid_t)p, SIGTERM);
		}
		for (i = 0; i < 100; i++) {
			bool any = false;

			json_object_foreach(pids, k, v) any =
			    any || (strcmp(k, "supervisor") != 0 &&
				    runs_member(desc, k, (long)json_integer_value(v)));
			if (!any)
				break;
			usleep(100000);
		}
		{
			char path[PATH_MAX_ + 16];

			snprintf(path, sizeof(path), "%s/devnet.json", dir);
			unlink(path);
		}
	}
	json_decref(desc);
	if (cli->json)
		return cli_print_json(cli,
				      json_pack("{s:s, s:I}", "stopped", dir, (json_int_t)sup));
	printf("devnet in %s stopped\n", dir);
	return CLI_EXIT_OK;
}

static int devnet_status(struct cli *cli, const char *dir)
{
	json_t *desc, *pids, *v, *res, *procs;
	const char *k;
	bool all = true;
	int r;

	if (!dir)
		return cli_usage_error(PAGE, "devnet status", "--dir DIR is required");
	if (devnet_read(&desc, dir) < 0) {
		if (cli->json)
			return cli_print_json(
			    cli, json_pack("{s:s, s:b}", "dir", dir, "running", false));
		printf("no devnet runs in %s\n", dir);
		return CLI_EXIT_OK;
	}
	pids = json_object_get(desc, "pids");
	procs = json_object();
	json_object_foreach(pids, k, v)
	{
		long p = (long)json_integer_value(v);
		bool up = runs_member(desc, k, p);

		all = all && up;
		json_object_set_new(procs, k,
				    json_pack("{s:I, s:b}", "pid", (json_int_t)p, "running", up));
	}
	if (cli->json) {
		res = json_pack("{s:s, s:b, s:o, s:O}", "dir", dir, "running", all, "processes",
				procs, "devnet", desc);
		json_decref(desc);
		return cli_print_json(cli, res);
	}
	printf("devnet in %s: %s\n", dir, all ? "running" : "DEGRADED (a process is gone)");
	json_object_foreach(procs, k, v)
	{
		const char *url = json_string_value(json_object_get(desc, k));

		printf("   %-12s PID %-8lld %-8s %s\n", k,
		       (long long)json_integer_value(json_object_get(v, "pid")),
		       json_is_true(json_object_get(v, "running")) ? "running" : "STOPPED",
		       url ? url
			   : (strcmp(k, "node") == 0
				  ? json_string_value(json_object_get(desc, "rpc"))
				  : ""));
	}
	printf("   workerpool   %s\n", json_string_value(json_object_get(desc, "workerpool")));
	json_decref(procs);
	json_decref(desc);
	r = CLI_EXIT_OK;
	return r;
}

int cmd_devnet(struct cli *cli, int argc, char **argv)
{
	struct up_opts o = { 0 };
	const struct opt opts[] = {
		OPT_STRING("dir", &o.dir),
		OPT_STRING("port-base", &o.port_base),
		OPT_STRING("workers", &o.workers),
		OPT_STRING("runner", &o.runner),
		OPT_STRING("apps-dir", &o.apps_dir),
		OPT_STRING("slots", &o.slots),
		OPT_FLAG("detach", &o.detach),
		OPT_STRING("chain", &o.chain),
		OPT_STRING("anvil", &o.anvil),
		OPT_STRING("artifacts", &o.artifacts),
		OPT_END,
	};
	struct opt_args args;
	char *pos[1];
	bool done;
	int r;

	r = cli_parse(cli, PAGE, "devnet", opts, argc - 1, argv + 1, &args, pos, 1, &done);
	if (done)
		return r;
	if (args.npos == 0)
		return cli_usage_error(PAGE, "devnet", "missing subcommand (up, down, status)");
	if (strcmp(args.pos[0], "up") == 0)
		return devnet_up(cli, &o);
	if (strcmp(args.pos[0], "down") == 0)
		return devnet_down(cli, o.dir);
	if (strcmp(args.pos[0], "status") == 0)
		return devnet_status(cli, o.dir);
	return cli_usage_error(PAGE, "devnet", "unknown subcommand '%s'", args.pos[0]);
}
