/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dag-pb / UnixFS node and CID parsing: never crashes; what parses is consistent (links within
 * bounds, CIDs that print and parse back to themselves).
 */
#include <stdlib.h>
#include <string.h>

#include "decc/cid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void cid_roundtrip(const struct decc_cid *c)
{
	char s[DECC_CID_STR_MAX];
	uint8_t bin[DECC_CID_BIN_MAX];
	struct decc_cid again;
	size_t n;

	decc_cid_to_string(s, c);
	if (decc_cid_parse(&again, s, strlen(s)) != 0 || !decc_cid_equal(c, &again))
		abort();
	n = decc_cid_to_bytes(bin, c);
	if (decc_cid_from_bytes(&again, bin, n) != 0 || !decc_cid_equal(c, &again))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct decc_unixfs_node node;
	struct decc_cid cid;

	if (decc_unixfs_node_parse(&node, data, size) == 0) {
		if (node.nlinks > 4096 || (node.nlinks && !node.links))
			abort();
		if (node.data.len &&
		    (node.data.ptr < data || node.data.ptr + node.data.len > data + size))
			abort();
		for (size_t i = 0; i < node.nlinks; i++)
			cid_roundtrip(&node.links[i].cid);
		decc_unixfs_node_release(&node);
	}
	if (decc_cid_parse(&cid, (const char *)data, size) == 0)
		cid_roundtrip(&cid);
	if (decc_cid_from_bytes(&cid, data, size) == 0)
		cid_roundtrip(&cid);
	return 0;
}
