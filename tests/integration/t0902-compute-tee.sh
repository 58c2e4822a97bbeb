#!/usr/bin/env bash
# A TEE task through decc scheduler and decc worker (real processes, random loopback ports):
# decc node, decc store, decc sms trusting one simulated platform key; a TEE deal (tag 0x…01,
# trust 1) of examples/hello-iapp. The scheduler initializes the task, gets the enclave
# challenge from the SMS and authorizes one TEE-enabled worker; the worker runs decc enclave
# through its TEE runner and sends contributeAndFinalize (no reveal): the task is COMPLETED
# with the enclave's result location, which decc result pull downloads.
. "$(dirname "$0")/lib.sh"

command -v bwrap >/dev/null || { echo "SKIP: bwrap not installed"; exit 77; }
[ -x /bin/busybox ] || { echo "SKIP: no /bin/busybox (busybox-static) for the iApp image"; exit 77; }
HUB=0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f
ZERO=0x0000000000000000000000000000000000000000
TTAG=0x0000000000000000000000000000000000000000000000000000000000000001
SECRET=requester-secret-never-in-clear-4242

printf 'tee-pw\n' >"$T/pw"
declare -A ADDR
for who in admin requester appdev scheduler worker; do
	expect_ok decc --json wallet create --kdf-light --keystore-dir "$T/ks-$who" \
		--password-file "$T/pw"
	ADDR[$who]=$(jq -r .address "$T/out")
done
wallet() { echo --wallet "$(ls "$T/ks-$1"/*)" --password-file "$T/pw"; }
{
	printf '{"chainId": 65535, "timestamp": 1700000000, "hubOwner": "%s", "accounts": {' \
		"${ADDR[admin]}"
	sep=
	for who in "${!ADDR[@]}"; do
		printf '%s"%s": {"balance": "1000000000000000000000000"}' "$sep" "${ADDR[$who]}"
		sep=,
	done
	printf '}}\n'
} >"$T/genesis.json"
PORT=$(free_port)
RPC=http://127.0.0.1:$PORT
spawn "$DECC_BIN" node --genesis "$T/genesis.json" --data "$T/node" --listen "127.0.0.1:$PORT" \
	2>"$T/node.log"
for _ in $(seq 1 100); do curl -sf "$RPC/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
G=(--rpc "$RPC")
CHAIN=(--chain-id 65535 --hub "$HUB")
expect_ok decc account deposit 1000 "${G[@]}" $(wallet requester)
expect_ok decc account deposit 1000 "${G[@]}" $(wallet scheduler)

STPORT=$(free_port)
STORE=http://127.0.0.1:$STPORT
spawn "$DECC_BIN" store --data "$T/store" --listen "127.0.0.1:$STPORT" 2>"$T/store.log"
for _ in $(seq 1 100); do curl -sf "$STORE/healthz" >/dev/null 2>&1 && break; sleep 0.1; done

# ---- the platform keys and the SMS trusting one of them ----
expect_ok decc enclave --make-platform-key "$T/platform.key"
PLATFORM=$(cat "$T/out")
expect_ok decc enclave --make-platform-key "$T/rogue.key"
SMSPORT=$(free_port)
SMS=http://127.0.0.1:$SMSPORT
spawn "$DECC_BIN" --rpc "$RPC" sms --data "$T/sms" --listen "127.0.0.1:$SMSPORT" \
	--trust-platform "$PLATFORM" 2>"$T/sms.log"
for _ in $(seq 1 100); do curl -sf "$SMS/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
DECC_BIN="$DECC_BIN" sh "$DECC_SRC/examples/hello-iapp/build.sh" "$T/hello.tar" >"$T/digest"
expect_ok decc store add "$T/hello.tar" --api "$STORE"
IMG=$(cat "$T/out")
expect_ok decc app deploy --name hello-tee --multiaddr "/ipfs/$IMG" \
	--checksum "$(cat "$T/digest")" "${G[@]}" $(wallet appdev)
APP=$(cat "$T/out")
expect_ok decc workerpool deploy --description "tee pool" "${G[@]}" $(wallet scheduler)
POOL=$(cat "$T/out")
expect_ok decc account deposit 100 "${G[@]}" $(wallet worker)

SPORT=$(free_port)
SURL=http://127.0.0.1:$SPORT
spawn "$DECC_BIN" --rpc "$RPC" $(wallet scheduler) scheduler --workerpool "$POOL" \
	--data "$T/sched" --listen "127.0.0.1:$SPORT" --poll-ms 200 --sms "$SMS" --store "$STORE" \
	2>"$T/sched.log"
for _ in $(seq 1 100); do curl -sf "$SURL/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -sf "$SURL/healthz" >/dev/null || { cat "$T/sched.log" >&2; fail "the scheduler did not start"; }
spawn "$DECC_BIN" $(wallet worker) worker --scheduler "$SURL" --work-dir "$T/work" \
	--sms "$SMS" --platform-key "$T/platform.key" 2>"$T/worker.log"

cat >"$T/app.json" <<J
{"app":"$APP","appprice":"0","volume":"1","tag":"$TTAG","datasetrestrict":"$ZERO",
 "workerpoolrestrict":"$ZERO","requesterrestrict":"$ZERO","salt":"0x$(printf '%064x' 1)"}
J
cat >"$T/pool.json" <<J
{"workerpool":"$POOL","workerpoolprice":"10","volume":"1","tag":"$TTAG","category":"0",
 "trust":"1","apprestrict":"$ZERO","datasetrestrict":"$ZERO","requesterrestrict":"$ZERO",
 "salt":"0x$(printf '%064x' 1)"}
J
cat >"$T/req.json" <<J
{"app":"$APP","appmaxprice":"0","dataset":"$ZERO","datasetmaxprice":"0",
 "workerpool":"$POOL","workerpoolmaxprice":"10","requester":"${ADDR[requester]}",
 "volume":"1","tag":"$TTAG","category":"0","trust":"1","beneficiary":"${ADDR[requester]}",
 "callback":"$ZERO","params":"{\"iexec_args\":\"tee world\"}",
 "salt":"0x$(printf '%064x' 1)"}
J
expect_ok decc order sign app --order "$T/app.json" --output "$T/app.s" "${CHAIN[@]}" $(wallet appdev)
expect_ok decc order sign workerpool --order "$T/pool.json" --output "$T/pool.s" "${CHAIN[@]}" $(wallet scheduler)
expect_ok decc order sign request --order "$T/req.json" --output "$T/req.s" "${CHAIN[@]}" $(wallet requester)
expect_ok decc order match --app "$T/app.s" --workerpool "$T/pool.s" --request "$T/req.s" \
	"${G[@]}" $(wallet requester)
DEAL=$(cat "$T/out")
expect_ok decc --json deal show "$DEAL" "${G[@]}"
TASK=$(jq -r '.tasks[0]' "$T/out")
for _ in $(seq 1 1200); do
	decc --json task show "$TASK" "${G[@]}" >"$T/task.json" 2>/dev/null || true
	[ "$(jq -r .status "$T/task.json")" = COMPLETED ] && break
	sleep 0.1
done
if [ "$(jq -r .status "$T/task.json")" != COMPLETED ]; then
	curl -s "$SURL/tasks/$TASK" >&2 || true
	tail -30 "$T/sched.log" "$T/worker.log" >&2
	fail "the TEE task is not COMPLETED"
fi
ok "TEE task COMPLETED on chain through the scheduler and the worker"
expect_eq "1/${ADDR[worker]}/PROVED" \
	"$(jq -r '(.contributions | length | tostring) + "/" + .contributions[0].worker + "/" + .contributions[0].status' "$T/task.json")" \
	"one contribution, by the TEE worker, proved by contributeAndFinalize"
for _ in $(seq 1 100); do
	curl -sf "$SURL/tasks/$TASK" >"$T/stask.json" 2>/dev/null || true
	[ "$(jq -r '.replicates[0].status' "$T/stask.json")" = COMPLETED ] && break
	sleep 0.1
done
expect_eq COMPLETED "$(jq -r '.replicates[0].status' "$T/stask.json")" "the replicate COMPLETED"
expect_grep CONTRIBUTE_AND_FINALIZE_DONE "$T/stask.json" "the worker reported CONTRIBUTE_AND_FINALIZE_DONE"
if grep -q '"REVEALING\|-> REVEALING' "$T/stask.json"; then fail "a TEE task was revealed"; fi
ok "the scheduler saw contributeAndFinalize, no reveal"
expect_ok decc result pull "$TASK" "${G[@]}" --api "$STORE" --output "$T/result.zip" --unzip "$T/result"
expect_grep "tee world" "$T/result/result.txt" "the enclave's result"
ok "decc result pull gets the enclave's result: $(cat "$T/result/result.txt")"
done_testing
