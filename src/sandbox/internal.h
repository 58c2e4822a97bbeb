/* SPDX-License-Identifier: Apache-2.0 */
/* Pieces of the sandbox shared between its files (not a public API). */
#ifndef DECC_SANDBOX_INTERNAL_H
#define DECC_SANDBOX_INTERNAL_H

#include <sys/types.h>

#include "decc/sandbox.h"

/* Write a BPF seccomp program for the given flags into a new memfd (offset 0). */
int sb_seccomp_fd(int *fd_out, unsigned flags);

/* cgroup v1 job: memory and pids children of the caller's own cgroups. */
struct sb_cgroup {
	char mem[512]; /* "" when not used */
	char pids[512];
};

/* Create the job cgroups with the limits; DECC_ERROR (message set) when not possible. */
int sb_cgroup_create(struct sb_cgroup *cg, uint64_t memory_bytes, uint32_t pids);
/* Move pid into the job cgroups. */
int sb_cgroup_attach(const struct sb_cgroup *cg, pid_t pid);
/* Kill every process left in the job, read the counters, remove the cgroups. */
void sb_cgroup_finish(struct sb_cgroup *cg, struct decc_sandbox_result *res);

#endif
