/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Run one iApp (an OCI image, see decc/oci.h) for one task, the way an iExec worker does.
 *
 * The app contract (../shared/reference/offchain.md §1): the app finds its inputs in
 * /iexec_in (read-only: dataset, input files), writes its results to /iexec_out (writable;
 * it should write /iexec_out/computed.json with "deterministic-output-path"), gets the IEXEC_*
 * variables of the task in its environment, and its exit code is reported.
 *
 * What decc_iapp_run() sets up, in order:
 *  1. opens and verifies the image (every blob against its digest), refuses it with DECC_EAUTH
 *     when spec->expect_digest is given and the image digest (decc_iapp_measure) differs;
 *  2. unpacks (or reuses) its root file system in spec->cache_dir (see decc_oci_rootfs);
 *  3. argv = Entrypoint + (split spec->args, or the image Cmd when args is NULL or ""),
 *     env = the image Env (PATH defaulted) overridden by spec->env, cwd = WorkingDir,
 *     user = the image User, but never root (root or unset = 65534);
 *  4. runs it in a sandbox (decc/sandbox.h): the image rootfs read-only at /, in_dir
 *     read-only at /iexec_in, out_dir writable at /iexec_out, a private tmpfs /tmp, /proc,
 *     a minimal /dev, no network unless spec->network, no capabilities, the seccomp filter,
 *     memory/pids limits (cgroups as root, else rlimits) and the wall-clock timeout after
 *     which the whole process tree is killed.
 *
 * Nesting: it works from inside a sandbox made with DECC_SANDBOX_NESTABLE (the enclave of
 * src/tee runs the app that way) as long as that sandbox has bwrap (bind the host's /usr), a
 * writable cache_dir and a /tmp; there limits are rlimits and /proc is the enclosing one
 * (result.sb.notes says so).
 *
 * The calling thread blocks until the app's tree is gone; nothing is printed.
 */
#ifndef DECC_IAPP_H
#define DECC_IAPP_H

#include "decc/common.h"
#include "decc/sandbox.h"

#define DECC_IAPP_TIMEOUT_DEFAULT 3600u /* seconds, when spec->timeout_s is 0 */

/*
 * The image's digest (32 bytes): sha256 of its manifest, i.e. the "sha256:<hex>" registry
 * digest and what `decc image build` prints; what an app's on-chain checksum (and a TEE app's
 * measurement) is compared to. For a legacy docker-save archive: its image ID (config digest).
 * image: an OCI layout dir, an OCI archive or a docker-save archive; archives are staged under
 * cache_dir (created if missing). Errors as decc_oci_open().
 */
DECC_EXTERN DECC_MUST_USE int decc_iapp_measure(uint8_t digest[32], const char *image,
						const char *cache_dir);

struct decc_iapp_spec {
	const char *image;	/* required: OCI layout dir / archive or docker-save archive */
	const char *cache_dir;	/* required: where images are staged and rootfs unpacked */
	const char *in_dir;	/* host dir bound read-only at /iexec_in; NULL = empty */
	const char *out_dir;	/* host dir bound writable at /iexec_out: required, must exist */
	const char *args;	/* iexec_args (shell-like words, no expansion); NULL = image Cmd */
	const char *const *env; /* NULL-terminated "NAME=value": IEXEC_* vars; win over image Env */
	bool network;		/* share the host network (default: none at all) */
	uint64_t timeout_s;	/* wall clock; 0 = DECC_IAPP_TIMEOUT_DEFAULT */
	uint64_t memory_bytes;	/* 0 = no limit */
	uint32_t pids;		/* 0 = no limit */
	const char *stdout_path, *stderr_path; /* host files for the last 1 MiB of each; NULL =
						* discarded */
	unsigned sandbox_flags;		       /* extra enum decc_sandbox_flags (e.g. NESTABLE) */
	const uint8_t *expect_digest; /* 32 bytes or NULL: refuse an image whose digest differs */
};

struct decc_iapp_result {
	int exit_code;	    /* the app's exit status; -1 when killed by a signal or timeout */
	bool timed_out;	    /* killed at timeout_s */
	uint8_t digest[32]; /* the image digest that ran (decc_iapp_measure) */
	struct decc_sandbox_result sb; /* details: signal, limits hit, output sizes, notes */
};

/*
 * Run the app of spec for one task and fill *res. Returns 0 when the app ran, whatever its
 * exit code (look at res); DECC_EINVAL for a bad spec or image, DECC_EAUTH for a digest
 * mismatch (including expect_digest), DECC_ELIMIT for an image over the limits,
 * DECC_ENOTFOUND for a missing image or bwrap, DECC_ERROR when the sandbox could not be made.
 * Nothing is written to out_dir except by the app.
 */
DECC_EXTERN DECC_MUST_USE int decc_iapp_run(struct decc_iapp_result *res,
					    const struct decc_iapp_spec *spec);

#endif
