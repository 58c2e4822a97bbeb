/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A standalone market server: the orderbook's HTTP API (`/market/`, see orderbook.h) and
 * `GET /healthz` on its own port, for chains that do not serve a market themselves (any EVM
 * chain running the PoCo contracts; `decc node` serves `/market/` on its RPC port). The book is
 * the caller's (typically decc_orderbook_open_eth over the chain client).
 */
#ifndef DECC_MARKET_H
#define DECC_MARKET_H

#include "decc/orderbook.h"

struct decc_market_server;

/*
 * Listen on "HOST:PORT" (PORT 0: any free port) and serve ob (which must outlive the server)
 * from internal threads. *port gets the bound port (may be NULL).
 */
DECC_EXTERN DECC_MUST_USE int decc_market_server_start(struct decc_market_server **out,
						       struct decc_orderbook *ob,
						       const char *listen, unsigned *port);
DECC_EXTERN void decc_market_server_stop(struct decc_market_server *s); /* NULL is fine */

#endif
