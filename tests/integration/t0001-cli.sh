#!/usr/bin/env bash
# decc's command line: version, help, usage errors, help pages and man pages.
. "$(dirname "$0")/lib.sh"

want_version=$(sed -n 's/^#define DECC_VERSION "\(.*\)"$/\1/p' "$DECC_SRC/include/decc/common.h")

expect_ok decc --version
expect_eq "decc $want_version" "$(cat "$T/out")" "--version prints the version"
expect_ok decc version --json
expect_eq "{\"version\":\"$want_version\"}" "$(cat "$T/out")" "version --json is one JSON object"
expect_ok decc --json version
expect_eq "{\"version\":\"$want_version\"}" "$(cat "$T/out")" "--json before the command"

expect_ok decc --help
expect_grep '^usage: decc' "$T/out" "--help prints the usage"
for c in help version wallet order; do
	expect_grep "^   $c " "$T/out" "--help lists $c"
done
expect_ok decc help
expect_grep '^usage: decc' "$T/out" "help without argument prints the usage"

expect_ok decc help wallet
expect_grep '^decc wallet - ' "$T/out" "help wallet prints the wallet page"
expect_grep '^SYNOPSIS' "$T/out" "the page has a synopsis"
expect_grep 'kdf-light' "$T/out" "the wallet page documents --kdf-light"
cp "$T/out" "$T/help-wallet"
expect_ok decc wallet --help
cmp -s "$T/out" "$T/help-wallet" || fail "wallet --help differs from help wallet"
ok "wallet --help is the same page"
expect_ok decc wallet create -h
cmp -s "$T/out" "$T/help-wallet" || fail "wallet create -h differs from help wallet"
ok "-h on a subcommand prints the page"
expect_ok decc help order
expect_grep '^decc order - ' "$T/out" "help order"
expect_grep '^EXIT STATUS' "$T/out" "the order page has an exit status section"

# usage errors: exit 2, one line naming the problem
expect_fail 2 decc frobnicate
expect_grep "'frobnicate' is not a decc command" "$T/err" "unknown command: exit 2, named"
[ ! -s "$T/out" ] || fail "unknown command printed on stdout"
expect_fail 2 decc --frob
expect_grep "unknown option '--frob'" "$T/err" "unknown global option: exit 2, named"
expect_fail 2 decc wallet show --frob=1
expect_grep "unknown option '--frob'" "$T/err" "unknown command option: exit 2, named"
expect_grep "decc help wallet" "$T/err" "the usage error points to the help page"
expect_fail 2 decc wallet frob
expect_grep "unknown subcommand 'frob'" "$T/err" "unknown subcommand: exit 2"
expect_fail 2 decc wallet
expect_grep "missing subcommand" "$T/err" "missing subcommand: exit 2"
expect_fail 2 decc order hash app --chain-id
expect_grep "'--chain-id' needs a value" "$T/err" "option without its value: exit 2"
expect_fail 2 decc --json=1 version
expect_grep "takes no value" "$T/err" "a flag given a value: exit 2"
expect_fail 2 decc help frob
expect_grep "no such command 'frob'" "$T/err" "help of an unknown command: exit 2"
expect_fail 2 decc version extra
expect_grep "unexpected argument 'extra'" "$T/err" "extra argument: exit 2"
# no command at all: usage on stderr, exit 2
rc=0
decc >"$T/out" 2>"$T/err" || rc=$?
expect_eq 2 "$rc" "no command: exit 2"
expect_grep '^usage: decc' "$T/err" "no command: usage on stderr"

# man pages come from the same sources; groff is optional on the machine
"$DECC_SRC/scripts/gen-man.sh" "$T/man"
for p in decc decc-wallet decc-order decc-help decc-version; do
	[ -s "$T/man/$p.1" ] || fail "man page $p.1 not generated"
	expect_grep '^\.TH "'"$(echo "$p" | tr a-z A-Z)"'" "1"' "$T/man/$p.1" "$p.1 has its title line"
done
expect_grep '^\.SH SYNOPSIS' "$T/man/decc-wallet.1" "the man page has a SYNOPSIS section"
expect_grep '^\\fB\\-\\-kdf\\-light\\fR' "$T/man/decc-wallet.1" "options are bold in the man page"
if command -v groff >/dev/null 2>&1; then
	groff -man -Tutf8 -ww -z "$T/man/decc-wallet.1" 2>"$T/err" || fail "groff rejects decc-wallet.1"
	[ ! -s "$T/err" ] || fail "groff warns about decc-wallet.1"
	ok "groff renders decc-wallet.1 without warnings"
fi
# every command of the table has its page, compiled in and as a man page
expect_ok decc --help
cmds=$(sed -n '/^Commands:/,/^$/s/^   \([a-z0-9-]*\) .*/\1/p' "$T/out")
[ -n "$cmds" ] || fail "no commands found in --help"
"$DECC_SRC/scripts/gen-man.sh" "$T/man"
for c in $cmds; do
	[ -f "$DECC_SRC/docs/cmd/decc-$c.md" ] || fail "docs/cmd/decc-$c.md is missing"
	expect_ok decc help "$c"
	grep -q "^decc $c - " "$T/out" || fail "decc help $c does not print its page"
	[ -s "$T/man/decc-$c.1" ] || fail "no man page for $c"
done
ok "every command ($(echo $cmds)) has its page: help text and man page"

done_testing
