#!/bin/sh
# hello-iapp: the demo iApp of decc (busybox sh).
#  - with a dataset (IEXEC_DATASET_FILENAME set): the dataset is a DataProtector zip in
#    /iexec_in; it reads the "email" entry (Borsh string: 4-byte little-endian length, then
#    UTF-8) and writes a sentence about it to /iexec_out/result.txt, never the address itself;
#  - without a dataset: a greeting with the task's arguments.
# It always writes /iexec_out/computed.json, which names the deterministic output.
set -u
IN=${IEXEC_IN:-/iexec_in}
OUT=${IEXEC_OUT:-/iexec_out}
RESULT="$OUT/result.txt"

fail() {
	echo "hello-iapp: $*" >&2
	printf '{"deterministic-output-path":"%s","error":"%s"}\n' "$RESULT" "$*" >"$OUT/computed.json"
	exit 1
}

if [ -n "${IEXEC_DATASET_FILENAME:-}" ]; then
	zip="$IN/$IEXEC_DATASET_FILENAME"
	[ -f "$zip" ] || fail "dataset $IEXEC_DATASET_FILENAME is not in $IN"
	# DataProtector stores entries uncompressed; busybox unzip also reads deflated ones
	unzip -p "$zip" email >/tmp/email.borsh 2>/tmp/unzip.err || fail "no email entry in the dataset"
	size=$(wc -c </tmp/email.borsh)
	[ "$size" -ge 4 ] || fail "the email entry is not a Borsh string"
	email=$(tail -c +5 /tmp/email.borsh)
	rm -f /tmp/email.borsh
	case "$email" in
	*@*) domain=${email##*@} ;;
	*) fail "the email entry has no @" ;;
	esac
	printf 'Hello! I read a protected record; its email has %s characters and ends in @%s.\n' \
		"${#email}" "$domain" >"$RESULT" || fail "cannot write $RESULT"
else
	if [ $# -gt 0 ]; then
		who="$*"
	else
		who="world"
	fi
	printf 'Hello, %s! (no protected data was given)\n' "$who" >"$RESULT" || fail "cannot write $RESULT"
fi
printf '{"deterministic-output-path":"%s"}\n' "$RESULT" >"$OUT/computed.json"
cat "$RESULT"
