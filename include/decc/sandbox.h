/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Run one program in a sandbox and wait for it.
 *
 * Mechanism: bubblewrap (bwrap) does the namespaces and mounts; decc adds a seccomp filter
 * (libseccomp, exported as BPF and handed to bwrap), cgroup v1 limits (or rlimits when cgroups
 * are not writable), the wall-clock deadline and the bounded capture of stdout/stderr.
 * Inside: own user, mount, pid, ipc, uts and (unless DECC_SANDBOX_NETWORK) net namespaces;
 * uid/gid 65534 (or spec->uid/gid), every capability dropped, no_new_privs, a new session;
 * the root is spec->rootfs bound read-only, then /proc, a minimal /dev, the tmpfs mounts and
 * the binds of the spec. Nothing of the host is visible except what the spec binds.
 *
 * Nesting: a process that itself runs in a sandbox made with DECC_SANDBOX_NESTABLE (the
 * enclave) can call decc_sandbox_run() again for a stricter inner sandbox (the app). It needs
 * bwrap inside its own root (bind the host's /usr or put bwrap in the rootfs), a /tmp (bwrap
 * stages its new root there) and, having no cgroup filesystem, gets rlimits instead of cgroups
 * (the result says so). A fresh procfs cannot be mounted in a nested user namespace, so the
 * inner sandbox (detected as: we run in a user namespace other than the initial one) gets the
 * enclosing sandbox's /proc bound read-only: the program sees the pids and command lines of
 * the enclosing sandbox's processes (not their environment or memory: other user namespace).
 * The enclosing rootfs must be prepared so the inner rootfs' mount points already exist when
 * it is read-only (decc_oci_rootfs() creates them).
 *
 * The calling thread blocks until the program and every process it started are gone; the
 * library never prints and installs no signal handlers.
 */
#ifndef DECC_SANDBOX_H
#define DECC_SANDBOX_H

#include "decc/common.h"

#define DECC_SANDBOX_NOBODY 65534u
#define DECC_SANDBOX_OUTPUT_DEFAULT ((uint64_t)1 << 20) /* bytes kept per captured stream */
#define DECC_SANDBOX_OUTPUT_MAX ((uint64_t)64 << 20)
#define DECC_SANDBOX_TMPFS_DEFAULT ((uint64_t)64 << 20)

/* A host path mounted at dst inside (dst absolute, without ".."); read-only unless rw. */
struct decc_sandbox_bind {
	const char *src;
	const char *dst;
	bool rw;
};

/* 0 in any field means "no limit" (output_bytes and tmpfs_bytes: the default). */
struct decc_sandbox_limits {
	uint64_t memory_bytes; /* cgroup memory (+swap) limit; fallback RLIMIT_AS */
	uint32_t pids;	       /* processes/threads of the program; fallback RLIMIT_NPROC */
	uint64_t wall_ms;      /* the whole process tree is killed at the deadline */
	uint64_t cpu_seconds;  /* RLIMIT_CPU */
	uint64_t file_bytes;   /* RLIMIT_FSIZE: largest file the program may write */
	uint64_t output_bytes; /* last bytes of stdout and of stderr kept (each) */
	uint64_t tmpfs_bytes;  /* size of each tmpfs mount */
};

enum decc_sandbox_flags {
	DECC_SANDBOX_NETWORK = 1 << 0,	     /* share the host network (default: own empty netns,
					  * and socket() of any family but AF_UNIX is EPERM) */
	DECC_SANDBOX_NESTABLE = 1 << 1,	     /* allow user namespaces, mount, pivot_root, setns
					  * inside, so the program can start a nested sandbox */
	DECC_SANDBOX_NO_CGROUPS = 1 << 2,    /* use rlimits even when cgroups are writable */
	DECC_SANDBOX_DROP_HOST_IDS = 1 << 3, /* when root: run bwrap as host uid/gid 65534, so
					      * the program is not host root even outside its
					      * namespace (binds must be accessible to 65534) */
};

struct decc_sandbox_spec {
	const char *rootfs;		       /* required: directory mounted read-only at / */
	const struct decc_sandbox_bind *binds; /* e.g. input ro at /iexec_in, output rw */
	size_t nbinds;
	const char *const *tmpfs; /* private tmpfs mount points, e.g. "/tmp" */
	size_t ntmpfs;
	const char *const *argv; /* NULL-terminated, argv[0] looked up in the PATH of env */
	const char *const *env;	 /* NULL-terminated "NAME=value"; nothing else is inherited
				  * (bwrap adds PWD=cwd) */
	const char *cwd;	 /* inside; NULL = "/" */
	uint32_t uid, gid;	 /* inside; 0 = DECC_SANDBOX_NOBODY (never root inside) */
	const char *hostname;	 /* NULL = "sandbox" */
	const char *stdin_path;	 /* host file; NULL = /dev/null */
	const char *stdout_path; /* host files written at the end (mode 0600, replaced); */
	const char *stderr_path; /* NULL = discarded */
	struct decc_sandbox_limits limits;
	unsigned flags;	   /* enum decc_sandbox_flags */
	const char *bwrap; /* NULL = $DECC_BWRAP, else "bwrap" from PATH, else /usr/bin/bwrap */
};

struct decc_sandbox_result {
	int exit_code;	       /* program's exit status, -1 when killed by a signal */
	int signal;	       /* the signal that killed it, 0 if it exited */
	bool timed_out;	       /* killed at limits.wall_ms */
	bool memory_limit_hit; /* cgroup OOM kill (cgroup mode only) */
	bool pids_limit_hit;   /* a fork/clone was refused by the pids cgroup */
	bool stdout_truncated; /* more than output_bytes were written (the tail is kept) */
	bool stderr_truncated;
	bool cgroups;			     /* limits enforced by cgroups; false = rlimits */
	uint64_t wall_us;		     /* from start to the end of the whole tree */
	uint64_t user_us, sys_us;	     /* CPU time of the tree */
	uint64_t memory_peak;		     /* bytes, cgroup mode only (0 otherwise) */
	uint64_t stdout_bytes, stderr_bytes; /* total written by the program */
	char notes[256];		     /* how limits were enforced, what could not be */
};

/*
 * Run spec->argv in a sandbox and fill *res. Returns 0 when the program ran (whatever its exit
 * status: look at res), DECC_EINVAL for a bad spec, DECC_ENOTFOUND when bwrap is missing,
 * DECC_ERROR when the sandbox could not be set up (the message carries bwrap's complaint).
 */
DECC_EXTERN DECC_MUST_USE int decc_sandbox_run(struct decc_sandbox_result *res,
					       const struct decc_sandbox_spec *spec);

/*
 * Check that sandboxes can be made here: bwrap is found and runs a trivial user-namespaced
 * command. 0 or DECC_ENOTFOUND / DECC_ERROR with the reason.
 */
DECC_EXTERN DECC_MUST_USE int decc_sandbox_check(const char *bwrap);

#endif
