#!/usr/bin/env bash
# decc evm deploy-poco on anvil from the @iexec/poco 6.1.0 artifacts, then read the hub back
# through the chain client's typed views (domain, categories, token, registries), create an
# app through the AppRegistry and read its owner and fields, and check PoCo revert reasons.
# Fails (never skips) when anvil or the artifacts are missing (scripts/setup.sh installs them).
. "$(dirname "$0")/lib.sh"

ANVIL="$DECC_SRC/scripts/anvil.sh"
ART="$DECC_SRC/tools/node/poco-6.1.0"
"$ANVIL" path >/dev/null || fail "anvil is missing: run scripts/setup.sh"
[ -f "$ART/artifacts/contracts/Diamond.sol/Diamond.json" ] ||
	fail "PoCo artifacts missing under $ART: run scripts/setup.sh"
PORT=$(free_port)
"$ANVIL" start "$PORT" "$T/anvil.pid" "$T/anvil.log" || fail "anvil did not start"
trap '"$ANVIL" stop "$T/anvil.pid"; _cleanup' EXIT
RPC=http://127.0.0.1:$PORT
ME=0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266
echo 0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80 >"$T/pk0"
K=(--rpc "$RPC" --private-key-file "$T/pk0")

# missing artifacts: a clear error, nothing printed on stdout
expect_fail 1 decc evm deploy-poco "${K[@]}" --artifacts "$T/nowhere"
expect_grep 'artifacts' "$T/err" "deploy-poco without artifacts says so"
[ ! -s "$T/out" ] || fail "failed deploy-poco printed on stdout"
expect_fail 2 decc evm deploy-poco "${K[@]}"
expect_grep 'missing --artifacts' "$T/err" "deploy-poco needs --artifacts"

expect_ok decc --json evm deploy-poco "${K[@]}" --artifacts "$ART"
cp "$T/out" "$T/poco.json"
HUB=$(jq -r .hub "$T/poco.json")
RLC=$(jq -r .rlc "$T/poco.json")
APPREG=$(jq -r .appRegistry "$T/poco.json")
for k in hub rlc appRegistry datasetRegistry workerpoolRegistry ordersLibrary; do
	jq -e --arg k "$k" '.[$k] | test("^0x[0-9a-fA-F]{40}$")' "$T/poco.json" >/dev/null ||
		fail "deploy-poco output lacks $k"
done
ok "deploy-poco printed hub, rlc, registries, library"
expect_eq 16 "$(jq '.facets | length' "$T/poco.json")" "16 facets deployed (3 base + 13 PoCo)"

# typed views
expect_ok decc --json evm hub --rpc "$RPC" --hub "$HUB"
cp "$T/out" "$T/hub.json"
expect_eq iExecODB "$(jq -r .domain.name "$T/hub.json")" "domain().name"
expect_eq 5.0.0 "$(jq -r .domain.version "$T/hub.json")" "domain().version"
expect_eq 31337 "$(jq -r .domain.chainId "$T/hub.json")" "domain().chainId"
expect_eq "$HUB" "$(jq -r .domain.verifyingContract "$T/hub.json")" "domain().verifyingContract"
expect_eq 5 "$(jq -r .countCategory "$T/hub.json")" "countCategory() == 5"
expect_eq "XS:300 S:1200 M:3600 L:10800 XL:36000" \
	"$(jq -r '[.categories[] | "\(.name):\(.workClockTimeRef)"] | join(" ")' "$T/hub.json")" \
	"viewCategory of the five categories"
expect_eq "$RLC" "$(jq -r .token "$T/hub.json")" "token() == RLC"
expect_eq "$APPREG" "$(jq -r .appRegistry "$T/hub.json")" "appregistry() == deployed registry"
expect_eq "$ME" "$(jq -r .owner "$T/hub.json")" "hub owner() is the deployer"

# the RLC supply went to the deployer (87e6 RLC, 9 decimals)
expect_ok decc --json evm call --rpc "$RPC" --to "$RLC" --sig 'balanceOf(address)' \
	--args "[\"$ME\"]" --returns '(uint256)'
expect_eq '{"result":["87000000000000000"]}' "$(cat "$T/out")" "RLC balanceOf(deployer)"

# create an app through the AppRegistry, read it back with the typed views
MADDR=0x$(printf 'docker.io/decc/hello:1.0.0' | xxd -p | tr -d '\n')
SUM=0x00000000000000000000000000000000000000000000000000000000000000c0
expect_ok decc --json evm send "${K[@]}" --to "$APPREG" \
	--sig 'createApp(address,string,string,bytes,bytes32,bytes)' \
	--args "[\"$ME\",\"hello-app\",\"DOCKER\",\"$MADDR\",\"$SUM\",\"0x\"]"
APP=0x$(jq -r '.logs[0].topics[3]' "$T/out" | cut -c27-)
[ ${#APP} -eq 42 ] || fail "no app address in the Transfer log"
ok "createApp minted $APP"
expect_ok decc --json evm view app "$APP" --rpc "$RPC"
expect_eq "$ME" "$(jq -r .owner "$T/out")" "app owner() is the creator"
expect_eq hello-app "$(jq -r .name "$T/out")" "m_appName()"
expect_eq DOCKER "$(jq -r .type "$T/out")" "m_appType()"
expect_eq "$MADDR" "$(jq -r .multiaddr "$T/out")" "m_appMultiaddr()"
expect_eq "$SUM" "$(jq -r .checksum "$T/out")" "m_appChecksum()"
# the registry agrees (ERC-721 ownership)
expect_ok decc --json evm call --rpc "$RPC" --to "$APPREG" --sig 'isRegistered(address)' \
	--args "[\"$APP\"]" --returns '(bool)'
expect_eq '{"result":[true]}' "$(cat "$T/out")" "isRegistered(app)"

# deposit through RLC.approveAndCall, then the typed viewAccount
expect_ok decc evm send "${K[@]}" --to "$RLC" --sig 'approveAndCall(address,uint256,bytes)' \
	--args "[\"$HUB\",\"1000\",\"0x\"]"
expect_ok decc --json evm view account "$ME" --rpc "$RPC" --hub "$HUB"
expect_eq '{"stake":"1000","locked":"0"}' "$(cat "$T/out")" "viewAccount after deposit"

# PoCo revert reasons come back readable
expect_fail 1 decc evm send "${K[@]}" --to "$HUB" \
	--sig 'configure(address,string,string,uint8,address,address,address,address)' \
	--args "[\"$RLC\",\"x\",\"y\",9,\"$APPREG\",\"$APPREG\",\"$APPREG\",\"0x0000000000000000000000000000000000000000\"]"
expect_grep 'already-configured' "$T/err" "configure twice reverts with its reason"
expect_fail 1 decc evm send "${K[@]}" --to "$HUB" --sig 'withdraw(uint256)' --args '["5000"]'
ok "withdrawing more than the balance fails"

# native mode: no RLC, deposits in the chain coin (1 nRLC = 1e9 wei)
expect_ok decc --json evm deploy-poco "${K[@]}" --artifacts "$ART" --native --no-boost
NHUB=$(jq -r .hub "$T/out")
expect_eq native "$(jq -r .mode "$T/out")" "native deployment"
expect_ok decc --json evm hub --rpc "$RPC" --hub "$NHUB"
expect_eq 0x0000000000000000000000000000000000000000 "$(jq -r .token "$T/out")" \
	"token() is zero on a native hub"
expect_ok decc evm send "${K[@]}" --to "$NHUB" --sig 'deposit()' --value 5000000000123
expect_ok decc --json evm view account "$ME" --rpc "$RPC" --hub "$NHUB"
expect_eq '{"stake":"5000","locked":"0"}' "$(cat "$T/out")" "native deposit: wei / 1e9"
done_testing
