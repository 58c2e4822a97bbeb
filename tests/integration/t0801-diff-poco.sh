#!/usr/bin/env bash
# Differential test (docs/DIFFERENTIAL.md): the same PoCo scenario (tests/helper/decc-scenario.c)
# runs against `decc node` and against anvil + the real PoCo 6.1.0 contracts deployed in
# native mode, both on random free ports and stopped by PID; the two normalised traces are
# compared value by value. Every difference fails the test unless it is listed, with its
# reason, in tests/vectors/diff/known-differences.txt.
# Fails (never skips) when anvil or the artifacts are missing (scripts/setup.sh installs them).
. "$(dirname "$0")/lib.sh"

ANVIL="$DECC_SRC/scripts/anvil.sh"
ART="$DECC_SRC/tools/node/poco-6.1.0"
SCEN="$(dirname "$DECC_BIN")/tests/helper/decc-scenario"
VEC="$DECC_VECTORS/diff"
[ -x "$SCEN" ] || fail "decc-scenario is not built at $SCEN"
"$ANVIL" path >/dev/null || fail "anvil is missing: run scripts/setup.sh"
[ -f "$ART/artifacts/contracts/Diamond.sol/Diamond.json" ] ||
	fail "PoCo artifacts missing under $ART: run scripts/setup.sh"

# anvil + PoCo (native mode, like decc node)
APORT=$(free_port)
"$ANVIL" start "$APORT" "$T/anvil.pid" "$T/anvil.log" || fail "anvil did not start"
trap '"$ANVIL" stop "$T/anvil.pid" || true; _cleanup' EXIT
ARPC=http://127.0.0.1:$APORT
head -1 "$VEC/anvil-keys.txt" >"$T/pk0"
expect_ok decc --json evm deploy-poco --rpc "$ARPC" --private-key-file "$T/pk0" \
	--artifacts "$ART" --native
AHUB=$(jq -r .hub "$T/out")
expect_eq native "$(jq -r .mode "$T/out")" "PoCo deployed on anvil in native mode"

# the genesis funds anvil's first ten accounts, the keys the driver uses
curl -s -m 10 -X POST -H 'Content-Type: application/json' \
	--data '{"jsonrpc":"2.0","id":1,"method":"eth_accounts","params":[]}' "$ARPC" |
	jq -r '.result[]' | tr 'A-F' 'a-f' | sort >"$T/anvil-accounts"
jq -r '.accounts | keys[]' "$VEC/genesis.json" | tr 'A-F' 'a-f' | sort >"$T/genesis-accounts"
cmp -s "$T/anvil-accounts" "$T/genesis-accounts" ||
	fail "tests/vectors/diff/genesis.json does not fund anvil's dev accounts"
ok "the genesis funds anvil's ten dev accounts"

# decc node
NPORT=$(free_port)
spawn "$DECC_BIN" node --genesis "$VEC/genesis.json" --data "$T/node" --listen "127.0.0.1:$NPORT" \
	2>"$T/node.log"
NODE_PID=$SPAWNED
NRPC=http://127.0.0.1:$NPORT
for _ in $(seq 1 100); do
	curl -sf -m 1 "$NRPC/healthz" >/dev/null 2>&1 && break
	kill -0 "$NODE_PID" 2>/dev/null || { cat "$T/node.log" >&2; fail "decc node died"; }
	sleep 0.05
done
NHUB=$(grep -o 'PoCo hub 0x[0-9a-fA-F]*' "$T/node.log" | head -1 | cut -d' ' -f3)
[ -n "$NHUB" ] || fail "decc node did not log its hub address"
ok "decc node started (hub $NHUB)"

# the scenario on both; a step failing for another reason than a revert fails the driver
"$SCEN" --rpc "$ARPC" --hub "$AHUB" --keys "$VEC/anvil-keys.txt" --label anvil+poco \
	--out "$T/anvil.json" 2>"$T/anvil.steps" ||
	{ cat "$T/anvil.steps" >&2; fail "the scenario failed on anvil + PoCo"; }
ok "scenario ran on anvil + PoCo ($(jq '.steps | length' "$T/anvil.json") steps)"
"$SCEN" --rpc "$NRPC" --hub "$NHUB" --keys "$VEC/anvil-keys.txt" --label decc-node \
	--out "$T/node.json" 2>"$T/node.steps" ||
	{ cat "$T/node.steps" >&2; fail "the scenario failed on decc node"; }
ok "scenario ran on decc node ($(jq '.steps | length' "$T/node.json") steps)"

# the reference run must do what the scenario says: every revert step reverted with the
# reason it provokes, every other step succeeded
jq -r '.steps[] | select(.expect != null) |
	if (.expect | startswith("iExecV5") or startswith("IexecEscrow") or
	    startswith("invalid-")) then
		(if .result == ("revert: " + .expect) then empty
		 else "\(.step): expected revert \(.expect), got \(.result)" end)
	elif (.expect | startswith("revert")) then
		(if (.result | startswith("revert")) then empty
		 else "\(.step): expected a revert, got \(.result)" end)
	else (if .result == "ok" then empty else "\(.step): expected ok, got \(.result)" end)
	end' "$T/anvil.json" >"$T/unexpected"
if [ -s "$T/unexpected" ]; then
	cat "$T/unexpected" >&2
	fail "the scenario did not behave as written on anvil + PoCo"
fi
ok "on anvil + PoCo every step did what the scenario expects"

# compare
rc=0
"$SCEN" --compare "$T/node.json" "$T/anvil.json" --known "$VEC/known-differences.txt" \
	>"$T/diff" || rc=$?
cat "$T/diff"
[ $rc -eq 0 ] || fail "decc node and anvil + PoCo differ (see DIFF lines above)"
ok "decc node and anvil + PoCo agree on every value (documented differences aside)"
done_testing
