/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iExec's DataProtector contract: createDatasetWithSchema and the DatasetSchema logs it emits
 * (the on-chain index of protected data schemas the SDK's subgraph is built from). The
 * contract's address is passed by the caller; NULL is decc node's fixed address (chain.h).
 */
#include <stdlib.h>
#include <string.h>

#include "decc/crypto.h"
#include "decc/error.h"
#include "internal.h"

#define SIG_CREATE "createDatasetWithSchema(address,string,string,bytes,bytes32)"
#define EVENT_SCHEMA "DatasetSchema(address,string)"

void decc_chain_dataprotector_decc(decc_address *out)
{
	static const char label[] = "decc.poco.DataProtector";
	uint8_t h[32];

	decc_keccak256(h, label, sizeof(label) - 1);
	memcpy(out->b, h + 12, 20);
}

static void pick(decc_address *out, const decc_address *dataprotector)
{
	if (dataprotector)
		*out = *dataprotector;
	else
		decc_chain_dataprotector_decc(out);
}

static bool is_schema_log(const struct decc_chain_log *l, const decc_address *dp,
			  const uint8_t topic0[32])
{
	static const uint8_t zero[12];

	return l->n_topics == 2 && decc_address_eq(&l->address, dp) &&
	       memcmp(l->topics[0], topic0, 32) == 0 && memcmp(l->topics[1], zero, 12) == 0;
}

int decc_chain_create_dataset_with_schema(struct decc_chain *c, decc_address *out,
					  struct decc_chain_receipt *receipt,
					  const decc_address *dataprotector,
					  const decc_address *owner, const char *name,
					  const char *schema_json, const uint8_t *multiaddr,
					  size_t multiaddr_len, const uint8_t checksum[32])
{
	struct decc_chain_txopts opts = { 0 };
	struct decc_chain_receipt rc = { 0 };
	struct decc_abi_value *args;
	decc_address dp, dataset;
	uint8_t topic0[32];
	bool found = false;
	int r;

	if (!owner || !name || !schema_json || !checksum || (!multiaddr && multiaddr_len))
		return decc_error_set(DECC_EINVAL, "createDatasetWithSchema: missing argument");
	if (strlen(schema_json) > DECC_CHAIN_SCHEMA_MAX)
		return decc_error_set(DECC_ELIMIT,
				      "dataset schema of %zu bytes: at most %zu bytes are accepted",
				      strlen(schema_json), DECC_CHAIN_SCHEMA_MAX);
	pick(&dp, dataprotector);
	args = decc_abi_tuplev(
	    5, decc_abi_address(owner), decc_abi_string(name), decc_abi_string(schema_json),
	    decc_abi_bytes(multiaddr, multiaddr_len), decc_abi_fixed_bytes(checksum, 32));
	if (!args)
		return decc_error_set(DECC_ENOMEM, "out of memory encoding %s", SIG_CREATE);
	r = decc_chain_transact_fn(c, &rc, &dp, SIG_CREATE, args, &opts);
	decc_abi_value_free(args);
	if (r == 0) {
		decc_keccak256(topic0, EVENT_SCHEMA, strlen(EVENT_SCHEMA));
		for (size_t i = 0; i < rc.logs.n && !found; i++) {
			if (is_schema_log(&rc.logs.items[i], &dp, topic0)) {
				memcpy(dataset.b, rc.logs.items[i].topics[1] + 12, 20);
				found = true;
			}
		}
		if (!found)
			r = decc_error_set(DECC_EINVAL,
					   "the transaction to the DataProtector emitted no "
					   "DatasetSchema event (is it a DataProtector contract?)");
	}
	if (receipt) {
		*receipt =
		    rc; /* filled even for a reverted transaction, like decc_chain_transact */
		memset(&rc, 0, sizeof(rc));
	}
	decc_chain_receipt_release(&rc);
	if (r < 0)
		return r;
	if (out)
		*out = dataset;
	return 0;
}

void decc_chain_dataset_schemas_release(struct decc_chain_dataset_schemas *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		free(s->items[i].schema);
	free(s->items);
	memset(s, 0, sizeof(*s));
}

/* The schema of a DatasetSchema log: data = abi (string), no NUL, bounded. false: malformed. */
static int decode_schema(char **out, bool *ok, const struct decc_chain_log *l)
{
	struct decc_abi_type *t = NULL;
	struct decc_abi_value *v = NULL;
	const struct decc_buf *b;
	int r;

	*ok = false;
	r = decc_abi_type_parse(&t, "(string)");
	if (r < 0)
		return r;
	r = decc_abi_decode(&v, t, l->data.data, l->data.len);
	decc_abi_type_free(t);
	if (r == DECC_ENOMEM)
		return r;
	if (r < 0)
		return 0;
	b = &v->items[0]->bytes;
	if (b->len <= DECC_CHAIN_SCHEMA_MAX && !memchr(b->data, 0, b->len)) {
		char *s = malloc(b->len + 1);

		if (!s) {
			decc_abi_value_free(v);
			return decc_error_set(DECC_ENOMEM, "out of memory");
		}
		if (b->len)
			memcpy(s, b->data, b->len);
		s[b->len] = 0;
		*out = s;
		*ok = true;
	}
	decc_abi_value_free(v);
	return 0;
}

struct scan {
	struct decc_chain_dataset_schemas res;
	size_t cap, bytes, max_count, max_bytes;
	size_t block_start, block_start_bytes; /* entries of the current block begin there */
	uint64_t block;			       /* of the last entry */
	bool full;			       /* the limits stopped the scan */
};

static int scan_add(struct scan *s, const struct decc_chain_log *l, char *schema)
{
	size_t len = strlen(schema);

	if (s->res.n && l->block_number < s->block) {
		free(schema);
		return decc_error_set(DECC_EINVAL, "eth_getLogs returned logs out of block order");
	}
	if (!s->res.n || l->block_number != s->block) {
		s->block_start = s->res.n;
		s->block_start_bytes = s->bytes;
		s->block = l->block_number;
	}
	if (s->res.n + 1 > s->max_count || len > s->max_bytes - s->bytes) {
		free(schema);
		if (s->block_start == 0)
			return decc_error_set(DECC_ELIMIT,
					      "block %llu alone holds more DatasetSchema logs than "
					      "the limits (%zu entries, %zu bytes)",
					      (unsigned long long)l->block_number, s->max_count,
					      s->max_bytes);
		/* drop the partial block: the next call starts with it whole */
		for (size_t i = s->block_start; i < s->res.n; i++)
			free(s->res.items[i].schema);
		s->res.n = s->block_start;
		s->bytes = s->block_start_bytes;
		s->res.truncated = true;
		s->res.next_block = s->block;
		s->full = true;
		return 0;
	}
	if (s->res.n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 16;
		struct decc_chain_dataset_schema *ni;

		if (nc > s->max_count)
			nc = s->max_count;
		ni = realloc(s->res.items, nc * sizeof(*ni));
		if (!ni) {
			free(schema);
			return decc_error_set(DECC_ENOMEM, "out of memory");
		}
		s->res.items = ni;
		s->cap = nc;
	}
	{
		struct decc_chain_dataset_schema *e = &s->res.items[s->res.n++];

		memcpy(e->dataset.b, l->topics[1] + 12, 20);
		e->schema = schema;
		e->block_number = l->block_number;
		e->log_index = l->log_index;
		memcpy(e->tx_hash, l->tx_hash, 32);
	}
	s->bytes += len;
	return 0;
}

static int scan_page(struct scan *s, const struct decc_chain_logs *logs, const decc_address *dp,
		     const uint8_t topic0[32], const decc_address *dataset)
{
	for (size_t i = 0; i < logs->n && !s->full; i++) {
		const struct decc_chain_log *l = &logs->items[i];
		char *schema = NULL;
		bool ok;

		if (!is_schema_log(l, dp, topic0) ||
		    (dataset && memcmp(l->topics[1] + 12, dataset->b, 20) != 0)) {
			s->res.skipped++;
			continue;
		}
		DECC_TRY(decode_schema(&schema, &ok, l));
		if (!ok) {
			s->res.skipped++;
			continue;
		}
		DECC_TRY(scan_add(s, l, schema));
	}
	return 0;
}

static int scan_run(struct decc_chain *c, struct decc_chain_dataset_schemas *out,
		    const struct decc_chain_schema_query *q, bool first_only)
{
	struct decc_chain_filter f = { 0 };
	struct scan s = { 0 };
	uint64_t to = q->to_block, range = q->max_range, b;
	decc_address dp;
	int r = 0;

	s.max_count = q->max_count ? q->max_count : DECC_CHAIN_SCHEMAS_DEFAULT_COUNT;
	if (s.max_count > DECC_CHAIN_SCHEMAS_MAX_COUNT)
		s.max_count = DECC_CHAIN_SCHEMAS_MAX_COUNT;
	s.max_bytes = q->max_bytes && q->max_bytes < DECC_CHAIN_SCHEMAS_MAX_BYTES
			  ? q->max_bytes
			  : DECC_CHAIN_SCHEMAS_MAX_BYTES;
	if (!range)
		range = DECC_CHAIN_SCHEMAS_DEFAULT_RANGE;
	pick(&dp, q->dataprotector);
	f.has_address = true;
	f.address = dp;
	f.has_topic[0] = true;
	decc_keccak256(f.topics[0], EVENT_SCHEMA, strlen(EVENT_SCHEMA));
	if (q->dataset) {
		f.has_topic[1] = true;
		memset(f.topics[1], 0, 12);
		memcpy(f.topics[1] + 12, q->dataset->b, 20);
	}
	if (to == DECC_CHAIN_LATEST)
		DECC_TRY(decc_chain_block_number(c, &to));
	s.res.next_block = q->from_block;
	for (b = q->from_block; r == 0 && b <= to && !s.full;) {
		uint64_t end = to - b >= range ? b + range - 1 : to;
		struct decc_chain_logs logs = { 0 };

		r = decc_chain_get_logs(c, &logs, &f, b, end);
		if (r == 0)
			r = scan_page(&s, &logs, &dp, f.topics[0], q->dataset);
		decc_chain_logs_release(&logs);
		if (r == 0 && !s.full)
			s.res.next_block = end + 1;
		if (end == UINT64_MAX || (first_only && s.res.n))
			break;
		b = end + 1;
	}
	if (r < 0) {
		decc_chain_dataset_schemas_release(&s.res);
		return r;
	}
	decc_chain_dataset_schemas_release(out);
	*out = s.res;
	return 0;
}

int decc_chain_dataset_schemas(struct decc_chain *c, struct decc_chain_dataset_schemas *out,
			       const struct decc_chain_schema_query *q)
{
	if (!q)
		return decc_error_set(DECC_EINVAL, "dataset schemas: no query");
	return scan_run(c, out, q, false);
}

int decc_chain_dataset_schema(struct decc_chain *c, char **schema, uint64_t *block,
			      const decc_address *dataprotector, const decc_address *dataset)
{
	struct decc_chain_schema_query q = { .dataprotector = dataprotector,
					     .dataset = dataset,
					     .to_block = DECC_CHAIN_LATEST };
	struct decc_chain_dataset_schemas s = { 0 };

	if (!dataset)
		return decc_error_set(DECC_EINVAL, "dataset schema: no dataset");
	DECC_TRY(scan_run(c, &s, &q, true));
	if (!s.n) {
		decc_chain_dataset_schemas_release(&s);
		return decc_error_set(DECC_ENOTFOUND, "no DatasetSchema event for this dataset");
	}
	*schema = s.items[0].schema;
	s.items[0].schema = NULL;
	if (block)
		*block = s.items[0].block_number;
	decc_chain_dataset_schemas_release(&s);
	return 0;
}
