/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The seccomp filter of a sandbox. The default is allow; what is denied is what a computation
 * never needs and what widens the kernel's attack surface: debugging other processes, kernel
 * keyrings, eBPF, perf, module and kexec loading, swap, reboot, mounts and namespaces (unless
 * the sandbox must host a nested one), io_uring (it bypasses this filter), and sockets other
 * than AF_UNIX when the sandbox has no network. clone3 answers ENOSYS, because its flags cannot
 * be inspected by seccomp; libc then falls back to clone, whose flags are checked.
 */
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <seccomp.h>

#include "decc/error.h"
#include "sandbox/internal.h"

static const char *const denied_always[] = {
	"ptrace",
	"process_vm_readv",
	"process_vm_writev",
	"keyctl",
	"add_key",
	"request_key",
	"bpf",
	"perf_event_open",
	"kexec_load",
	"kexec_file_load",
	"init_module",
	"finit_module",
	"delete_module",
	"reboot",
	"swapon",
	"swapoff",
	"acct",
	"userfaultfd",
	"open_by_handle_at",
	"name_to_handle_at",
	"lookup_dcookie",
	"quotactl",
	"settimeofday",
	"clock_settime",
	"clock_adjtime",
	"adjtimex",
	"syslog",
	"vhangup",
	"iopl",
	"ioperm",
	"fanotify_init",
	"personality",
};

/* Needed by a nested bwrap, denied otherwise. */
static const char *const denied_unless_nestable[] = {
	"mount",     "umount2", "pivot_root", "chroot",	  "setns",  "unshare",	     "move_mount",
	"open_tree", "fsopen",	"fsmount",    "fsconfig", "fspick", "mount_setattr",
};

static const char *const enosys_always[] = { "clone3", "io_uring_setup", "io_uring_enter",
					     "io_uring_register" };

static int add_rules(scmp_filter_ctx ctx, const char *const *names, size_t n, uint32_t action)
{
	for (size_t i = 0; i < n; i++) {
		int nr = seccomp_syscall_resolve_name(names[i]);

		if (nr == __NR_SCMP_ERROR)
			continue; /* not on this architecture */
		if (seccomp_rule_add(ctx, action, nr, 0) < 0)
			return decc_error_set(DECC_ERROR, "seccomp: cannot add a rule for %s",
					      names[i]);
	}
	return 0;
}

static int build(scmp_filter_ctx ctx, unsigned flags)
{
	const uint64_t ns_flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET |
				  CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP | CLONE_NEWTIME;

	DECC_TRY(
	    add_rules(ctx, denied_always, DECC_ARRAY_SIZE(denied_always), SCMP_ACT_ERRNO(EPERM)));
	DECC_TRY(
	    add_rules(ctx, enosys_always, DECC_ARRAY_SIZE(enosys_always), SCMP_ACT_ERRNO(ENOSYS)));
	/* TIOCSTI would push input into the terminal of the caller's session */
	if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
			     SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCSTI)) < 0)
		return decc_error_set(DECC_ERROR, "seccomp: cannot add the ioctl rule");
	if (!(flags & DECC_SANDBOX_NESTABLE)) {
		DECC_TRY(add_rules(ctx, denied_unless_nestable,
				   DECC_ARRAY_SIZE(denied_unless_nestable), SCMP_ACT_ERRNO(EPERM)));
		/* one rule per flag: libseccomp has no "masked not equal" comparison, and
		 * MASKED_EQ(ns_flags, 0) would match (and deny) every plain fork */
		for (unsigned bit = 0; bit < 64; bit++) {
			uint64_t f = (uint64_t)1 << bit;

			if (!(ns_flags & f))
				continue;
			if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
					     SCMP_A0(SCMP_CMP_MASKED_EQ, f, f)) < 0)
				return decc_error_set(DECC_ERROR,
						      "seccomp: cannot add the clone rule");
		}
	}
	if (!(flags & DECC_SANDBOX_NETWORK)) {
		if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(socket), 1,
				     SCMP_A0(SCMP_CMP_NE, AF_UNIX)) < 0)
			return decc_error_set(DECC_ERROR, "seccomp: cannot add the socket rule");
	}
	return 0;
}

int sb_seccomp_fd(int *fd_out, unsigned flags)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int fd, r;

	if (!ctx)
		return decc_error_set(DECC_ERROR, "seccomp: cannot create a filter");
	r = build(ctx, flags);
	if (r < 0) {
		seccomp_release(ctx);
		return r;
	}
	fd = memfd_create("decc-seccomp", MFD_CLOEXEC);
	if (fd < 0) {
		seccomp_release(ctx);
		return decc_error_set(DECC_ERROR, "seccomp: memfd_create: %s", strerror(errno));
	}
	r = seccomp_export_bpf(ctx, fd);
	seccomp_release(ctx);
	if (r < 0 || lseek(fd, 0, SEEK_SET) != 0) {
		close(fd);
		return decc_error_set(DECC_ERROR, "seccomp: cannot export the filter (%d)", r);
	}
	*fd_out = fd;
	return 0;
}
