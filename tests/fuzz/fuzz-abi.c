/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ABI decoding of hostile data. The first byte picks a type; the rest is the encoding. Whatever
 * decodes must encode, and that canonical encoding must decode and encode to itself.
 */
#include <stdlib.h>
#include <string.h>

#include "decc/abi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define AO "(address,uint256,uint256,bytes32,address,address,address,bytes32,bytes)"
#define WO "(address,uint256,uint256,bytes32,uint256,uint256,address,address,address,bytes32,bytes)"
#define RO                                                                                         \
	"(address,uint256,address,uint256,address,uint256,address,uint256,bytes32,uint256,"        \
	"uint256,"                                                                                 \
	"address,address,string,bytes32,bytes)"

static const char *const types[] = {
	"(" AO "," AO "," WO "," RO ")", /* matchOrders arguments */
	"(" AO ")",
	"(" WO ")",
	"(" RO ")",
	"((" AO ",uint8,bytes))", /* manageAppOrder */
	"(bytes,bool,uint256[])",
	"(uint256[][],string[])",
	"(uint256,uint32[],bytes10,bytes)",
	"(bytes3[2],int8,address)",
	"((uint16,bytes)[2][],()[])",
	"(string[3][])",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct decc_abi_type *t;
	struct decc_abi_value *v, *w;
	struct decc_buf e1 = DECC_BUF_INIT, e2 = DECC_BUF_INIT;

	if (size < 1)
		return 0;
	if (decc_abi_type_parse(&t, types[data[0] % (sizeof(types) / sizeof(types[0]))]) != 0)
		abort();
	if (decc_abi_decode(&v, t, data + 1, size - 1) == 0) {
		if (decc_abi_encode(&e1, t, v) != 0)
			abort();
		if (decc_abi_decode(&w, t, e1.data, e1.len) != 0)
			abort();
		if (decc_abi_encode(&e2, t, w) != 0 || e1.len != e2.len ||
		    memcmp(e1.data, e2.data, e1.len) != 0)
			abort();
		/* fully static types have a single encoding: the decoded prefix itself */
		if (!decc_abi_type_is_dynamic(t) && memcmp(e1.data, data + 1, e1.len) != 0)
			abort();
		decc_abi_value_free(w);
		decc_abi_value_free(v);
	}
	decc_buf_release(&e1);
	decc_buf_release(&e2);
	decc_abi_type_free(t);
	return 0;
}
