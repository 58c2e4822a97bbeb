/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cgroup v1 limits of a sandbox job. A job gets a child of the caller's own memory cgroup and
 * of its own pids cgroup (paths from /proc/self/cgroup), so a daemon confined by its operator
 * stays confined; the children are removed when the job ends. cgroup v2-only hosts and
 * sandboxes without /sys/fs/cgroup make sb_cgroup_create() fail, and the caller uses rlimits.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "decc/error.h"
#include "sandbox/internal.h"

#define CG_ROOT "/sys/fs/cgroup"

static atomic_uint job_counter;

/* The path of our cgroup in the v1 hierarchy holding `controller`. */
static int own_path(char *out, size_t cap, const char *controller)
{
	FILE *f = fopen("/proc/self/cgroup", "re");
	char line[1024];
	int r = DECC_ENOTFOUND;

	if (!f)
		return decc_error_set(DECC_ERROR, "cannot read /proc/self/cgroup: %s",
				      strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char *c1 = strchr(line, ':'), *c2, *nl;

		if (!c1 || !(c2 = strchr(c1 + 1, ':')))
			continue;
		*c2 = 0;
		/* the controller list may name several controllers: "cpu,cpuacct" */
		for (char *tok = strtok(c1 + 1, ","); tok; tok = strtok(NULL, ","))
			if (strcmp(tok, controller) == 0) {
				nl = strchr(c2 + 1, '\n');
				if (nl)
					*nl = 0;
				if ((size_t)snprintf(out, cap, "%s", c2 + 1) < cap)
					r = 0;
			}
	}
	fclose(f);
	if (r < 0)
		return decc_error_set(r, "no cgroup v1 '%s' hierarchy in /proc/self/cgroup",
				      controller);
	return 0;
}

static int write_file(const char *dir, const char *name, const char *value)
{
	char path[640];
	int fd;
	ssize_t w;
	size_t n = strlen(value);

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return decc_error_set(DECC_ERROR, "cgroup: cannot open %s: %s", path,
				      strerror(errno));
	w = write(fd, value, n);
	close(fd);
	if (w != (ssize_t)n)
		return decc_error_set(DECC_ERROR, "cgroup: cannot write %s: %s", path,
				      w < 0 ? strerror(errno) : "short write");
	return 0;
}

static int read_file(const char *dir, const char *name, char *buf, size_t cap)
{
	char path[640];
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, cap - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	return 0;
}

/* "key value" lines: the value of key, or 0. */
static uint64_t keyed_value(const char *text, const char *key)
{
	size_t kl = strlen(key);

	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, key, kl) == 0 && p[kl] == ' ')
			return strtoull(p + kl + 1, NULL, 10);
	return 0;
}

static int make_child(char *out, size_t cap, const char *controller, unsigned id)
{
	char own[400];

	DECC_TRY(own_path(own, sizeof(own), controller));
	if ((size_t)snprintf(out, cap, CG_ROOT "/%s%s%sdecc-sb-%ld-%u", controller, own,
			     own[strlen(own) - 1] == '/' ? "" : "/", (long)getpid(), id) >= cap)
		return decc_error_set(DECC_ELIMIT, "cgroup path too long");
	if (mkdir(out, 0755) < 0) {
		int e = errno;

		out[0] = 0;
		return decc_error_set(DECC_ERROR, "cgroup: cannot create a %s cgroup: %s",
				      controller, strerror(e));
	}
	return 0;
}

int sb_cgroup_create(struct sb_cgroup *cg, uint64_t memory_bytes, uint32_t pids)
{
	unsigned id = atomic_fetch_add(&job_counter, 1);
	char v[32];
	int r;

	cg->mem[0] = cg->pids[0] = 0;
	if (memory_bytes) {
		r = make_child(cg->mem, sizeof(cg->mem), "memory", id);
		if (r < 0)
			goto fail;
		snprintf(v, sizeof(v), "%" PRIu64, memory_bytes);
		r = write_file(cg->mem, "memory.limit_in_bytes", v);
		if (r < 0)
			goto fail;
		/* swap accounting is optional; when present, swap must not extend the limit */
		if (access(CG_ROOT "/memory/memory.memsw.limit_in_bytes", F_OK) == 0) {
			r = write_file(cg->mem, "memory.memsw.limit_in_bytes", v);
			if (r < 0)
				goto fail;
		}
	}
	if (pids) {
		r = make_child(cg->pids, sizeof(cg->pids), "pids", id);
		if (r < 0)
			goto fail;
		snprintf(v, sizeof(v), "%" PRIu32, pids);
		r = write_file(cg->pids, "pids.max", v);
		if (r < 0)
			goto fail;
	}
	return 0;
fail:
	if (cg->mem[0])
		rmdir(cg->mem);
	if (cg->pids[0])
		rmdir(cg->pids);
	cg->mem[0] = cg->pids[0] = 0;
	return r;
}

int sb_cgroup_attach(const struct sb_cgroup *cg, pid_t pid)
{
	char v[32];

	snprintf(v, sizeof(v), "%ld", (long)pid);
	if (cg->mem[0])
		DECC_TRY(write_file(cg->mem, "cgroup.procs", v));
	if (cg->pids[0])
		DECC_TRY(write_file(cg->pids, "cgroup.procs", v));
	return 0;
}

/* SIGKILL everything in dir until it is empty (bounded), then rmdir it. */
static void drain_and_remove(const char *dir)
{
	char buf[8192];
	struct timespec ts = { 0, 5 * 1000 * 1000 };

	for (int round = 0; round < 200; round++) {
		bool any = false;

		if (read_file(dir, "cgroup.procs", buf, sizeof(buf)) < 0)
			break;
		for (char *p = buf; *p;) {
			char *end;
			long pid = strtol(p, &end, 10);

			if (end == p)
				break;
			if (pid > 0) {
				kill((pid_t)pid, SIGKILL);
				any = true;
			}
			p = end;
			while (*p == '\n')
				p++;
		}
		if (!any && rmdir(dir) == 0)
			return;
		nanosleep(&ts, NULL);
	}
	rmdir(dir);
}

void sb_cgroup_finish(struct sb_cgroup *cg, struct decc_sandbox_result *res)
{
	char buf[2048];

	if (cg->mem[0]) {
		if (read_file(cg->mem, "memory.max_usage_in_bytes", buf, sizeof(buf)) == 0)
			res->memory_peak = strtoull(buf, NULL, 10);
		if (read_file(cg->mem, "memory.oom_control", buf, sizeof(buf)) == 0 &&
		    keyed_value(buf, "oom_kill") > 0)
			res->memory_limit_hit = true;
		drain_and_remove(cg->mem);
		cg->mem[0] = 0;
	}
	if (cg->pids[0]) {
		if (read_file(cg->pids, "pids.events", buf, sizeof(buf)) == 0 &&
		    keyed_value(buf, "max") > 0)
			res->pids_limit_hit = true;
		drain_and_remove(cg->pids);
		cg->pids[0] = 0;
	}
}
