/* SPDX-License-Identifier: Apache-2.0 */
/*
 * decc_sandbox_run(): bwrap for namespaces and mounts, our seccomp filter, cgroup v1 or rlimit
 * limits, a wall-clock deadline and bounded output capture.
 *
 * Why bwrap and not our own clone(): it is a small, audited setuid-free tool that already gets
 * pivot_root, mount propagation, /proc and /dev, uid maps and capability dropping right, and it
 * works both as root and as an unprivileged user (needed for the nested app sandbox). The cost
 * is ~3 ms of start-up (docs/BENCHMARKS.md).
 *
 * Process tree: we fork a child that waits until it is in the job cgroups, then execs bwrap.
 * bwrap forks the namespace's pid 1 (with --die-with-parent), which starts the program. Killing
 * the outer bwrap therefore kills pid 1, and the kernel kills everything else in the pid
 * namespace; with cgroups we also kill whatever the job cgroup still holds.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/openat2.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "decc/error.h"
#include "sandbox/internal.h"

#define FD_FLOOR 10 /* pipe ends live above the four fds the child sets up */

/* ---- argument vector built before fork (no allocation after fork) ---- */

struct strv {
	char **v;
	size_t n, cap;
};

static void strv_release(struct strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}

static int strv_add(struct strv *s, const char *str)
{
	char *copy;

	if (s->n + 2 > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		char **v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return decc_error_set(DECC_ENOMEM, "sandbox: out of memory");
		s->v = v;
		s->cap = cap;
	}
	copy = strdup(str);
	if (!copy)
		return decc_error_set(DECC_ENOMEM, "sandbox: out of memory");
	s->v[s->n++] = copy;
	s->v[s->n] = NULL;
	return 0;
}

static int strv_addf(struct strv *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int strv_addf(struct strv *s, const char *fmt, ...)
{
	char tmp[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	return strv_add(s, tmp);
}

/* ---- spec checks ---- */

static bool inside_path_ok(const char *p)
{
	size_t n;

	if (!p || p[0] != '/' || strlen(p) >= PATH_MAX)
		return false;
	for (const char *c = p; *c; c = strchr(c, '/') ? strchr(c, '/') + 1 : c + strlen(c)) {
		n = strcspn(c, "/");
		if (n == 2 && c[0] == '.' && c[1] == '.')
			return false;
	}
	return true;
}

/*
 * The rootfs is bound read-only before anything is mounted on it, so every mount point must
 * already exist there. Create the missing ones (directories, or an empty file for a file bind)
 * without following any symlink, so a hostile rootfs cannot make us create things elsewhere.
 */
static int ensure_mountpoint(int rootfd, const char *rootfs, const char *dst, bool file)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC,
				.resolve =
				    RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS };
	char path[PATH_MAX];
	char *p = path, *slash;
	int dirfd = -1, fd;

	snprintf(path, sizeof(path), "%s", dst + 1);
	if (!path[0])
		return 0; /* "/" itself */
	fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	dirfd = fcntl(rootfd, F_DUPFD_CLOEXEC, 0);
	if (dirfd < 0)
		return decc_error_set(DECC_ERROR, "sandbox: dup: %s", strerror(errno));
	for (;;) {
		bool last;
		int next;

		slash = strchr(p, '/');
		if (slash)
			*slash = 0;
		last = !slash || !slash[1];
		if (!*p) {
			if (last)
				break;
			p = slash + 1;
			continue;
		}
		if (last && file) {
			fd = openat(dirfd, p, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
			if (fd < 0)
				goto fail;
			close(fd);
			break;
		}
		if (mkdirat(dirfd, p, 0755) < 0 && errno != EEXIST)
			goto fail;
		next = openat(dirfd, p, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0)
			goto fail;
		close(dirfd);
		dirfd = next;
		if (last)
			break;
		p = slash + 1;
	}
	close(dirfd);
	return 0;
fail:
	fd = errno;
	close(dirfd);
	return decc_error_set(DECC_ERROR,
			      "sandbox: mount point %s is missing in %s and cannot be created "
			      "(%s); create it in the root file system",
			      dst, rootfs, strerror(fd));
}

static int check_spec(const struct decc_sandbox_spec *s)
{
	struct stat st;

	DECC_ENSURE(s && s->rootfs && s->argv && s->argv[0], DECC_EINVAL,
		    "sandbox: rootfs and argv are required");
	DECC_ENSURE(stat(s->rootfs, &st) == 0 && S_ISDIR(st.st_mode), DECC_EINVAL,
		    "sandbox: root file system %s is not a directory", s->rootfs);
	DECC_ENSURE(!s->cwd || inside_path_ok(s->cwd), DECC_EINVAL,
		    "sandbox: working directory must be an absolute path without '..'");
	for (size_t i = 0; i < s->nbinds; i++) {
		const struct decc_sandbox_bind *b = &s->binds[i];

		DECC_ENSURE(b->src && inside_path_ok(b->dst) && strcmp(b->dst, "/") != 0,
			    DECC_EINVAL,
			    "sandbox: bind %zu: bad destination (absolute, not '/', "
			    "no '..')",
			    i);
		DECC_ENSURE(stat(b->src, &st) == 0, DECC_EINVAL, "sandbox: bind source %s: %s",
			    b->src, strerror(errno));
	}
	for (size_t i = 0; i < s->ntmpfs; i++)
		DECC_ENSURE(inside_path_ok(s->tmpfs[i]) && strcmp(s->tmpfs[i], "/") != 0,
			    DECC_EINVAL, "sandbox: tmpfs %zu: bad mount point", i);
	for (size_t i = 0; s->env && s->env[i]; i++)
		DECC_ENSURE(strchr(s->env[i], '=') && s->env[i][0] != '=', DECC_EINVAL,
			    "sandbox: environment entry %zu is not NAME=value", i);
	DECC_ENSURE(s->limits.output_bytes <= DECC_SANDBOX_OUTPUT_MAX, DECC_ELIMIT,
		    "sandbox: output_bytes above %" PRIu64, (uint64_t)DECC_SANDBOX_OUTPUT_MAX);
	return 0;
}

static int prepare_mountpoints(const struct decc_sandbox_spec *s)
{
	int rootfd = open(s->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	int r = 0;
	struct stat st;

	if (rootfd < 0)
		return decc_error_set(DECC_ERROR, "sandbox: open %s: %s", s->rootfs,
				      strerror(errno));
	r = ensure_mountpoint(rootfd, s->rootfs, "/proc", false);
	if (r == 0)
		r = ensure_mountpoint(rootfd, s->rootfs, "/dev", false);
	for (size_t i = 0; r == 0 && i < s->ntmpfs; i++)
		r = ensure_mountpoint(rootfd, s->rootfs, s->tmpfs[i], false);
	for (size_t i = 0; r == 0 && i < s->nbinds; i++) {
		bool file = stat(s->binds[i].src, &st) == 0 && !S_ISDIR(st.st_mode);

		r = ensure_mountpoint(rootfd, s->rootfs, s->binds[i].dst, file);
	}
	close(rootfd);
	return r;
}

/* ---- bwrap location ---- */

static int find_bwrap(char *out, size_t cap, const char *given)
{
	const char *path;

	if (!given)
		given = getenv("DECC_BWRAP");
	if (given) {
		if (access(given, X_OK) == 0 && (size_t)snprintf(out, cap, "%s", given) < cap)
			return 0;
		return decc_error_set(DECC_ENOTFOUND, "sandbox: bwrap %s is not executable", given);
	}
	path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");

		if (n && (size_t)snprintf(out, cap, "%.*s/bwrap", (int)n, path) < cap &&
		    access(out, X_OK) == 0)
			return 0;
		path += n;
		if (*path == ':')
			path++;
	}
	if (access("/usr/bin/bwrap", X_OK) == 0 && cap > 15) {
		snprintf(out, cap, "/usr/bin/bwrap");
		return 0;
	}
	return decc_error_set(DECC_ENOTFOUND,
			      "sandbox: bwrap (bubblewrap) not found in PATH; install it "
			      "(scripts/setup.sh) or set DECC_BWRAP");
}

/*
 * True when we run in a user namespace other than the initial one, i.e. inside another
 * sandbox. There a fresh procfs cannot be mounted: the enclosing bwrap covered parts of its
 * /proc (sys, sysrq-trigger, irq, bus) and the kernel refuses a new proc mount in a child user
 * namespace unless an uncovered one is visible. The nested sandbox then binds the enclosing
 * /proc read-only instead.
 */
static bool in_child_userns(void)
{
	char buf[256];
	unsigned long a, b, c;
	int fd = open("/proc/self/uid_map", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = 0;
	if (sscanf(buf, "%lu %lu %lu", &a, &b, &c) != 3)
		return true;
	return !(a == 0 && b == 0 && c == 4294967295ul && !strchr(buf, '\n')[1]);
}

static int build_args(struct strv *a, const char *bwrap, const struct decc_sandbox_spec *s,
		      uint64_t tmpfs_bytes, bool nested)
{
	uint32_t uid = s->uid ? s->uid : DECC_SANDBOX_NOBODY;
	uint32_t gid = s->gid ? s->gid : DECC_SANDBOX_NOBODY;

	DECC_TRY(strv_add(a, bwrap));
	DECC_TRY(strv_add(a, "--unshare-user"));
	DECC_TRY(strv_add(a, "--unshare-ipc"));
	DECC_TRY(strv_add(a, "--unshare-pid"));
	DECC_TRY(strv_add(a, "--unshare-uts"));
	DECC_TRY(strv_add(a, "--unshare-cgroup-try"));
	if (!(s->flags & DECC_SANDBOX_NETWORK))
		DECC_TRY(strv_add(a, "--unshare-net"));
	if (!(s->flags & DECC_SANDBOX_NESTABLE))
		DECC_TRY(strv_add(a, "--disable-userns"));
	DECC_TRY(strv_add(a, "--uid"));
	DECC_TRY(strv_addf(a, "%" PRIu32, uid));
	DECC_TRY(strv_add(a, "--gid"));
	DECC_TRY(strv_addf(a, "%" PRIu32, gid));
	DECC_TRY(strv_add(a, "--hostname"));
	DECC_TRY(strv_add(a, s->hostname ? s->hostname : "sandbox"));
	DECC_TRY(strv_add(a, "--cap-drop"));
	DECC_TRY(strv_add(a, "ALL"));
	DECC_TRY(strv_add(a, "--die-with-parent"));
	DECC_TRY(strv_add(a, "--new-session"));
	DECC_TRY(strv_add(a, "--ro-bind"));
	DECC_TRY(strv_add(a, s->rootfs));
	DECC_TRY(strv_add(a, "/"));
	if (nested) {
		DECC_TRY(strv_add(a, "--ro-bind"));
		DECC_TRY(strv_add(a, "/proc"));
		DECC_TRY(strv_add(a, "/proc"));
	} else {
		DECC_TRY(strv_add(a, "--proc"));
		DECC_TRY(strv_add(a, "/proc"));
	}
	DECC_TRY(strv_add(a, "--dev"));
	DECC_TRY(strv_add(a, "/dev"));
	for (size_t i = 0; i < s->ntmpfs; i++) {
		DECC_TRY(strv_add(a, "--size"));
		DECC_TRY(strv_addf(a, "%" PRIu64, tmpfs_bytes));
		DECC_TRY(strv_add(a, "--tmpfs"));
		DECC_TRY(strv_add(a, s->tmpfs[i]));
	}
	for (size_t i = 0; i < s->nbinds; i++) {
		DECC_TRY(strv_add(a, s->binds[i].rw ? "--bind" : "--ro-bind"));
		DECC_TRY(strv_add(a, s->binds[i].src));
		DECC_TRY(strv_add(a, s->binds[i].dst));
	}
	DECC_TRY(strv_add(a, "--chdir"));
	DECC_TRY(strv_add(a, s->cwd ? s->cwd : "/"));
	DECC_TRY(strv_add(a, "--seccomp"));
	DECC_TRY(strv_add(a, "3"));
	DECC_TRY(strv_add(a, "--"));
	for (size_t i = 0; s->argv[i]; i++)
		DECC_TRY(strv_add(a, s->argv[i]));
	return 0;
}

/* ---- output capture: the last `cap` bytes of a stream, plus its first bytes ---- */

struct capture {
	int fd; /* read end, -1 at EOF */
	uint8_t *ring;
	size_t cap, pos; /* next write position in ring */
	uint64_t total;
	char head[128]; /* first bytes, to recognise bwrap's own error messages */
	size_t headlen;
};

static void capture_take(struct capture *c, const uint8_t *p, size_t n)
{
	if (c->headlen < sizeof(c->head) - 1) {
		size_t k = sizeof(c->head) - 1 - c->headlen;

		k = k < n ? k : n;
		memcpy(c->head + c->headlen, p, k);
		c->headlen += k;
		c->head[c->headlen] = 0;
	}
	c->total += n;
	if (n >= c->cap) {
		memcpy(c->ring, p + n - c->cap, c->cap);
		c->pos = 0;
		return;
	}
	while (n) {
		size_t k = c->cap - c->pos < n ? c->cap - c->pos : n;

		memcpy(c->ring + c->pos, p, k);
		c->pos = (c->pos + k) % c->cap;
		p += k;
		n -= k;
	}
}

static void capture_read(struct capture *c)
{
	uint8_t buf[65536];
	ssize_t n;

	for (;;) {
		n = read(c->fd, buf, sizeof(buf));
		if (n > 0) {
			capture_take(c, buf, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
			close(c->fd);
			c->fd = -1;
		}
		return;
	}
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int capture_save(const struct capture *c, const char *path)
{
	int fd, r = 0;

	if (!path)
		return 0;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return decc_error_set(DECC_ERROR, "sandbox: cannot create %s: %s", path,
				      strerror(errno));
	if (c->total <= c->cap) {
		r = write_all(fd, c->ring, (size_t)c->total);
	} else {
		r = write_all(fd, c->ring + c->pos, c->cap - c->pos);
		if (r == 0)
			r = write_all(fd, c->ring, c->pos);
	}
	if (close(fd) < 0)
		r = -1;
	if (r < 0)
		return decc_error_set(DECC_ERROR, "sandbox: cannot write %s: %s", path,
				      strerror(errno));
	return 0;
}

/* ---- the child between fork and exec: async-signal-safe calls only ---- */

struct child_plan {
	const char *bwrap;
	char **argv;
	char **env;
	int in_fd, out_fd, err_fd, seccomp_fd, go_fd, report_fd;
	pid_t parent;
	bool rlimit_mode, drop_ids;
	struct decc_sandbox_limits lim;
};

static void set_limit(int res, uint64_t v)
{
	struct rlimit rl = { .rlim_cur = v, .rlim_max = v };

	setrlimit(res, &rl);
}

static __attribute__((noreturn)) void child_fail(const struct child_plan *p, int stage)
{
	int msg[2] = { stage, errno };

	if (write(p->report_fd, msg, sizeof(msg)) < 0) {
		/* nothing more to do */
	}
	_exit(127);
}

static __attribute__((noreturn)) void child_run(const struct child_plan *p)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigset_t none;
	char go;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != p->parent)
		_exit(127);
	for (int sig = 1; sig < NSIG; sig++)
		sigaction(sig, &dfl, NULL); /* fails harmlessly for SIGKILL/SIGSTOP */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* wait until the parent has put us in the job cgroups */
	if (read(p->go_fd, &go, 1) != 1)
		_exit(127);
	if (dup2(p->in_fd, 0) < 0 || dup2(p->out_fd, 1) < 0 || dup2(p->err_fd, 2) < 0 ||
	    dup2(p->seccomp_fd, 3) < 0)
		child_fail(p, 1);
	set_limit(RLIMIT_CORE, 0);
	if (p->lim.cpu_seconds)
		set_limit(RLIMIT_CPU, p->lim.cpu_seconds);
	if (p->lim.file_bytes)
		set_limit(RLIMIT_FSIZE, p->lim.file_bytes);
	if (p->rlimit_mode && p->lim.memory_bytes)
		set_limit(RLIMIT_AS, p->lim.memory_bytes);
	if (p->rlimit_mode && p->lim.pids)
		set_limit(RLIMIT_NPROC, p->lim.pids);
	if (p->drop_ids) {
		if (setgroups(0, NULL) < 0 || setgid(DECC_SANDBOX_NOBODY) < 0 ||
		    setuid(DECC_SANDBOX_NOBODY) < 0)
			child_fail(p, 2);
	}
	/* every other descriptor closes on exec; report_fd is already close-on-exec */
	if (syscall(SYS_close_range, 4u, ~0u, 4u /* CLOSE_RANGE_CLOEXEC */) < 0)
		child_fail(p, 3);
	execve(p->bwrap, p->argv, p->env);
	child_fail(p, 4);
}

/* ---- the parent ---- */

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int high_fd(int fd)
{
	int h;

	if (fd < 0)
		return -1;
	h = fcntl(fd, F_DUPFD_CLOEXEC, FD_FLOOR);
	close(fd);
	return h;
}

static int make_pipe(int p[2], bool nonblock_read)
{
	if (pipe2(p, O_CLOEXEC) < 0)
		return decc_error_set(DECC_ERROR, "sandbox: pipe: %s", strerror(errno));
	p[0] = high_fd(p[0]);
	p[1] = high_fd(p[1]);
	if (p[0] < 0 || p[1] < 0)
		return decc_error_set(DECC_ERROR, "sandbox: fcntl: %s", strerror(errno));
	if (nonblock_read)
		fcntl(p[0], F_SETFL, O_NONBLOCK);
	return 0;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

struct job {
	struct strv args;
	int outp[2], errp[2], gop[2], repp[2];
	int in_fd, seccomp_fd, pidfd;
	struct capture out, err;
	struct sb_cgroup cg;
	bool cgroups;
	pid_t pid;
};

static void job_release(struct job *j)
{
	int *fds[] = { &j->outp[0], &j->outp[1], &j->errp[0], &j->errp[1], &j->gop[0],
		       &j->gop[1],  &j->repp[0], &j->repp[1], &j->in_fd,   &j->seccomp_fd,
		       &j->pidfd,   &j->out.fd,	 &j->err.fd };

	for (size_t i = 0; i < DECC_ARRAY_SIZE(fds); i++)
		close_fd(fds[i]);
	strv_release(&j->args);
	free(j->out.ring);
	free(j->err.ring);
	j->out.ring = j->err.ring = NULL;
}

static void kill_tree(struct job *j)
{
	kill(j->pid, SIGKILL);
}

/* Wait for the tree to end, capturing output; kill it at the deadline. */
static void supervise(struct job *j, uint64_t deadline_us, struct decc_sandbox_result *res,
		      int *status, struct rusage *ru)
{
	bool reaped = false;
	uint64_t drain_until = 0;

	for (;;) {
		struct pollfd pf[3];
		nfds_t n = 0;
		int timeout = 50;
		uint64_t t = now_us();

		if (!reaped && deadline_us && t >= deadline_us && !res->timed_out) {
			res->timed_out = true;
			kill_tree(j);
		}
		if (!reaped) {
			pid_t w = wait4(j->pid, status, WNOHANG, ru);

			if (w == j->pid) {
				reaped = true;
				drain_until = now_us() + 2000000u;
			}
		}
		if (reaped && ((j->out.fd < 0 && j->err.fd < 0) || now_us() >= drain_until))
			break;
		if (j->out.fd >= 0)
			pf[n++] = (struct pollfd){ .fd = j->out.fd, .events = POLLIN };
		if (j->err.fd >= 0)
			pf[n++] = (struct pollfd){ .fd = j->err.fd, .events = POLLIN };
		if (!reaped && j->pidfd >= 0)
			pf[n++] = (struct pollfd){ .fd = j->pidfd, .events = POLLIN };
		if (!reaped && deadline_us && !res->timed_out) {
			uint64_t left = deadline_us > t ? (deadline_us - t) / 1000u + 1 : 0;

			if (j->pidfd >= 0)
				timeout = left < INT_MAX ? (int)left : INT_MAX;
			else if (left < 50)
				timeout = (int)left;
		} else if (!reaped && j->pidfd >= 0) {
			timeout = -1;
		}
		if (poll(pf, n, timeout) < 0 && errno != EINTR)
			break;
		if (j->out.fd >= 0)
			capture_read(&j->out);
		if (j->err.fd >= 0)
			capture_read(&j->err);
	}
	if (!reaped) {
		kill_tree(j);
		wait4(j->pid, status, 0, ru);
	}
}

static void decode_status(struct decc_sandbox_result *res, int status)
{
	if (WIFSIGNALED(status)) {
		res->exit_code = -1;
		res->signal = WTERMSIG(status);
	} else {
		int code = WEXITSTATUS(status);

		/* bwrap reports a program killed by signal s as 128 + s */
		if (code > 128 && code < 128 + 65) {
			res->exit_code = -1;
			res->signal = code - 128;
		} else {
			res->exit_code = code;
		}
	}
}

static int setup_limits(struct job *j, const struct decc_sandbox_spec *s,
			struct decc_sandbox_result *res)
{
	const struct decc_sandbox_limits *l = &s->limits;
	bool want = l->memory_bytes || l->pids;
	uint32_t pids = l->pids;

	if (!want) {
		snprintf(res->notes, sizeof(res->notes), "no memory or pids limit requested");
		return 0;
	}
	/* bwrap's monitor and the namespace's pid 1 count against the pids limit */
	if (pids && pids < UINT32_MAX - 2)
		pids += 2;
	if (!(s->flags & DECC_SANDBOX_NO_CGROUPS) &&
	    sb_cgroup_create(&j->cg, l->memory_bytes, pids) == 0) {
		j->cgroups = true;
		res->cgroups = true;
		snprintf(res->notes, sizeof(res->notes), "limits: cgroup v1%s%s",
			 l->memory_bytes ? " memory" : "", l->pids ? " pids" : "");
		return 0;
	}
	snprintf(res->notes, sizeof(res->notes), "limits: rlimits (%s)%s",
		 (s->flags & DECC_SANDBOX_NO_CGROUPS) ? "cgroups disabled by the caller"
						      : decc_error_last(),
		 l->pids && geteuid() == 0 && !(s->flags & DECC_SANDBOX_DROP_HOST_IDS)
		     ? "; pids limit not enforced for host root"
		     : "");
	decc_error_clear();
	return 0;
}

static int start(struct job *j, const struct decc_sandbox_spec *s, const char *bwrap,
		 struct decc_sandbox_result *res)
{
	struct child_plan plan;
	int msg[2];
	ssize_t n;

	plan =
	    (struct child_plan){ .bwrap = bwrap,
				 .argv = j->args.v,
				 .env = (char **)(s->env ? s->env : (const char *const[]){ NULL }),
				 .in_fd = j->in_fd,
				 .out_fd = j->outp[1],
				 .err_fd = j->errp[1],
				 .seccomp_fd = j->seccomp_fd,
				 .go_fd = j->gop[0],
				 .report_fd = j->repp[1],
				 .parent = getpid(),
				 .rlimit_mode = !j->cgroups,
				 .drop_ids =
				     (s->flags & DECC_SANDBOX_DROP_HOST_IDS) && geteuid() == 0,
				 .lim = s->limits };
	j->pid = fork();
	if (j->pid < 0)
		return decc_error_set(DECC_ERROR, "sandbox: fork: %s", strerror(errno));
	if (j->pid == 0)
		child_run(&plan);
	close_fd(&j->outp[1]);
	close_fd(&j->errp[1]);
	close_fd(&j->gop[0]);
	close_fd(&j->repp[1]);
	j->pidfd = (int)syscall(SYS_pidfd_open, j->pid, 0);
	if (j->cgroups && sb_cgroup_attach(&j->cg, j->pid) < 0) {
		kill(j->pid, SIGKILL);
		waitpid(j->pid, NULL, 0);
		return DECC_ERROR;
	}
	if (write(j->gop[1], "g", 1) != 1) {
		kill(j->pid, SIGKILL);
		waitpid(j->pid, NULL, 0);
		return decc_error_set(DECC_ERROR, "sandbox: cannot release the child");
	}
	close_fd(&j->gop[1]);
	do {
		n = read(j->repp[0], msg, sizeof(msg));
	} while (n < 0 && errno == EINTR);
	if (n == (ssize_t)sizeof(msg)) {
		waitpid(j->pid, NULL, 0);
		return decc_error_set(DECC_ERROR, "sandbox: cannot start %s (step %d): %s", bwrap,
				      msg[0], strerror(msg[1]));
	}
	(void)res;
	return 0;
}

int decc_sandbox_run(struct decc_sandbox_result *out, const struct decc_sandbox_spec *s)
{
	struct decc_sandbox_result res = { 0 };
	struct job j = { .outp = { -1, -1 },
			 .errp = { -1, -1 },
			 .gop = { -1, -1 },
			 .repp = { -1, -1 },
			 .in_fd = -1,
			 .seccomp_fd = -1,
			 .pidfd = -1,
			 .out.fd = -1,
			 .err.fd = -1 };
	char bwrap[PATH_MAX];
	uint64_t t0, deadline = 0, outcap;
	struct rusage ru = { 0 };
	int status = 0, r;
	bool nested;

	DECC_TRY(check_spec(s));
	DECC_TRY(find_bwrap(bwrap, sizeof(bwrap), s->bwrap));
	DECC_TRY(prepare_mountpoints(s));
	outcap = s->limits.output_bytes ? s->limits.output_bytes : DECC_SANDBOX_OUTPUT_DEFAULT;
	j.out.cap = j.err.cap = (size_t)outcap;
	j.out.ring = malloc(j.out.cap);
	j.err.ring = malloc(j.err.cap);
	r = (j.out.ring && j.err.ring) ? 0 : decc_error_set(DECC_ENOMEM, "sandbox: out of memory");
	nested = in_child_userns();
	if (r == 0)
		r = build_args(&j.args, bwrap, s,
			       s->limits.tmpfs_bytes ? s->limits.tmpfs_bytes
						     : DECC_SANDBOX_TMPFS_DEFAULT,
			       nested);
	if (r == 0)
		r = make_pipe(j.outp, true);
	if (r == 0)
		r = make_pipe(j.errp, true);
	if (r == 0)
		r = make_pipe(j.gop, false);
	if (r == 0)
		r = make_pipe(j.repp, false);
	if (r == 0) {
		j.in_fd = high_fd(
		    open(s->stdin_path ? s->stdin_path : "/dev/null", O_RDONLY | O_CLOEXEC));
		if (j.in_fd < 0)
			r = decc_error_set(DECC_ERROR, "sandbox: cannot open stdin %s: %s",
					   s->stdin_path ? s->stdin_path : "/dev/null",
					   strerror(errno));
	}
	if (r == 0) {
		r = sb_seccomp_fd(&j.seccomp_fd, s->flags);
		if (r == 0)
			j.seccomp_fd = high_fd(j.seccomp_fd);
	}
	if (r == 0)
		r = setup_limits(&j, s, &res);
	if (r == 0 && nested) {
		size_t used = strlen(res.notes);

		snprintf(res.notes + used, sizeof(res.notes) - used,
			 "; nested: /proc of the enclosing sandbox bound read-only");
	}
	if (r < 0)
		goto done;
	j.out.fd = j.outp[0];
	j.err.fd = j.errp[0];
	j.outp[0] = j.errp[0] = -1;
	t0 = now_us();
	if (s->limits.wall_ms)
		deadline = t0 + s->limits.wall_ms * 1000u;
	r = start(&j, s, bwrap, &res);
	if (r < 0)
		goto done;
	supervise(&j, deadline, &res, &status, &ru);
	res.wall_us = now_us() - t0;
	res.user_us = (uint64_t)ru.ru_utime.tv_sec * 1000000u + (uint64_t)ru.ru_utime.tv_usec;
	res.sys_us = (uint64_t)ru.ru_stime.tv_sec * 1000000u + (uint64_t)ru.ru_stime.tv_usec;
	decode_status(&res, status);
	if (res.timed_out) {
		res.exit_code = -1;
		res.signal = SIGKILL;
	}
	res.stdout_bytes = j.out.total;
	res.stderr_bytes = j.err.total;
	res.stdout_truncated = j.out.total > j.out.cap;
	res.stderr_truncated = j.err.total > j.err.cap;
	if (!res.timed_out && res.exit_code == 1 && strncmp(j.err.head, "bwrap: ", 7) == 0) {
		char *nl = strchr(j.err.head, '\n');

		if (nl)
			*nl = 0;
		r = decc_error_set(DECC_ERROR, "sandbox setup failed: %s", j.err.head);
		goto done;
	}
	r = capture_save(&j.out, s->stdout_path);
	if (r == 0)
		r = capture_save(&j.err, s->stderr_path);
done:
	if (j.cgroups)
		sb_cgroup_finish(&j.cg, &res);
	job_release(&j);
	if (r == 0)
		*out = res;
	return r;
}

int decc_sandbox_check(const char *given)
{
	struct decc_sandbox_spec spec = { .rootfs = "/",
					  .argv = (const char *const[]){ "true", NULL },
					  .env =
					      (const char *const[]){ "PATH=/usr/bin:/bin", NULL },
					  .bwrap = given };
	struct decc_sandbox_result res;

	DECC_TRY(decc_sandbox_run(&res, &spec));
	DECC_ENSURE(res.exit_code == 0, DECC_ERROR,
		    "sandbox: a trivial sandboxed command failed (exit %d, signal %d)",
		    res.exit_code, res.signal);
	return 0;
}
