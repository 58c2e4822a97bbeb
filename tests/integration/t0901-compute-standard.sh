#!/usr/bin/env bash
# Standard (non-TEE) tasks end to end with real processes on random loopback ports: decc node,
# decc scheduler, decc worker(s). An app (a local executable, the worker's interim runner) with
# no dataset, tag 0:
#   trust 1: task COMPLETED on chain, the app ran (its computed.json digest on chain);
#   trust 3 on three workers: consensus, reveals, finalize, every contributor paid;
#   a worker killed (kill -9) mid-task: the task completes on another worker;
#   an app that exits non-zero: the cause in the scheduler's /tasks/ID, the requester claims
#   after the final deadline (evm_increaseTime) and gets a full refund.
. "$(dirname "$0")/lib.sh"

command -v bwrap >/dev/null || { echo "SKIP: bwrap not installed"; exit 77; }
HUB=0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f
ZERO=0x0000000000000000000000000000000000000000
ZTAG=0x0000000000000000000000000000000000000000000000000000000000000000

printf 'compute-pw\n' >"$T/pw"
declare -A ADDR
for who in admin requester appdev scheduler w1 w2 w3; do
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
spawn "$DECC_BIN" node --genesis "$T/genesis.json" --data "$T/node" \
	--listen "127.0.0.1:$PORT" 2>"$T/node.log"
for _ in $(seq 1 100); do curl -sf "$RPC/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -sf "$RPC/healthz" >/dev/null || { cat "$T/node.log" >&2; fail "the node did not start"; }
G=(--rpc "$RPC")
CHAIN=(--chain-id 65535 --hub "$HUB")
rpc() { curl -s -H 'Content-Type: application/json' \
	-d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$1\",\"params\":$2}" "$RPC"; }
bal() { expect_ok decc --json account show "${ADDR[$1]}" "${G[@]}"; jq -r '.balance + "/" + .frozen' "$T/out"; }

for who in requester scheduler w1 w2 w3; do
	expect_ok decc account deposit 1000 "${G[@]}" $(wallet $who)
done

# ---- the apps: executables found by their sha256 (the registered checksum) ----
mkdir -p "$T/apps"
cat >"$T/apps/hello" <<'S'
#!/bin/sh
echo "hello from the app: $*" >/iexec_out/result.txt
printf '{"deterministic-output-path":"/iexec_out/result.txt"}' >/iexec_out/computed.json
S
cat >"$T/apps/broken" <<'S'
#!/bin/sh
echo "the app fails on purpose" >&2
exit 3
S
cat >"$T/apps/nocomputed" <<'S'
#!/bin/sh
echo "no computed.json" >/iexec_out/result.txt
S
cat >"$T/apps/slow" <<'S'
#!/bin/sh
sleep 6
echo slow >/iexec_out/result.txt
printf '{"deterministic-output-path":"/iexec_out/result.txt"}' >/iexec_out/computed.json
S
chmod +x "$T/apps/"*
declare -A APP
for a in hello broken nocomputed slow; do
	sum=0x$(sha256sum "$T/apps/$a" | cut -d' ' -f1)
	expect_ok decc app deploy --name "$a" --multiaddr "/local/$a" --checksum "$sum" \
		"${G[@]}" $(wallet appdev)
	APP[$a]=$(cat "$T/out")
done
expect_ok decc workerpool deploy --description "e2 pool" "${G[@]}" $(wallet scheduler)
POOL=$(cat "$T/out")
ok "apps and workerpool registered"

# ---- the store (results), scheduler and workers ----
STPORT=$(free_port)
STORE=http://127.0.0.1:$STPORT
spawn "$DECC_BIN" store --data "$T/store" --listen "127.0.0.1:$STPORT" 2>"$T/store.log"
for _ in $(seq 1 100); do curl -sf "$STORE/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
SPORT=$(free_port)
SURL=http://127.0.0.1:$SPORT
spawn "$DECC_BIN" --rpc "$RPC" $(wallet scheduler) scheduler --workerpool "$POOL" \
	--data "$T/sched" --listen "127.0.0.1:$SPORT" --worker-timeout 8 --poll-ms 200 --store "$STORE" \
	2>"$T/sched.log"
SCHED_PID=$SPAWNED
for _ in $(seq 1 100); do curl -sf "$SURL/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -sf "$SURL/healthz" >/dev/null || { cat "$T/sched.log" >&2; fail "the scheduler did not start"; }
ok "the scheduler answers /healthz"
declare -A WPID
start_worker() {
	spawn "$DECC_BIN" $(wallet "$1") worker --scheduler "$SURL" --work-dir "$T/work-$1" \
		--runner local --apps-dir "$T/apps" 2>>"$T/$1.log"
	WPID[$1]=$SPAWNED
}
start_worker w1

NONCE=0
# deal APP TRUST VOLUME: match orders, print the deal id
deal() {
	NONCE=$((NONCE + 1))
	cat >"$T/app-$NONCE.json" <<J
{"app":"${APP[$1]}","appprice":"0","volume":"$3","tag":"$ZTAG","datasetrestrict":"$ZERO",
 "workerpoolrestrict":"$ZERO","requesterrestrict":"$ZERO","salt":"0x$(printf '%064x' $NONCE)"}
J
	cat >"$T/pool-$NONCE.json" <<J
{"workerpool":"$POOL","workerpoolprice":"10","volume":"$3","tag":"$ZTAG","category":"0",
 "trust":"$2","apprestrict":"$ZERO","datasetrestrict":"$ZERO","requesterrestrict":"$ZERO",
 "salt":"0x$(printf '%064x' $NONCE)"}
J
	cat >"$T/req-$NONCE.json" <<J
{"app":"${APP[$1]}","appmaxprice":"0","dataset":"$ZERO","datasetmaxprice":"0",
 "workerpool":"$POOL","workerpoolmaxprice":"10","requester":"${ADDR[requester]}",
 "volume":"$3","tag":"$ZTAG","category":"0","trust":"$2","beneficiary":"${ADDR[requester]}",
 "callback":"$ZERO","params":"{\"iexec_args\":\"world $NONCE\"}",
 "salt":"0x$(printf '%064x' $NONCE)"}
J
	expect_ok decc order sign app --order "$T/app-$NONCE.json" --output "$T/app-$NONCE.s" "${CHAIN[@]}" $(wallet appdev)
	expect_ok decc order sign workerpool --order "$T/pool-$NONCE.json" --output "$T/pool-$NONCE.s" "${CHAIN[@]}" $(wallet scheduler)
	expect_ok decc order sign request --order "$T/req-$NONCE.json" --output "$T/req-$NONCE.s" "${CHAIN[@]}" $(wallet requester)
	expect_ok decc order match --app "$T/app-$NONCE.s" --workerpool "$T/pool-$NONCE.s" \
		--request "$T/req-$NONCE.s" "${G[@]}" $(wallet requester)
	DEAL=$(cat "$T/out")
	expect_ok decc --json deal show "$DEAL" "${G[@]}"
	TASK=$(jq -r '.tasks[0]' "$T/out")
}
# wait_task TASK STATUS SECONDS: until the chain says STATUS
wait_task() {
	for _ in $(seq 1 $((10 * $3))); do
		decc --json task show "$1" "${G[@]}" >"$T/task.json" 2>/dev/null || true
		[ "$(jq -r .status "$T/task.json" 2>/dev/null)" = "$2" ] && return 0
		sleep 0.1
	done
	cat "$T/task.json" >&2
	curl -s "$SURL/tasks/$1" >&2 || true
	tail -20 "$T/sched.log" >&2
	tail -20 "$T"/w*.log >&2
	fail "task $1 is not $2 after $3 s"
}
# wait_sched TASK STATUS SECONDS [JQ]: until the scheduler's JQ (.currentStatus) is STATUS
wait_sched() {
	for _ in $(seq 1 $((10 * $3))); do
		curl -sf "$SURL/tasks/$1" >"$T/stask.json" 2>/dev/null || true
		[ "$(jq -r "${4:-.currentStatus}" "$T/stask.json" 2>/dev/null)" = "$2" ] && return 0
		sleep 0.1
	done
	cat "$T/stask.json" >&2
	tail -20 "$T/sched.log" >&2
	fail "scheduler: task $1: ${4:-.currentStatus} is not $2 after $3 s"
}

# ---- trust 1 ----
deal hello 1 1
wait_task "$TASK" COMPLETED 60
ok "trust 1: the task is COMPLETED on chain"
expect_eq "1/${ADDR[w1]}/PROVED" \
	"$(jq -r '(.contributions | length | tostring) + "/" + .contributions[0].worker + "/" + .contributions[0].status' "$T/task.json")" \
	"trust 1: w1 contributed and revealed"
want=0x$(printf 'hello from the app: world 1\n' | sha256sum | cut -d' ' -f1)
expect_eq "$want" "$(jq -r .resultDigest "$T/task.json")" "trust 1: the digest is sha256 of what the app wrote"
ok "trust 1: the app ran (its output's digest is on chain)"
results=$(jq -r .results "$T/task.json" | python3 -c 'import sys; print(bytes.fromhex(sys.stdin.read().strip()[2:]).decode())')
[ "$(echo "$results" | jq -r .storage)" = ipfs ] || fail "trust 1: results on chain: $results"
case $(echo "$results" | jq -r .location) in /ipfs/b*) ;; *) fail "trust 1: results on chain: $results" ;; esac
expect_ok decc result pull "$TASK" "${G[@]}" --api "$STORE" --output "$T/result1.zip" --unzip "$T/result1"
expect_eq "hello from the app: world 1" "$(cat "$T/result1/result.txt")" "decc result pull: the app's output"
ok "trust 1: the zipped /iexec_out is in the store, its location on chain, decc result pull gets it"
wait_sched "$TASK" COMPLETED 20
wait_sched "$TASK" COMPLETED 20 '.replicates[0].status'
ok "trust 1: the scheduler and its replicate say COMPLETED"

# ---- trust 3 on three workers ----
start_worker w2
start_worker w3
sleep 1
before_w1=$(bal w1); before_w2=$(bal w2); before_w3=$(bal w3)
deal hello 3 1
wait_task "$TASK" COMPLETED 90
n=$(jq -r '.contributions | length' "$T/task.json")
expect_eq 2 "$n" "trust 3: fresh workers reach consensus with two contributions"
expect_eq "PROVED/PROVED" "$(jq -r '[.contributions[].status] | join("/")' "$T/task.json")" "trust 3: both winners revealed"
paid=0
for c in $(jq -r '.contributions[].worker' "$T/task.json"); do
	for w in w1 w2 w3; do
		[ "${ADDR[$w]}" = "$c" ] || continue
		eval "before=\$before_$w"
		now=$(bal $w)
		b0=${before%/*}; b1=${now%/*}
		[ "${now#*/}" = 0 ] || fail "trust 3: $w still has frozen stake ($now)"
		[ "$b1" -gt "$b0" ] || fail "trust 3: $w was not paid ($before -> $now)"
		paid=$((paid + 1))
	done
done
expect_eq 2 "$paid" "trust 3: contributors paid"
ok "trust 3: consensus, two reveals, finalize, both contributors paid"

# ---- a worker killed mid-task ----
deal slow 1 1
victim=
for _ in $(seq 1 300); do
	curl -sf "$SURL/tasks/$TASK" >"$T/stask.json" 2>/dev/null || true
	st=$(jq -r '.replicates[0].status // empty' "$T/stask.json" 2>/dev/null || true)
	if [ "$st" = COMPUTING ]; then
		victim=$(jq -r '.replicates[0].walletAddress' "$T/stask.json")
		break
	fi
	sleep 0.1
done
[ -n "$victim" ] || { cat "$T/stask.json" >&2; fail "the slow task never reached COMPUTING"; }
for w in w1 w2 w3; do
	if [ "$(echo "${ADDR[$w]}" | tr A-F a-f)" = "$(echo "$victim" | tr A-F a-f)" ]; then
		kill -9 "${WPID[$w]}"
		killed=$w
	fi
done
[ -n "${killed:-}" ] || fail "no worker matches $victim"
ok "worker $killed killed (-9) while computing"
wait_task "$TASK" COMPLETED 120
c=$(jq -r '.contributions[0].worker' "$T/task.json")
[ "$c" != "${ADDR[$killed]}" ] || fail "the killed worker contributed"
wait_sched "$TASK" COMPLETED 20
lost=$(jq -r --arg w "$(echo "${ADDR[$killed]}" | tr A-F a-f)" \
	'.replicates[] | select((.walletAddress | ascii_downcase) == $w) | .status' "$T/stask.json")
expect_eq WORKER_LOST "$lost" "the scheduler marked the killed worker lost"
ok "the task completed on another worker"

# ---- an app that fails, then the requester claims after the final deadline ----
before=$(bal requester)
deal broken 1 1
expect_eq "$((${before%/*} - 10))/10" "$(bal requester)" "broken: the requester's 10 nRLC frozen"
for _ in $(seq 1 300); do
	curl -sf "$SURL/tasks/$TASK" >"$T/stask.json" 2>/dev/null || true
	grep -q COMPUTE_FAILED "$T/stask.json" && break
	sleep 0.1
done
expect_grep '"status":"COMPUTE_FAILED"' "$T/stask.json" "broken: the replicate failed computing"
expect_grep 'APP_COMPUTE_FAILED' "$T/stask.json" "broken: the cause is given"
expect_grep 'exit code 3' "$T/stask.json" "broken: the app's exit code is in the task log"
ok "broken app: the failure and its cause are visible in /tasks/ID"
BROKEN=$TASK
deal nocomputed 1 1
wait_sched "$TASK" DETERMINISM_HASH_NOT_FOUND 30 '.replicates[0].cause'
expect_grep 'no computed.json' "$T/stask.json" "no computed.json: the reason is in the task log"
ok "an app without computed.json: the cause is visible in /tasks/ID"
NOCOMP=$TASK
TASK=$BROKEN
expect_fail 1 decc task claim "$TASK" "${G[@]}" $(wallet requester)
rpc evm_increaseTime '[3001]' >/dev/null
rpc evm_mine '[]' >/dev/null
expect_ok decc task claim "$TASK" "${G[@]}" $(wallet requester)
expect_eq "$((${before%/*} - 10))/10" "$(bal requester)" "claim: the first task's 10 nRLC refunded"
wait_task "$TASK" FAILED 5
wait_sched "$TASK" FAILED 20
ok "claimed: FAILED on chain and in the scheduler"
expect_ok decc task claim "$NOCOMP" "${G[@]}" $(wallet requester)
expect_eq "$before" "$(bal requester)" "claims: the requester refunded in full"
ok "the second failed task claimed too"

# ---- the default runner: an OCI iApp (examples/hello-iapp) from the store ----
if [ -x /bin/busybox ]; then
	DECC_BIN="$DECC_BIN" sh "$DECC_SRC/examples/hello-iapp/build.sh" "$T/hello.tar" >"$T/digest"
	expect_ok decc store add "$T/hello.tar" --api "$STORE"
	IMG=$(cat "$T/out")
	expect_ok decc app deploy --name hello-iapp --multiaddr "/ipfs/$IMG" --checksum "$(cat "$T/digest")" \
		"${G[@]}" $(wallet appdev)
	APP[iapp]=$(cat "$T/out")
	for w in w1 w2 w3; do [ "$w" = "$killed" ] || kill "${WPID[$w]}"; done
	sleep 1
	spawn "$DECC_BIN" $(wallet w2) worker --scheduler "$SURL" --work-dir "$T/work-oci" 2>>"$T/w2-oci.log"
	deal iapp 1 1
	wait_task "$TASK" COMPLETED 120
	expect_ok decc result pull "$TASK" "${G[@]}" --api "$STORE" --output "$T/result-oci.zip" --unzip "$T/result-oci"
	expect_grep "world" "$T/result-oci/result.txt" "OCI iApp: its greeting with the task's arguments"
	ok "the default (OCI) runner ran the iApp image downloaded from the store: $(cat "$T/result-oci/result.txt")"
else
	echo "# skipped the OCI iApp part: no /bin/busybox (scripts/setup.sh installs busybox-static)"
fi

# ---- clean stop ----
kill -TERM "$SCHED_PID"
wait "$SCHED_PID" || fail "the scheduler did not exit 0 on SIGTERM"
expect_grep "stopped" "$T/sched.log" "the scheduler logs its stop"
ok "the scheduler stops cleanly on SIGTERM"

done_testing
