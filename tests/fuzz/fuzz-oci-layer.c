/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Layer application (a peer-controlled tar): never crashes, and never writes outside the
 * rootfs: the rootfs is a subdirectory of a fresh temp dir whose sibling "outside" must stay
 * empty. Small limits keep each run cheap.
 */
#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decc/oci.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int rm_cb(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)f;
	if (flag == FTW_DP || flag == FTW_D) {
		chmod(p, 0700);
		rmdir(p);
	} else {
		unlink(p);
	}
	return 0;
}

static bool empty_dir(const char *p)
{
	DIR *d = opendir(p);
	struct dirent *e;
	bool empty = true;

	if (!d)
		return false;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			empty = false;
	closedir(d);
	return empty;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char base[] = "/tmp/decc-fuzz-layer-XXXXXX", root[64], outside[64];
	struct decc_oci_limits lim = {
		.blob_bytes = 1 << 20, .unpacked_bytes = 1 << 20, .entries = 256, .layers = 4
	};
	uint64_t bytes = 0, entries = 0;

	if (!mkdtemp(base))
		return 0;
	snprintf(root, sizeof(root), "%s/root", base);
	snprintf(outside, sizeof(outside), "%s/outside", base);
	if (mkdir(root, 0755) == 0 && mkdir(outside, 0755) == 0) {
		if (decc_oci_layer_apply(root, data, size, &lim, &bytes, &entries) == 0 &&
		    (entries > lim.entries || bytes > lim.unpacked_bytes))
			abort();
		if (!empty_dir(outside))
			abort();
	}
	nftw(base, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}
