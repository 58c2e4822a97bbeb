/* SPDX-License-Identifier: Apache-2.0 */
/* Temporary entry point until the command table lands (issue 2, CLI). */
#include <stdio.h>
#include <string.h>

#include "decc/common.h"

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		printf("decc %s\n", DECC_VERSION);
		return 0;
	}
	fprintf(stderr, "decc: no commands yet\n");
	return 1;
}
