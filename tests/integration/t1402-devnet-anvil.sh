#!/usr/bin/env bash
# decc devnet up --chain anvil: the story of `make demo` on anvil + the real PoCo 6.1.0 in
# token mode. The devnet starts anvil, deploys PoCo in process, funds the dev accounts with
# ether and RLC, runs decc evm market (the off-chain book, checking orders on anvil), the
# store, the SMS, the scheduler and a TEE worker. Then: a record protected (serialized,
# encrypted, stored, registered, key in the SMS), an iApp image built and registered, the data
# granted to it, orders published on the market, a TEE task matched and COMPLETED through
# contributeAndFinalize, the result pulled and decrypted; escrow balances checked; a second
# task by decc app run (orders found on the market), decrypted too; a standard task
# (contribute, reveal, finalize) COMPLETED; the grant
# revoked and the next match refused; down stops every process, anvil included.
# Fails (never skips) when anvil or the artifacts are missing (scripts/setup.sh installs them).
. "$(dirname "$0")/lib.sh"

command -v bwrap >/dev/null || { echo "SKIP: bwrap not installed"; exit 77; }
[ -x /bin/busybox ] || { echo "SKIP: busybox-static not installed (the iApp image)"; exit 77; }
"$DECC_SRC/scripts/anvil.sh" path >/dev/null || fail "anvil is missing: run scripts/setup.sh"
[ -f "$DECC_SRC/tools/node/poco-6.1.0/artifacts/contracts/Diamond.sol/Diamond.json" ] ||
	fail "PoCo artifacts missing: run scripts/setup.sh"
ZERO=0x0000000000000000000000000000000000000000
TEE=0x0000000000000000000000000000000000000000000000000000000000000001
DN=$T/dn
_devnet_cleanup() {
	"$DECC_BIN" devnet down --dir "$DN" >/dev/null 2>&1 || true
	_cleanup
}
trap _devnet_cleanup EXIT

# a local app for the standard task (the worker's local runner finds it by its sha256)
mkdir -p "$T/apps"
cat >"$T/apps/hello" <<'S'
#!/bin/sh
echo "hello from anvil: $*" >/iexec_out/result.txt
printf '{"deterministic-output-path":"/iexec_out/result.txt"}' >/iexec_out/computed.json
S
chmod +x "$T/apps/hello"

# the tools are found from the binary's source tree, or given explicitly
expect_ok decc devnet up --chain anvil --dir "$DN" --detach --runner local --apps-dir "$T/apps" \
	--anvil "$("$DECC_SRC/scripts/anvil.sh" path)" --artifacts "$DECC_SRC/tools/node/poco-6.1.0"
expect_grep 'anvil \+ PoCo 6.1.0 in token mode, chain id 31337' "$T/out" "up says the chain"
J=$DN/devnet.json
expect_eq anvil "$(jq -r .chain "$J")" "devnet.json: chain anvil"
expect_eq 31337 "$(jq -r .chainId "$J")" "devnet.json: anvil's chain id"
for k in rpc market store sms scheduler hub rlc workerpool workerpoolOrder anvilExe; do
	[ -n "$(jq -r ".$k // empty" "$J")" ] || fail "devnet.json has no $k"
done
PIDS=$(jq -r '.pids[]' "$J")
expect_eq 7 "$(echo "$PIDS" | wc -l)" "supervisor + anvil, market, store, sms, scheduler, worker1"
RPC=$(jq -r .rpc "$J")
HUB=$(jq -r .hub "$J")
MARKET=$(jq -r .market "$J")
STORE=$(jq -r .store "$J")
SMS=$(jq -r .sms "$J")
G=(--rpc "$RPC" --hub "$HUB")
CHAIN=(--chain-id 31337 --hub "$HUB")
PW=(--password-file "$(jq -r .passwordFile "$J")")
wallet() { echo --wallet "$(jq -r ".accounts.$1.keystore" "$J")" "${PW[@]}"; }
addr() { jq -r ".accounts.$1.address" "$J"; }
CAROL=$(addr requester)
POOL=$(jq -r .workerpool "$J")

# the hub is the one deployed: token mode, the admin is anvil's account 0
expect_ok decc --json evm hub --rpc "$RPC" --hub "$HUB"
expect_eq "$(jq -r .rlc "$J")" "$(jq -r .token "$T/out")" "the hub's token() is the RLC of devnet.json"
expect_eq 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266 "$(addr admin)" "the admin is anvil's account 0"
expect_ok decc --json account show "$CAROL" "${G[@]}"
expect_eq "token 1000000 999999000000" "$(jq -r '"\(.mode) \(.balance) \(.rlc)"' "$T/out")" \
	"the requester: 1000000 nRLC deposited from its 1000 RLC"
expect_ok decc --json orderbook workerpool "$POOL" "${G[@]}" --market "$MARKET"
expect_eq "$(jq -r .workerpoolOrderHash "$J")" "$(jq -r '.orders[0].orderHash' "$T/out")" \
	"the pool's order is on the market (decc evm market)"

# ---- 1. the data owner protects a record
expect_ok decc protect serialize --data '{"email":"alice@example.org"}' --output "$T/alice.zip"
expect_ok decc --json dataset encrypt "$T/alice.zip" --output "$T/alice.zip.enc" --key-file "$T/alice.key"
CHECKSUM=$(jq -r .checksum "$T/out")
expect_ok decc --json store add "$T/alice.zip.enc" --api "$STORE"
DCID=$(jq -r .cid "$T/out")
expect_ok decc dataset deploy --name alice-email --multiaddr "/ipfs/$DCID" --checksum "$CHECKSUM" \
	"${G[@]}" $(wallet datasetowner)
DATASET=$(cat "$T/out")
expect_ok decc secret push-dataset "$DATASET" --key-file "$T/alice.key" --sms "$SMS" $(wallet datasetowner)
ok "a protected record on anvil: dataset $DATASET, its key in the SMS"

# ---- 2. the app developer builds and registers the iApp
DECC_BIN="$DECC_BIN" sh "$DECC_SRC/examples/hello-iapp/build.sh" "$T/hello.tar" >"$T/digest" ||
	fail "the iApp image did not build"
DIGEST=$(grep -o '0x[0-9a-f]\{64\}' "$T/digest" | head -1)
expect_ok decc --json store add "$T/hello.tar" --api "$STORE"
ICID=$(jq -r .cid "$T/out")
expect_ok decc app deploy --name hello-iapp --type DOCKER --multiaddr "/ipfs/$ICID" \
	--checksum "$DIGEST" "${G[@]}" $(wallet appdev)
APP=$(cat "$T/out")
cat >"$T/app-order.json" <<E
{"app":"$APP","appprice":"2","volume":"100","tag":"$TEE","datasetrestrict":"$ZERO",
 "workerpoolrestrict":"$ZERO","requesterrestrict":"$ZERO"}
E
expect_ok decc order sign app --order "$T/app-order.json" --output "$T/app-order.s" "${CHAIN[@]}" $(wallet appdev)
expect_ok decc order publish app --order "$T/app-order.s" "${G[@]}" --market "$MARKET"
ok "the iApp $APP registered, its order on the market"

# ---- 3. the grant
cat >"$T/dataset-order.json" <<E
{"dataset":"$DATASET","datasetprice":"3","volume":"10","tag":"$TEE","apprestrict":"$APP",
 "workerpoolrestrict":"$ZERO","requesterrestrict":"$ZERO"}
E
expect_ok decc order sign dataset --order "$T/dataset-order.json" --output "$T/dataset-order.s" \
	"${CHAIN[@]}" $(wallet datasetowner)
expect_ok decc order publish dataset --order "$T/dataset-order.s" "${G[@]}" --market "$MARKET"
# an order signed for another hub is refused by the market (it checks on anvil)
expect_ok decc order sign dataset --order "$T/dataset-order.json" --output "$T/bad-order.s" \
	--chain-id 31337 --hub 0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f $(wallet datasetowner)
expect_fail 1 decc order publish dataset --order "$T/bad-order.s" "${G[@]}" --market "$MARKET"
ok "the market refuses an order signed for another hub: $(cat "$T/err")"

# ---- 4. balances before
bal() { decc --json account show "$(addr "$1")" "${G[@]}" | jq -r .balance; }
APPDEV0=$(bal appdev)
DSO0=$(bal datasetowner)

# ---- 5. the requester processes the data with the app, in the TEE
mkdir -p "$HOME/.decc/result-keys"
expect_ok decc result generate-keys $(wallet requester)
expect_ok decc secret push-result-key \
	--key-file "$HOME/.decc/result-keys/$(decc --json wallet show $(wallet requester) | jq -r .address)_key.pub" \
	--sms "$SMS" $(wallet requester)
request() {
	cat >"$T/req-$1.json" <<E
{"app":"$APP","appmaxprice":"2","dataset":"$DATASET","datasetmaxprice":"3",
 "workerpool":"$POOL","workerpoolmaxprice":"0","requester":"$CAROL","volume":"1",
 "tag":"$TEE","category":"0","trust":"1","beneficiary":"$CAROL","callback":"$ZERO",
 "params":"{\"iexec_result_encryption\":true,\"iexec_args\":\"anvil\"}"}
E
	expect_ok decc order sign request --order "$T/req-$1.json" --output "$T/req-$1.s" "${CHAIN[@]}" \
		$(wallet requester)
}
request 1
expect_ok decc order match --app "$T/app-order.s" --dataset "$T/dataset-order.s" \
	--workerpool "$(jq -r .workerpoolOrder "$J")" --request "$T/req-1.s" "${G[@]}" $(wallet requester)
DEAL=$(cat "$T/out")
expect_ok decc --json deal show "$DEAL" "${G[@]}"
TASK=$(jq -r '.tasks[0]' "$T/out")
ok "the four orders matched on anvil: deal $DEAL"
expect_ok decc --json account show "$CAROL" "${G[@]}"
# frozen, or already paid: the worker may finish the task before this reads the account
case $(jq -r '"\(.balance) \(.frozen)"' "$T/out") in
"999995 5" | "999995 0") ok "the requester's 5 nRLC left its balance (frozen, or paid)" ;;
*) fail "the requester's 5 nRLC are frozen: got '$(jq -r '"\(.balance) \(.frozen)"' "$T/out")'" ;;
esac
st=
for _ in $(seq 1 900); do
	st=$(decc --json task show "$TASK" "${G[@]}" 2>/dev/null | jq -r .status || true)
	[ "$st" = COMPLETED ] || [ "$st" = FAILED ] && break
	sleep 0.1
done
[ "$st" = COMPLETED ] || {
	decc task debug "$TASK" --devnet "$DN" "${G[@]}" >&2 || true
	tail -n 20 "$DN"/logs/*.log >&2
	fail "the TEE task is not COMPLETED on anvil (status $st)"
}
ok "the TEE task COMPLETED on anvil + PoCo (contributeAndFinalize)"
expect_ok decc result pull "$TASK" "${G[@]}" --api "$STORE" --output "$T/result.zip" --decrypt \
	--unzip "$T/result" $(wallet requester)
expect_grep 'its email has 17 characters and ends in @example.org' "$T/result/result.txt" \
	"the requester reads the decrypted result"
if grep -rq "alice@example.org" "$T/result" "$DN/work" 2>/dev/null; then
	fail "the raw address leaked into the result or the worker's files"
fi
ok "the raw address is in neither the result nor the worker's files"
expect_eq $((APPDEV0 + 2)) "$(bal appdev)" "the app owner earned 2 nRLC"
expect_eq $((DSO0 + 3)) "$(bal datasetowner)" "the dataset owner earned 3 nRLC"
expect_ok decc --json account show "$CAROL" "${G[@]}"
expect_eq "999995 0" "$(jq -r '"\(.balance) \(.frozen)"' "$T/out")" "the requester paid 5 nRLC"

# the same through the market: decc app run finds the cheapest orders on decc evm market
expect_ok decc --json app run "$APP" --dataset "$DATASET" --tag tee --args "market" --watch \
	--timeout 120 --market "$MARKET" "${G[@]}" $(wallet requester)
TASK2=$(jq -r .taskid "$T/out")
expect_eq COMPLETED "$(jq -r .status "$T/out")" "app run on anvil: orders from the market, task COMPLETED"
expect_ok decc result pull "$TASK2" "${G[@]}" --api "$STORE" --output "$T/result2.zip" --decrypt \
	--unzip "$T/result2" $(wallet requester)
expect_grep 'ends in @example.org' "$T/result2/result.txt" "app run: the second result decrypted"

# a standard task (no TEE): contribute, reveal, finalize by the scheduler on PoCo
ZTAG=0x0000000000000000000000000000000000000000000000000000000000000000
sum=0x$(sha256sum "$T/apps/hello" | cut -d' ' -f1)
expect_ok decc app deploy --name hello --multiaddr /local/hello --checksum "$sum" "${G[@]}" $(wallet appdev)
SAPP=$(cat "$T/out")
cat >"$T/sapp.json" <<E
{"app":"$SAPP","appprice":"0","volume":"10","tag":"$ZTAG","datasetrestrict":"$ZERO",
 "workerpoolrestrict":"$ZERO","requesterrestrict":"$ZERO"}
E
cat >"$T/sreq.json" <<E
{"app":"$SAPP","appmaxprice":"0","dataset":"$ZERO","datasetmaxprice":"0",
 "workerpool":"$POOL","workerpoolmaxprice":"0","requester":"$CAROL","volume":"1",
 "tag":"$ZTAG","category":"0","trust":"1","beneficiary":"$CAROL","callback":"$ZERO",
 "params":"{\"iexec_args\":\"standard\"}"}
E
expect_ok decc order sign app --order "$T/sapp.json" --output "$T/sapp.s" "${CHAIN[@]}" $(wallet appdev)
expect_ok decc order sign request --order "$T/sreq.json" --output "$T/sreq.s" "${CHAIN[@]}" $(wallet requester)
expect_ok decc order match --app "$T/sapp.s" --workerpool "$(jq -r .workerpoolOrder "$J")" \
	--request "$T/sreq.s" "${G[@]}" $(wallet requester)
expect_ok decc --json deal show "$(cat "$T/out")" "${G[@]}"
STASK=$(jq -r '.tasks[0]' "$T/out")
st=
for _ in $(seq 1 600); do
	st=$(decc --json task show "$STASK" "${G[@]}" 2>/dev/null | jq -r .status || true)
	[ "$st" = COMPLETED ] || [ "$st" = FAILED ] && break
	sleep 0.1
done
[ "$st" = COMPLETED ] || {
	decc task debug "$STASK" --devnet "$DN" >&2 || true
	fail "the standard task is not COMPLETED on anvil (status $st)"
}
expect_ok decc --json task show "$STASK" "${G[@]}"
expect_eq "1 1" "$(jq -r '"\(.revealCounter) \(.winnerCounter)"' "$T/out")" \
	"the standard task: one contribution revealed and finalized on PoCo"

# ---- 6. revoke
expect_ok decc order cancel dataset --order "$T/dataset-order.s" "${G[@]}" $(wallet datasetowner)
request 2
expect_fail 1 decc order match --app "$T/app-order.s" --dataset "$T/dataset-order.s" \
	--workerpool "$(jq -r .workerpoolOrder "$J")" --request "$T/req-2.s" "${G[@]}" $(wallet requester)
expect_grep 'iExecV5-matchOrders-0x' "$T/err" "a match on the revoked grant is refused by PoCo"

# ---- down: anvil too
expect_ok decc devnet status --dir "$DN"
expect_grep '^   anvil .* running' "$T/out" "status lists anvil"
expect_ok decc devnet down --dir "$DN"
for p in $PIDS; do kill -0 "$p" 2>/dev/null && fail "PID $p still runs after down"; done
ok "down stopped every process, anvil included"
curl -s -m 2 -X POST -H 'Content-Type: application/json' \
	--data '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' "$RPC" >/dev/null &&
	fail "anvil still answers after down"
ok "anvil no longer answers after down"

# ---- a supervisor killed with -9: down still stops anvil (by its own binary's path)
expect_ok decc devnet up --chain anvil --dir "$DN" --detach
RPC=$(jq -r .rpc "$J")
kill -9 "$(jq -r .pids.supervisor "$J")"
expect_ok decc devnet status --dir "$DN"
expect_grep 'DEGRADED' "$T/out" "status: the supervisor is gone"
expect_grep '^   anvil .* running' "$T/out" "status: anvil still runs"
expect_ok decc devnet down --dir "$DN"
for _ in $(seq 1 50); do
	curl -s -m 1 -X POST -H 'Content-Type: application/json' \
		--data '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' "$RPC" >/dev/null || break
	sleep 0.1
done
curl -s -m 1 -X POST -H 'Content-Type: application/json' \
	--data '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' "$RPC" >/dev/null &&
	fail "anvil still answers after down (supervisor killed)"
[ -e "$J" ] && fail "devnet.json is still there after down"
ok "down after a killed supervisor stopped anvil and the daemons"
done_testing
