#!/usr/bin/env bash
# decc devnet: a whole network in one command, described by DIR/devnet.json.
#   up --detach: devnet.json valid, every URL answers /healthz, status says running;
#   a standard task (local app, the devnet's published workerpool order) COMPLETED on it;
#   task debug --devnet shows it from the ledger and the scheduler; --logs only for the
#   requester; a second up in the same DIR, and one with --port-base on a taken port, fail
#   cleanly and start nothing; down stops every PID; down again: nothing to stop, exit 0;
#   a foreground up stops everything on SIGTERM.
. "$(dirname "$0")/lib.sh"

command -v bwrap >/dev/null || { echo "SKIP: bwrap not installed"; exit 77; }
ZERO=0x0000000000000000000000000000000000000000
ZTAG=0x0000000000000000000000000000000000000000000000000000000000000000
DN=$T/dn
# a detached supervisor is not our child: stop it whatever happens
_devnet_cleanup() {
	"$DECC_BIN" devnet down --dir "$DN" >/dev/null 2>&1 || true
	"$DECC_BIN" devnet down --dir "$T/dn3" >/dev/null 2>&1 || true
	_cleanup
}
trap _devnet_cleanup EXIT

# the app: a local executable found by its sha256 (the worker's local runner)
mkdir -p "$T/apps"
cat >"$T/apps/hello" <<'S'
#!/bin/sh
echo "hello app stdout: $*"
echo "hello from the devnet: $*" >/iexec_out/result.txt
printf '{"deterministic-output-path":"/iexec_out/result.txt"}' >/iexec_out/computed.json
S
chmod +x "$T/apps/hello"

expect_ok decc devnet up --dir "$DN" --workers 1 --runner local --apps-dir "$T/apps" --detach
expect_grep 'supervisor runs in the background' "$T/out" "up --detach returns once ready"
J=$DN/devnet.json
jq -e . "$J" >/dev/null || fail "devnet.json is not JSON"
for k in rpc market store sms scheduler workerpool workerpoolOrder hub passwordFile; do
	[ -n "$(jq -r ".$k // empty" "$J")" ] || fail "devnet.json has no $k"
done
expect_eq 65535 "$(jq -r .chainId "$J")" "devnet.json: chain id"
for k in rpc store sms scheduler; do
	curl -sf "$(jq -r ".$k" "$J")/healthz" >/dev/null || fail "$k does not answer /healthz"
done
ok "devnet.json: every URL answers /healthz"
for a in admin requester appdev pool worker1; do
	[ -f "$(jq -r ".accounts.$a.keystore" "$J")" ] || fail "no keystore for $a"
done
ok "devnet.json: dev accounts with their keystores"
PIDS=$(jq -r '.pids[]' "$J")
expect_eq 6 "$(echo "$PIDS" | wc -l)" "devnet.json: supervisor + node, store, sms, scheduler, worker1"
for p in $PIDS; do kill -0 "$p" || fail "PID $p of devnet.json does not run"; done
expect_ok decc devnet status --dir "$DN"
expect_grep "^devnet in .*: running" "$T/out" "status: running"

# ---- a task on it ----
RPC=$(jq -r .rpc "$J")
G=(--rpc "$RPC")
CHAIN=(--chain-id 65535 --hub "$(jq -r .hub "$J")")
PW=(--password-file "$(jq -r .passwordFile "$J")")
wallet() { echo --wallet "$(jq -r ".accounts.$1.keystore" "$J")" "${PW[@]}"; }
REQ=$(jq -r .accounts.requester.address "$J")
POOL=$(jq -r .workerpool "$J")
sum=0x$(sha256sum "$T/apps/hello" | cut -d' ' -f1)
expect_ok decc app deploy --name hello --multiaddr /local/hello --checksum "$sum" "${G[@]}" $(wallet appdev)
APP=$(cat "$T/out")
cat >"$T/app.json" <<J
{"app":"$APP","appprice":"0","volume":"10","tag":"$ZTAG","datasetrestrict":"$ZERO",
 "workerpoolrestrict":"$ZERO","requesterrestrict":"$ZERO"}
J
cat >"$T/req.json" <<J
{"app":"$APP","appmaxprice":"0","dataset":"$ZERO","datasetmaxprice":"0",
 "workerpool":"$POOL","workerpoolmaxprice":"0","requester":"$REQ","volume":"1",
 "tag":"$ZTAG","category":"0","trust":"1","beneficiary":"$REQ","callback":"$ZERO",
 "params":"{\"iexec_args\":\"on devnet\"}"}
J
expect_ok decc order sign app --order "$T/app.json" --output "$T/app.s" "${CHAIN[@]}" $(wallet appdev)
expect_ok decc order sign request --order "$T/req.json" --output "$T/req.s" "${CHAIN[@]}" $(wallet requester)
expect_ok decc order match --app "$T/app.s" --workerpool "$(jq -r .workerpoolOrder "$J")" \
	--request "$T/req.s" "${G[@]}" $(wallet requester)
DEAL=$(cat "$T/out")
expect_ok decc --json deal show "$DEAL" "${G[@]}"
TASK=$(jq -r '.tasks[0]' "$T/out")
ok "the devnet's published workerpool order matched a request"
st=
for _ in $(seq 1 600); do
	st=$(decc --json task show "$TASK" "${G[@]}" 2>/dev/null | jq -r .status || true)
	[ "$st" = COMPLETED ] && break
	sleep 0.1
done
[ "$st" = COMPLETED ] || {
	decc task debug "$TASK" --devnet "$DN" >&2 || true
	tail -n 20 "$DN"/logs/*.log >&2
	fail "the task is not COMPLETED (status $st)"
}
ok "a task ran on the devnet: COMPLETED on chain"

# ---- task debug ----
sched_done() {
	curl -sf "$(jq -r .scheduler "$J")/tasks/$TASK" | jq -r .currentStatus
}
for _ in $(seq 1 100); do [ "$(sched_done)" = COMPLETED ] && break; sleep 0.1; done
expect_ok decc --json task debug "$TASK" --devnet "$DN"
expect_eq COMPLETED "$(jq -r .status "$T/out")" "task debug: the ledger's status"
expect_eq COMPLETED "$(jq -r .scheduler.currentStatus "$T/out")" "task debug: the scheduler's record (URL from devnet.json)"
expect_eq "$REQ" "$(jq -r .deal.requester "$T/out")" "task debug: the deal's requester"
expect_eq "null" "$(jq -r .logs "$T/out")" "task debug: no app logs without --logs"
jq -r '.scheduler.history[].text' "$T/out" | grep -q stdout && fail "the app's output is in the history without --logs"
expect_ok decc task debug "$TASK" --devnet "$DN"
expect_grep "^task $TASK: COMPLETED" "$T/out" "task debug (text): status line"
expect_grep "final deadline" "$T/out" "task debug (text): deadlines"
expect_grep "^scheduler .*: COMPLETED" "$T/out" "task debug (text): scheduler line"
expect_ok decc --json task debug "$TASK" --devnet "$DN" --logs $(wallet requester)
jq -r '.logs[].text' "$T/out" >"$T/logs"
expect_grep "stdout: hello app stdout: on devnet" "$T/logs" "task debug --logs: the app's stdout, for the requester"
expect_fail 1 decc task debug "$TASK" --devnet "$DN" --logs $(wallet appdev)
expect_grep "for the requester" "$T/err" "task debug --logs: refused to another wallet"
expect_ok decc --json task show "$TASK" "${G[@]}"
expect_eq COMPLETED "$(jq -r .status "$T/out")" "task show still works"
# a task the ledger does not know
expect_ok decc --json task debug 0x$(printf '%064x' 7) --devnet "$DN"
expect_eq UNSET "$(jq -r .status "$T/out")" "task debug: unknown task is UNSET"
jq -r '.diagnosis[]' "$T/out" | grep -q "no record" || fail "task debug: the scheduler's 404 not reported"
ok "task debug: an unknown task: not initialized, no scheduler record"

# ---- refusals: same DIR, taken port ----
expect_fail 1 decc devnet up --dir "$DN" --detach
expect_grep "already running" "$T/err" "a second up in a running DIR is refused"
NPORT=${RPC##*:}
expect_fail 1 decc devnet up --dir "$T/dn2" --port-base "$NPORT" --detach
expect_grep "port $NPORT on 127.0.0.1 is taken" "$T/err" "up --port-base on a taken port: clear error"
[ -e "$T/dn2/devnet.json" ] && fail "a failed up wrote devnet.json"
curl -sf "$RPC/healthz" >/dev/null || fail "the first devnet suffered from the refused up"
ok "the refused up started nothing and left the running devnet alone"

# ---- down ----
expect_ok decc devnet down --dir "$DN"
for p in $PIDS; do kill -0 "$p" 2>/dev/null && fail "PID $p still runs after down"; done
ok "down: every PID of devnet.json stopped"
[ -e "$J" ] && fail "devnet.json is still there after down"
expect_ok decc devnet down --dir "$DN"
expect_grep "nothing to stop" "$T/out" "down on a stopped devnet: a clear message, exit 0"
expect_ok decc devnet status --dir "$DN"
expect_grep "no devnet runs" "$T/out" "status of a stopped devnet"

# ---- foreground up, SIGTERM ----
spawn "$DECC_BIN" devnet up --dir "$T/dn3" --workers 2 >"$T/fg.out" 2>"$T/fg.err"
FG=$SPAWNED
for _ in $(seq 1 300); do [ -s "$T/dn3/devnet.json" ] && break; sleep 0.1; done
[ -s "$T/dn3/devnet.json" ] || { cat "$T/fg.err" >&2; fail "the foreground devnet did not start"; }
for _ in $(seq 1 50); do grep -q supervising "$T/fg.out" && break; sleep 0.1; done
expect_grep "supervising" "$T/fg.out" "foreground up prints its readiness"
PIDS=$(jq -r '.pids[]' "$T/dn3/devnet.json")
expect_eq 7 "$(echo "$PIDS" | wc -l)" "foreground: supervisor + 4 daemons + 2 workers"
expect_eq "$FG" "$(jq -r .pids.supervisor "$T/dn3/devnet.json")" "foreground: the supervisor is the up process"
kill -TERM "$FG"
rc=0
wait "$FG" || rc=$?
expect_eq 0 "$rc" "foreground up exits 0 after SIGTERM"
for p in $PIDS; do kill -0 "$p" 2>/dev/null && fail "PID $p still runs after SIGTERM"; done
ok "SIGTERM on a foreground up stopped every process"
[ -e "$T/dn3/devnet.json" ] && fail "devnet.json is still there after SIGTERM"
done_testing
