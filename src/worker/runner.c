/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The interim standard runner: a local app executable, found by its sha256 (the registered
 * checksum), run under bubblewrap with only /usr, /iexec_in and /iexec_out visible.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "decc/crypto.h"
#include "decc/error.h"
#include "decc/worker.h"

struct local {
	char *dir;
};

static int file_sha256(uint8_t out[32], const char *path)
{
	struct decc_sha256 *h = NULL;
	uint8_t buf[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0)
		return decc_error_set(DECC_ERROR, "cannot open %s: %s", path, strerror(errno));
	r = decc_sha256_new(&h);
	while (r == 0 && (n = read(fd, buf, sizeof(buf))) > 0)
		r = decc_sha256_update(h, buf, (size_t)n);
	if (r == 0 && n < 0)
		r = decc_error_set(DECC_ERROR, "cannot read %s: %s", path, strerror(errno));
	if (r == 0)
		r = decc_sha256_final(h, out);
	decc_sha256_free(h);
	close(fd);
	return r;
}

/* The executable of the app: out gets a heap path. */
static int find_app(char **out, const char *dir, const struct decc_worker_job *job)
{
	static const uint8_t zero[32];
	bool by_name = memcmp(job->app_checksum, zero, 32) == 0;
	const char *base = strrchr(job->app_multiaddr, '/');
	DIR *d = opendir(dir);
	struct dirent *e;
	int r = DECC_ENOTFOUND;

	base = base ? base + 1 : job->app_multiaddr;
	if (!d)
		return decc_error_set(DECC_ERROR, "cannot open the apps directory %s: %s", dir,
				      strerror(errno));
	while (r == DECC_ENOTFOUND && (e = readdir(d))) {
		char path[4096];
		struct stat st;
		uint8_t h[32];

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) < 0 || !S_ISREG(st.st_mode) || !(st.st_mode & 0111))
			continue;
		if (by_name ? strcmp(e->d_name, base) != 0
			    : (file_sha256(h, path) < 0 || memcmp(h, job->app_checksum, 32) != 0))
			continue;
		*out = strdup(path);
		r = *out ? 0 : decc_error_set(DECC_ENOMEM, "out of memory");
	}
	closedir(d);
	if (r == DECC_ENOTFOUND)
		decc_error_set(r,
			       "app %s is not in %s (no executable with its checksum%s): put it "
			       "there",
			       job->app_multiaddr, dir, by_name ? " or name" : "");
	return r;
}

static int local_prepare(void *ctx, const struct decc_worker_job *job)
{
	struct local *l = ctx;
	char *app = NULL;

	DECC_TRY(find_app(&app, l->dir, job));
	free(app);
	return 0;
}

static int push(const char **argv, size_t *n, size_t cap, const char *s)
{
	if (*n + 1 >= cap)
		return decc_error_set(DECC_ELIMIT, "too many sandbox arguments");
	argv[(*n)++] = s;
	return 0;
}

static int local_run(void *ctx, struct decc_worker_run_result *res,
		     const struct decc_worker_job *job)
{
	struct local *l = ctx;
	const char *argv[8192];
	char *app = NULL;
	size_t n = 0;
	int r = 0, status = 0, ofd, efd;
	pid_t pid;
	struct timespec start, now;

	DECC_TRY(find_app(&app, l->dir, job));
	static const char *const fixed[] = {
		"bwrap",	 "--ro-bind",  "/usr",		"/usr",
		"--symlink",	 "usr/lib",    "/lib",		"--symlink",
		"usr/lib64",	 "/lib64",     "--symlink",	"usr/bin",
		"/bin",		 "--symlink",  "usr/sbin",	"/sbin",
		"--proc",	 "/proc",      "--dev",		"/dev",
		"--tmpfs",	 "/tmp",       "--unshare-all", "--die-with-parent",
		"--new-session", "--clearenv", "--chdir",	"/",
	};
	for (size_t i = 0; i < DECC_ARRAY_SIZE(fixed) && r == 0; i++)
		r = push(argv, &n, DECC_ARRAY_SIZE(argv), fixed[i]);
	const char *binds[] = { "--ro-bind", app,      "/app",	     "--ro-bind", job->in_dir,
				"/iexec_in", "--bind", job->out_dir, "/iexec_out" };
	for (size_t i = 0; i < DECC_ARRAY_SIZE(binds) && r == 0; i++)
		r = push(argv, &n, DECC_ARRAY_SIZE(argv), binds[i]);
	/* --setenv NAME VALUE needs the pieces split: keep copies */
	char *envcopy[512] = { 0 };
	size_t ne = 0;

	for (size_t i = 0; job->env && job->env[i] && r == 0; i++) {
		char *eq;

		if (ne >= DECC_ARRAY_SIZE(envcopy)) {
			r = decc_error_set(DECC_ELIMIT, "too many environment variables");
			break;
		}
		envcopy[ne] = strdup(job->env[i]);
		if (!envcopy[ne] || !(eq = strchr(envcopy[ne], '='))) {
			r = decc_error_set(DECC_EINVAL, "bad environment entry");
			break;
		}
		*eq = 0;
		r = push(argv, &n, DECC_ARRAY_SIZE(argv), "--setenv");
		if (r == 0)
			r = push(argv, &n, DECC_ARRAY_SIZE(argv), envcopy[ne]);
		if (r == 0)
			r = push(argv, &n, DECC_ARRAY_SIZE(argv), eq + 1);
		ne++;
	}
	if (r == 0)
		r = push(argv, &n, DECC_ARRAY_SIZE(argv), "--");
	if (r == 0)
		r = push(argv, &n, DECC_ARRAY_SIZE(argv), "/app");
	for (size_t i = 0; job->args && job->args[i] && r == 0; i++)
		r = push(argv, &n, DECC_ARRAY_SIZE(argv), job->args[i]);
	argv[n] = NULL;
	if (r < 0)
		goto out;
	ofd = open(job->stdout_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	efd = open(job->stderr_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (ofd < 0 || efd < 0) {
		r = decc_error_set(DECC_ERROR, "cannot create the app's log files: %s",
				   strerror(errno));
		if (ofd >= 0)
			close(ofd);
		if (efd >= 0)
			close(efd);
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	pid = fork();
	if (pid == 0) {
		int nul = open("/dev/null", O_RDONLY);

		dup2(nul, 0);
		dup2(ofd, 1);
		dup2(efd, 2);
		setpgid(0, 0);
		execvp("bwrap", (char *const *)argv);
		_exit(127);
	}
	close(ofd);
	close(efd);
	if (pid < 0) {
		r = decc_error_set(DECC_ERROR, "cannot fork: %s", strerror(errno));
		goto out;
	}
	memset(res, 0, sizeof(*res));
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);
		struct timespec ts = { 0, 50 * 1000000L };

		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			r = decc_error_set(DECC_ERROR, "waitpid: %s", strerror(errno));
			goto out;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (job->timeout_s && (uint64_t)(now.tv_sec - start.tv_sec) >= job->timeout_s &&
		    !res->timed_out) {
			res->timed_out = true;
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
		}
		nanosleep(&ts, NULL);
	}
	res->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && !res->timed_out)
		r = decc_error_set(DECC_ERROR, "bwrap could not run the app (exit 127)");
out:
	for (size_t i = 0; i < ne; i++)
		free(envcopy[i]);
	free(app);
	return r;
}

static void local_free(void *ctx)
{
	struct local *l = ctx;

	if (l) {
		free(l->dir);
		free(l);
	}
}

int decc_worker_runner_local(struct decc_worker_runner *out, const char *apps_dir)
{
	struct local *l = calloc(1, sizeof(*l));

	if (!l || !(l->dir = strdup(apps_dir))) {
		free(l);
		return decc_error_set(DECC_ENOMEM, "out of memory");
	}
	memset(out, 0, sizeof(*out));
	out->name = "local+bwrap";
	out->tee = false;
	out->ctx = l;
	out->prepare = local_prepare;
	out->run = local_run;
	out->free = local_free;
	return 0;
}

/* ---- iexec_args ---- */
void decc_worker_strv_free(char **v)
{
	if (!v)
		return;
	for (size_t i = 0; v[i]; i++)
		free(v[i]);
	free(v);
}

int decc_worker_split_args(char ***out, size_t *n, const char *s)
{
	char **v = NULL;
	size_t count = 0;
	struct decc_buf w = DECC_BUF_INIT;
	int r = 0;

	if (strlen(s) > (1u << 20))
		return decc_error_set(DECC_ELIMIT, "iexec_args longer than 1 MiB");
	while (r == 0) {
		bool word = false;
		char q = 0;

		while (*s == ' ' || *s == '\t' || *s == '\n')
			s++;
		if (!*s)
			break;
		decc_buf_reset(&w);
		for (; *s && r == 0; s++) {
			if (q) {
				if (*s == q)
					q = 0;
				else if (q == '"' && *s == '\\' && s[1] && strchr("\"\\$`", s[1]))
					r = decc_buf_append_byte(&w, (uint8_t) * ++s);
				else
					r = decc_buf_append_byte(&w, (uint8_t)*s);
			} else if (*s == '\'' || *s == '"') {
				q = *s;
				word = true;
			} else if (*s == '\\') {
				if (!s[1]) {
					r = decc_error_set(DECC_EINVAL, "iexec_args end with \\");
					break;
				}
				r = decc_buf_append_byte(&w, (uint8_t) * ++s);
				word = true;
			} else if (*s == ' ' || *s == '\t' || *s == '\n') {
				break;
			} else {
				r = decc_buf_append_byte(&w, (uint8_t)*s);
				word = true;
			}
		}
		if (r == 0 && q)
			r = decc_error_set(DECC_EINVAL, "iexec_args have an unbalanced %c quote",
					   q);
		if (r < 0 || !word)
			break;
		if (count >= 4096) {
			r = decc_error_set(DECC_ELIMIT, "iexec_args have more than 4096 words");
			break;
		}
		char **nv = realloc(v, (count + 2) * sizeof(*v));

		if (!nv || !(nv[count] = strdup(decc_buf_str(&w)))) {
			if (nv)
				v = nv;
			r = decc_error_set(DECC_ENOMEM, "out of memory");
			break;
		}
		v = nv;
		v[++count] = NULL;
	}
	decc_buf_release(&w);
	if (r == 0 && !v) {
		v = calloc(1, sizeof(*v));
		if (!v)
			r = decc_error_set(DECC_ENOMEM, "out of memory");
	}
	if (r < 0) {
		if (v)
			v[count] = NULL;
		decc_worker_strv_free(v);
		return r;
	}
	*out = v;
	*n = count;
	return 0;
}
