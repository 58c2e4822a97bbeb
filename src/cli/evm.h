/* SPDX-License-Identifier: Apache-2.0 */
/* What decc evm (cmd_evm.c) offers other commands: the PoCo deployment (decc devnet). */
#ifndef DECC_CLI_EVM_H
#define DECC_CLI_EVM_H

#include "decc/chain.h"

#define N_FACETS_MAX 24

struct poco_deployment {
	decc_address rlc, lib, hub, regs[3], init, facet_addr[N_FACETS_MAX];
	const char *facet_name[N_FACETS_MAX];
	size_t n_facets, n_selectors;
};

/*
 * Deploy PoCo 6.1.0 from the unpacked @iexec/poco package dir with c's wallet (which owns the
 * hub, the registries and, in token mode, the RLC supply); d must be zeroed. Sets c's hub.
 */
int evm_deploy_poco_on(struct decc_chain *c, struct poco_deployment *d, const char *dir,
		       bool native, bool boost);

#endif
