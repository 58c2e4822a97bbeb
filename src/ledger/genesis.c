/* SPDX-License-Identifier: Apache-2.0 */
/* Genesis file parsing (format: include/decc/ledger.h, docs/cmd/decc-node.md). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "decc/crypto.h"
#include "decc/error.h"
#include "decc/ledger.h"

#define GENESIS_MAX_ACCOUNTS 100000
#define GENESIS_MAX_CATEGORIES 256
#define GENESIS_MAX_TEXT 4096

void decc_genesis_release(struct decc_genesis *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->n_categories; i++) {
		free(g->categories[i].name);
		free(g->categories[i].description);
	}
	free(g->categories);
	free(g->accounts);
	memset(g, 0, sizeof(*g));
}

static int get_u64(uint64_t *out, json_t *v, const char *what)
{
	decc_u256 x;

	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		*out = (uint64_t)json_integer_value(v);
		return 0;
	}
	if (json_is_string(v) && decc_u256_parse(&x, json_string_value(v)) == 0 &&
	    decc_u256_to_u64(&x, out))
		return 0;
	return decc_error_set(
	    DECC_EINVAL, "genesis: \"%s\" must be a non-negative integer (or a decimal string)",
	    what);
}

static int parse_accounts(struct decc_genesis *g, json_t *accounts)
{
	const char *key;
	json_t *val;
	size_t i = 0;

	if (!accounts)
		return 0;
	DECC_ENSURE(json_is_object(accounts), DECC_EINVAL,
		    "genesis: \"accounts\" must be an object {\"0x…\": {\"balance\": \"wei\"}}");
	DECC_ENSURE(json_object_size(accounts) <= GENESIS_MAX_ACCOUNTS, DECC_ELIMIT,
		    "genesis: more than %d accounts", GENESIS_MAX_ACCOUNTS);
	g->accounts = calloc(json_object_size(accounts) + 1, sizeof(*g->accounts));
	if (!g->accounts)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	json_object_foreach(accounts, key, val)
	{
		struct decc_genesis_account *a = &g->accounts[i];
		json_t *bal = json_object_get(val, "balance");
		int r;

		r = decc_address_parse(&a->address, key);
		if (r < 0)
			return decc_error_wrap(r, "genesis: account \"%.60s\"", key);
		if (json_is_integer(bal) && json_integer_value(bal) >= 0)
			a->balance = decc_u256_from_u64((uint64_t)json_integer_value(bal));
		else if (!json_is_string(bal) ||
			 decc_u256_parse(&a->balance, json_string_value(bal)) < 0)
			return decc_error_set(
			    DECC_EINVAL,
			    "genesis: account %.60s needs \"balance\": a wei amount "
			    "as a decimal or 0x-hex string",
			    key);
		for (size_t j = 0; j < i; j++)
			DECC_ENSURE(!decc_address_eq(&g->accounts[j].address, &a->address),
				    DECC_EINVAL, "genesis: account %.60s listed twice", key);
		i++;
	}
	g->n_accounts = i;
	return 0;
}

static char *dup_text(json_t *v, const char *what, int *err)
{
	char *s;

	if (!v) {
		s = strdup("");
	} else if (!json_is_string(v) || json_string_length(v) > GENESIS_MAX_TEXT ||
		   strlen(json_string_value(v)) != json_string_length(v)) {
		*err = decc_error_set(DECC_EINVAL, "genesis: category %s must be a string (max %d)",
				      what, GENESIS_MAX_TEXT);
		return NULL;
	} else {
		s = strdup(json_string_value(v));
	}
	if (!s)
		*err = decc_error_set(DECC_ENOMEM, "out of memory");
	return s;
}

static int parse_categories(struct decc_genesis *g, json_t *cats)
{
	size_t i;
	json_t *c;
	int err = 0;

	if (!cats)
		return 0;
	DECC_ENSURE(json_is_array(cats), DECC_EINVAL,
		    "genesis: \"categories\" must be an array of {name, description, "
		    "workClockTimeRef}");
	DECC_ENSURE(json_array_size(cats) <= GENESIS_MAX_CATEGORIES, DECC_ELIMIT,
		    "genesis: more than %d categories", GENESIS_MAX_CATEGORIES);
	g->categories = calloc(json_array_size(cats) + 1, sizeof(*g->categories));
	if (!g->categories)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	json_array_foreach(cats, i, c)
	{
		struct decc_genesis_category *cat = &g->categories[i];

		DECC_ENSURE(json_is_object(c), DECC_EINVAL,
			    "genesis: category %zu is not an object", i);
		g->n_categories = i + 1;
		cat->name = dup_text(json_object_get(c, "name"), "name", &err);
		if (!cat->name)
			return err;
		cat->description = dup_text(json_object_get(c, "description"), "description", &err);
		if (!cat->description)
			return err;
		DECC_TRY(get_u64(&cat->work_clock_time_ref, json_object_get(c, "workClockTimeRef"),
				 "workClockTimeRef"));
		DECC_ENSURE(cat->work_clock_time_ref > 0, DECC_EINVAL,
			    "genesis: category %zu has workClockTimeRef 0", i);
	}
	return 0;
}

static int parse(struct decc_genesis *g, json_t *root)
{
	json_t *v;
	char *canon;

	DECC_ENSURE(json_is_object(root), DECC_EINVAL, "genesis: the file must hold a JSON object");
	DECC_TRY(get_u64(&g->chain_id, json_object_get(root, "chainId"), "chainId"));
	DECC_ENSURE(g->chain_id > 0 && g->chain_id < (1ULL << 53), DECC_EINVAL,
		    "genesis: chainId must be between 1 and 2^53");
	v = json_object_get(root, "timestamp");
	if (v)
		DECC_TRY(get_u64(&g->timestamp, v, "timestamp"));
	DECC_ENSURE(g->timestamp < (1ULL << 40), DECC_EINVAL, "genesis: timestamp out of range");
	DECC_TRY(parse_accounts(g, json_object_get(root, "accounts")));
	v = json_object_get(root, "hubOwner");
	if (v) {
		DECC_ENSURE(json_is_string(v), DECC_EINVAL,
			    "genesis: \"hubOwner\" must be an address string");
		DECC_TRY(decc_address_parse(&g->hub_owner, json_string_value(v)));
		g->has_hub_owner = true;
	}
	DECC_TRY(parse_categories(g, json_object_get(root, "categories")));
	canon = json_dumps(root, JSON_SORT_KEYS | JSON_COMPACT);
	if (!canon)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	decc_keccak256(g->hash, canon, strlen(canon));
	free(canon);
	return 0;
}

int decc_genesis_parse(struct decc_genesis *out, const char *json, size_t len)
{
	struct decc_genesis g;
	json_error_t jerr;
	json_t *root;
	int r;

	memset(&g, 0, sizeof(g));
	root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return decc_error_set(DECC_EINVAL, "genesis: invalid JSON at line %d: %s",
				      jerr.line, jerr.text);
	r = parse(&g, root);
	json_decref(root);
	if (r < 0) {
		decc_genesis_release(&g);
		return r;
	}
	*out = g;
	return 0;
}
