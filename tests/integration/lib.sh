#!/usr/bin/env bash
# Shared helpers of the integration tests (tests/integration/tNNNN-*.sh). Source it first:
#   . "$(dirname "$0")/lib.sh"
# It sets `set -euo pipefail`, checks $DECC_BIN, makes a private temp dir $T (removed on exit,
# with every process started through `spawn`), and gives:
#   ok MSG                        count a passed check
#   fail MSG                      report a failed check and exit 1
#   expect_eq WANT GOT MSG        string equality
#   expect_fail STATUS CMD...     CMD must exit with STATUS; its stdout goes to $T/out, stderr to
#                                 $T/err; stderr must be exactly one line starting with "decc: "
#   expect_ok CMD...              CMD must exit 0; stdout in $T/out, stderr in $T/err
#   expect_grep PATTERN FILE MSG  FILE contains PATTERN (grep -E)
#   free_port                     print a free TCP port on 127.0.0.1 outside the ephemeral range
#   spawn CMD...                  start CMD in the background, killed on exit; PID in $SPAWNED
#   dev_wallets WHO...            a light keystore per name (password file $T/pw), the
#                                 addresses in the associative array ADDR
#   wallet WHO                    the --wallet/--password-file options of WHO
#   dev_genesis FILE [MEMBERS]    a decc node genesis: chain 65535, ADDR[admin] owns the hub,
#                                 every ADDR funded; MEMBERS = more JSON members ending in ","
#   start_anvil                   the project-local anvil on a free port, stopped on exit
#                                 (fails when scripts/setup.sh did not install it or the
#                                 PoCo artifacts): RPC, ANVIL, ART (artifacts), KEYS (dev keys)
#   publish_order TYPE WHO JSON   sign the order JSON as WHO into $T/TYPE.s and publish it
#                                 (uses the CHAIN and G arrays of the test)
#   iapp_deploy VAR NAME SCRIPT   an iApp image of SCRIPT (examples/hello-iapp's builder),
#                                 added to $STORE and registered by appdev; its address in VAR
#   start_daemon VAR NAME LOG CMD...  spawn CMD with @PORT@ replaced by a free port, stderr to
#                                 LOG; its URL in VAR once /healthz answers (another port
#                                 tried when that one was taken meanwhile)
#   start_tee_services            decc store, a simulated platform key and decc sms trusting it
#                                 (needs RPC and HUB): STORE, SMS, PLATFORM ($T/platform.key)
#   decc ARGS...                  runs $DECC_BIN
set -euo pipefail

: "${DECC_BIN:?DECC_BIN must be the path of the decc binary (set by CTest)}"
: "${DECC_SRC:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${DECC_VECTORS:=$DECC_SRC/tests/vectors}"
export DECC_BIN DECC_SRC DECC_VECTORS

T=$(mktemp -d "${TMPDIR:-/tmp}/decc-it.XXXXXX")
# keep tests away from the real ~/.decc
export HOME="$T/home"
mkdir -p "$HOME"
SPAWNED=""
_pids=()
_nok=0

_cleanup() {
	local pid
	for pid in "${_pids[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${_pids[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	rm -rf "$T"
}
trap _cleanup EXIT

decc() {
	"$DECC_BIN" "$@"
}

ok() {
	_nok=$((_nok + 1))
	echo "ok $_nok - $*"
}

fail() {
	echo "FAIL - $*" >&2
	if [ -f "$T/err" ]; then
		echo "--- stderr of the last command:" >&2
		cat "$T/err" >&2
	fi
	if [ -f "$T/out" ]; then
		echo "--- stdout of the last command:" >&2
		head -c 2000 "$T/out" >&2
	fi
	exit 1
}

expect_eq() {
	if [ "$1" != "$2" ]; then
		fail "$3: expected '$1', got '$2'"
	fi
	ok "$3"
}

expect_ok() {
	local rc=0
	"$@" >"$T/out" 2>"$T/err" || rc=$?
	if [ $rc -ne 0 ]; then
		fail "expected success (exit 0), got exit $rc: $*"
	fi
}

expect_fail() {
	local want=$1 rc=0 lines
	shift
	"$@" >"$T/out" 2>"$T/err" || rc=$?
	if [ $rc -ne "$want" ]; then
		fail "expected exit $want, got $rc: $*"
	fi
	lines=$(wc -l <"$T/err")
	if [ "$lines" -ne 1 ] || ! grep -q '^decc: ' "$T/err"; then
		fail "expected one line 'decc: ...' on stderr, got $lines lines: $*"
	fi
}

expect_grep() {
	if ! grep -qE -- "$1" "$2"; then
		fail "$3: '$1' not found in $2"
	fi
	ok "$3"
}

free_port() {
	local port i lo=32768 hi=60999 span
	# outside the kernel's ephemeral range, where the local end of any client connection on a
	# busy machine may hold the port without accepting on it
	read -r lo hi </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || true
	for i in $(seq 1 50); do
		if [ "$lo" -gt 20000 ]; then
			span=$((lo - 20000))
			port=$((20000 + RANDOM % span))
		else
			port=$((hi + 1 + RANDOM % (65535 - hi)))
		fi
		# a port is free when nothing accepts a connection on it
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			echo "$port"
			return 0
		fi
	done
	echo "free_port: no free port found" >&2
	return 1
}

spawn() {
	"$@" &
	SPAWNED=$!
	_pids+=("$SPAWNED")
}

dev_wallets() {
	declare -gA ADDR
	[ -f "$T/pw" ] || printf 'test-pw\n' >"$T/pw"
	for who in "$@"; do
		expect_ok decc --json wallet create --kdf-light --keystore-dir "$T/ks-$who" \
			--password-file "$T/pw"
		ADDR[$who]=$(jq -r .address "$T/out")
	done
}

wallet() { echo --wallet "$(ls "$T/ks-$1"/*)" --password-file "$T/pw"; }

dev_genesis() {
	local who sep=
	{
		printf '{"chainId": 65535, "timestamp": 1700000000, "hubOwner": "%s", %s "accounts": {' \
			"${ADDR[admin]}" "${2:-}"
		for who in "${!ADDR[@]}"; do
			printf '%s"%s": {"balance": "1000000000000000000000000"}' "$sep" "${ADDR[$who]}"
			sep=,
		done
		printf '}}\n'
	} >"$1"
}

start_anvil() {
	ANVIL="$DECC_SRC/scripts/anvil.sh"
	ART="$DECC_SRC/tools/node/poco-6.1.0"
	KEYS="$DECC_VECTORS/diff/anvil-keys.txt"
	"$ANVIL" path >/dev/null || fail "anvil is missing: run scripts/setup.sh"
	[ -f "$ART/artifacts/contracts/Diamond.sol/Diamond.json" ] ||
		fail "PoCo artifacts missing under $ART: run scripts/setup.sh"
	local port
	port=$(free_port)
	"$ANVIL" start "$port" "$T/anvil.pid" "$T/anvil.log" || fail "anvil did not start"
	trap '"$ANVIL" stop "$T/anvil.pid" || true; _cleanup' EXIT
	RPC=http://127.0.0.1:$port
}

publish_order() {
	printf '%s\n' "$3" >"$T/$1.json"
	expect_ok decc order sign "$1" --order "$T/$1.json" --output "$T/$1.s" "${CHAIN[@]}" \
		$(wallet "$2")
	expect_ok decc order publish "$1" --order "$T/$1.s" "${G[@]}"
}

iapp_deploy() {
	local var=$1 name=$2 dir=$T/iapp-$2
	mkdir -p "$dir"
	cp "$DECC_SRC/examples/hello-iapp/build.sh" "$dir/build.sh"
	cp "$3" "$dir/app.sh"
	DECC_BIN="$DECC_BIN" sh "$dir/build.sh" "$T/$name.tar" >"$dir/digest" 2>"$dir/build.err" ||
		{ cat "$dir/build.err" >&2; fail "the $name iApp image did not build"; }
	expect_ok decc --json store add "$T/$name.tar" --api "$STORE"
	expect_ok decc app deploy --name "$name" --multiaddr "/ipfs/$(jq -r .cid "$T/out")" \
		--checksum "$(grep -o '0x[0-9a-f]\{64\}' "$dir/digest" | head -1)" "${G[@]}" \
		$(wallet appdev)
	printf -v "$var" %s "$(cat "$T/out")"
}

start_daemon() {
	local var=$1 name=$2 log=$3 port a
	shift 3
	for _ in 1 2 3 4 5; do
		port=$(free_port)
		local args=()
		for a in "$@"; do args+=("${a//@PORT@/$port}"); done
		spawn "${args[@]}" 2>"$log"
		for _ in $(seq 1 200); do
			if curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then
				printf -v "$var" %s "http://127.0.0.1:$port"
				return 0
			fi
			kill -0 "$SPAWNED" 2>/dev/null || break
			sleep 0.1
		done
		grep -q "listen" "$log" || break
	done
	cat "$log" >&2
	fail "$name did not start"
}

start_tee_services() {
	start_daemon STORE "decc store" "$T/store.log" "$DECC_BIN" store --data "$T/store" \
		--listen "127.0.0.1:@PORT@"
	expect_ok decc enclave --make-platform-key "$T/platform.key"
	PLATFORM=$(grep -o '0x[0-9a-fA-F]\{40\}' "$T/out" | head -1)
	start_daemon SMS "decc sms" "$T/sms.log" "$DECC_BIN" sms --data "$T/sms" \
		--listen "127.0.0.1:@PORT@" --rpc "$RPC" --hub "$HUB" --trust-platform "$PLATFORM" \
		--result-proxy "$STORE"
}

done_testing() {
	echo "# $_nok checks passed"
}
