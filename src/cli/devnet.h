/* SPDX-License-Identifier: Apache-2.0 */
/*
 * decc devnet (cmd_devnet.c): a whole local network as child processes, and what other
 * commands read from it (decc task debug --devnet DIR).
 */
#ifndef DECC_CLI_DEVNET_H
#define DECC_CLI_DEVNET_H

#include <jansson.h>

#include "decc/buf.h"
#include "cli/cli.h"

int cmd_devnet(struct cli *cli, int argc, char **argv);

/* Read DIR/devnet.json (at most 1 MiB); *out is a new reference. */
int devnet_read(json_t **out, const char *dir);

/*
 * A plain HTTP/1.0 GET on a loopback daemon (http://HOST:PORT/PATH only, no TLS): *status
 * gets the HTTP status, body the body (at most max bytes, more is an error). 5 s timeout.
 */
int devnet_http_get(const char *url, int *status, struct decc_buf *body, size_t max);

#endif
