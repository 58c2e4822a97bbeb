/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SMS requests: the input is split on the first six newlines into method, path,
 * secretAddress, ownerAddress, secretName and Authorization (an empty field is an absent
 * one); the rest is the body. Each request is routed and validated, then handled by a service
 * over an in-memory store whose ledger says every asset is owned by the first dev account.
 * Invariants: a request the router refuses gets a 4xx status and a reason, the same from the
 * service; a push is stored (204) only when its signature recovers to the expected signer.
 * The TEE release is wired to a ledger with one ACTIVE TEE task (0x11…11, owned by the first
 * dev account) and a verifier trusting one platform: refusals carry a reason; a challenge
 * answers an address only.
 */
#include <stdlib.h>
#include <string.h>

#include "decc/error.h"
#include "decc/sms.h"

static decc_address owner_addr;

static int owner(void *ctx, decc_address *out, enum decc_sms_kind kind, const decc_address *asset)
{
	(void)ctx;
	(void)kind;
	if (asset->b[0] & 1)
		return decc_error_set(DECC_ENOTFOUND, "unknown to the registry");
	*out = owner_addr;
	return 0;
}

static int task(void *ctx, struct decc_tee_task_info *t, const uint8_t taskid[32])
{
	(void)ctx;
	memset(t, 0, sizeof(*t));
	for (int i = 0; i < 32; i++)
		if (taskid[i] != 0x11)
			return decc_error_set(DECC_ENOTFOUND, "the task is not on the ledger");
	t->active = true;
	t->tag[31] = 1;
	t->workerpool_owner = owner_addr;
	t->app_multiaddr = strdup("/ipfs/bafyapp");
	return 0;
}

static struct decc_sms_service *service(void)
{
	static struct decc_tee_platform verifier;
	decc_address trusted;
	static struct decc_sms_service *svc;
	static struct decc_sms_store *store;
	struct decc_sms_service_config cfg = { 0 };
	uint8_t master[32] = { 1, 2, 3 };

	if (svc)
		return svc;
	if (decc_address_parse(&owner_addr, "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266") < 0 ||
	    decc_sms_store_open(&store, ":memory:", master) < 0)
		abort();
	memset(trusted.b, 0x77, 20);
	if (decc_tee_sim_verifier(&verifier, &trusted, 1) < 0)
		abort();
	cfg.store = store;
	cfg.owner = owner;
	cfg.task = task;
	cfg.verifier = &verifier;
	if (decc_sms_service_new(&svc, &cfg) < 0)
		abort();
	return svc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1), *fields[6] = { 0 }, *p;
	struct decc_sms_http_request req = { 0 };
	struct decc_sms_response resp;
	struct decc_sms_op op;
	unsigned status;
	int r;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = 0;
	p = copy;
	for (int i = 0; i < 6; i++) {
		char *nl = memchr(p, '\n', (size_t)(copy + size - p));

		if (!nl)
			break;
		*nl = 0;
		fields[i] = *p ? p : NULL;
		p = nl + 1;
	}
	req.method = fields[0] ? fields[0] : "POST";
	req.path = fields[1] ? fields[1] : "/";
	req.secret_address = fields[2];
	req.owner_address = fields[3];
	req.secret_name = fields[4];
	req.authorization = fields[5];
	req.body = (const uint8_t *)p;
	req.body_len = (size_t)(copy + size - p);

	r = decc_sms_request_parse(&op, &status, &req);
	if (r < 0 && (status < 400 || status > 499 || !*decc_error_last()))
		abort();
	if (r == 0 && status != 0)
		abort();
	if (decc_sms_handle(service(), &resp, &req) < 0)
		abort();
	/* a request the router refuses gets the router's status, with a reason */
	if (r < 0 && (resp.status != status || resp.body.len == 0))
		abort();
	if (r == 0 && op.op == DECC_SMS_OP_CHALLENGE && resp.status == 200 && resp.body.len != 43)
		abort(); /* an address and a newline, never the key */
	if (r == 0 && op.op == DECC_SMS_OP_SESSION && resp.status >= 400 && resp.body.len == 0)
		abort();
	if (resp.status == 204 && r == 0 &&
	    (op.op == DECC_SMS_OP_PUSH || op.op == DECC_SMS_OP_UPDATE)) {
		/* stored: the signature must recover to the expected signer */
		uint8_t ch[32];
		decc_address who;
		const decc_address *want = op.id.kind == DECC_SMS_WEB3 || op.id.kind == DECC_SMS_APP
					       ? &owner_addr
					       : &op.target;

		decc_sms_challenge(ch, op.id.kind, &op.target, op.id.name, strlen(op.id.name),
				   op.value, op.value_len);
		if (decc_sms_recover(&who, ch, op.authorization) < 0 ||
		    !decc_address_eq(&who, want))
			abort();
	}
	decc_buf_release(&resp.body);
	free(copy);
	return 0;
}
