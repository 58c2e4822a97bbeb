#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# bench/bench_compute.sh BUILD_DIR: the compute path on a `decc devnet` (2 TEE workers):
#   idle   the sum of VmRSS of every devnet process (supervisor, node, store, SMS, scheduler,
#          workers) once it settled (SETTLE seconds after devnet.json, default 3);
#   e2e    LAT_RUNS (default 20) TEE tasks as scripts/demo.sh runs them (a protected dataset,
#          the hello-iapp OCI image, result encrypted for the requester), one after the other:
#          wall time from `decc order match` to the result pulled and decrypted (split: match
#          to COMPLETED seen on chain, then `decc result pull --decrypt`);
#   process  LAT_RUNS runs of `decc protect process` (the orders found on the market, the
#          request signed and matched, the task followed, the result pulled, decrypted and
#          printed): wall time of the command;
#   deal   one deal of DEAL_VOLUME (default 200) TEE tasks, trust 1, no dataset: wall time
#          from `decc order match` to the last task COMPLETED on chain.
# Prints lines "key=value" (read by bench/run.sh section_compute). Not part of ctest.
# Env: SLOTS (worker --slots, default 2), KEEP=1 keeps the work directory.
set -euo pipefail
BUILD=${1:-build}
cd "$(dirname "$0")/.."
SRC=$PWD
DECC=$SRC/$BUILD/decc
[ -x "$DECC" ] || { echo "bench_compute: $DECC not built" >&2; exit 1; }
LAT_RUNS=${LAT_RUNS:-20}
DEAL_VOLUME=${DEAL_VOLUME:-200}
SETTLE=${SETTLE:-3}
W=$(mktemp -d "${TMPDIR:-/tmp}/decc-bench-compute.XXXXXX")
DN=$W/dn
cleanup() {
	"$DECC" devnet down --dir "$DN" >/dev/null 2>&1 || true
	if [ "${KEEP:-}" = 1 ]; then echo "bench_compute: kept $W" >&2; else rm -rf "$W"; fi
}
trap cleanup EXIT
export HOME=$W/home
mkdir -p "$HOME"
die() {
	echo "bench_compute: $*" >&2
	tail -n 5 "$DN"/logs/*.log >&2 || true
	exit 1
}
decc() { "$DECC" "$@"; }
ms() { echo $(($(date +%s%N) / 1000000)); }
ZERO=0x0000000000000000000000000000000000000000
TEE=0x0000000000000000000000000000000000000000000000000000000000000001

echo "load_before=$(cut -d' ' -f1-3 /proc/loadavg)"
decc devnet up --dir "$DN" --workers 2 --slots "${SLOTS:-2}" --detach >/dev/null ||
	die "devnet up failed"
J=$DN/devnet.json
sleep "$SETTLE"
rss_sum() {
	local total=0 p kb
	for p in $(jq -r '.pids[]' "$J"); do
		kb=$(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status" 2>/dev/null || echo 0)
		total=$((total + ${kb:-0}))
	done
	echo "$total"
}
# PSS: shared pages (the decc binary, libcrypto, sqlite...) split between the processes
pss_sum() {
	local total=0 p kb
	for p in $(jq -r '.pids[]' "$J"); do
		kb=$(awk '/^Pss:/ { print $2 }' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0)
		total=$((total + ${kb:-0}))
	done
	echo "$total"
}
# CPU used by each devnet process and the children it waited for (the worker's enclaves and
# apps), in clock ticks, as "name=ticks ..."
cpu_ticks() {
	local name p
	for name in $(jq -r '.pids | keys[]' "$J"); do
		p=$(jq -r ".pids.$name" "$J")
		# fields after the ")" of /proc/PID/stat: utime is the 12th, cstime the 15th
		printf '%s=%s ' "$name" "$(sed 's/.*) //' "/proc/$p/stat" | awk '{ print $12 + $13 + $14 + $15 }')"
	done
}
# idle clock ticks of the machine, all CPUs (/proc/stat: idle + iowait)
machine_idle() { awk '/^cpu / { print $5 + $6 }' /proc/stat; }
# cpu_split BEFORE AFTER N: the CPU milliseconds per task of each process between the two
cpu_split() {
	local hz
	hz=$(getconf CLK_TCK)
	awk -v b="$1" -v a="$2" -v n="$3" -v hz="$hz" 'BEGIN {
		split(b, bs, " "); for (i in bs) { split(bs[i], kv, "="); before[kv[1]] = kv[2] }
		split(a, as, " "); out = ""; total = 0
		for (i = 1; i in as; i++) {
			split(as[i], kv, "="); d = (kv[2] - before[kv[1]]) * 1000 / hz / n; total += d
			out = out sprintf("%s:%.1f,", kv[1], d)
		}
		printf "%stotal:%.1f", out, total }'
}
echo "idle_rss_kib=$(rss_sum)"
echo "idle_pss_kib=$(pss_sum)"
echo "processes=$(jq -r '.pids | length' "$J")"
echo "slots=${SLOTS:-2}"

RPC=$(jq -r .rpc "$J")
STORE=$(jq -r .store "$J")
SMS=$(jq -r .sms "$J")
POOL=$(jq -r .workerpool "$J")
POOL_ORDER=$(jq -r .workerpoolOrder "$J")
G=(--rpc "$RPC")
CHAIN=(--chain-id 65535 --hub "$(jq -r .hub "$J")")
wallet() { echo --wallet "$(jq -r ".accounts.$1.keystore" "$J")" --password-file "$(jq -r .passwordFile "$J")"; }
REQ=$(jq -r .accounts.requester.address "$J")

# ---- the demo's assets: a protected record, the hello-iapp image, grants, the result key
decc protect serialize --data '{"email":"alice@example.org"}' --output "$W/d.zip" >/dev/null
decc --json dataset encrypt "$W/d.zip" --output "$W/d.zip.enc" --key-file "$W/d.key" >"$W/enc.json"
DCID=$(decc --json store add "$W/d.zip.enc" --api "$STORE" | jq -r .cid)
DATASET=$(decc dataset deploy --name bench --multiaddr "/ipfs/$DCID" \
	--checksum "$(jq -r .checksum "$W/enc.json")" "${G[@]}" $(wallet datasetowner))
decc secret push-dataset "$DATASET" --key-file "$W/d.key" --sms "$SMS" $(wallet datasetowner) >/dev/null
DECC_BIN="$DECC" sh "$SRC/examples/hello-iapp/build.sh" "$W/hello.tar" >"$W/digest" ||
	die "the iApp image did not build"
DIGEST=$(grep -o '0x[0-9a-f]\{64\}' "$W/digest" | head -1)
ICID=$(decc --json store add "$W/hello.tar" --api "$STORE" | jq -r .cid)
APP=$(decc app deploy --name hello-iapp --type DOCKER --multiaddr "/ipfs/$ICID" --checksum "$DIGEST" \
	"${G[@]}" $(wallet appdev))
cat >"$W/app.json" <<E
{"app":"$APP","appprice":"0","volume":"100000","tag":"$TEE","datasetrestrict":"$ZERO",
 "workerpoolrestrict":"$ZERO","requesterrestrict":"$ZERO"}
E
decc order sign app --order "$W/app.json" --output "$W/app.s" "${CHAIN[@]}" $(wallet appdev) >/dev/null
cat >"$W/ds.json" <<E
{"dataset":"$DATASET","datasetprice":"0","volume":"100000","tag":"$TEE","apprestrict":"$APP",
 "workerpoolrestrict":"$ZERO","requesterrestrict":"$ZERO"}
E
decc order sign dataset --order "$W/ds.json" --output "$W/ds.s" "${CHAIN[@]}" $(wallet datasetowner) >/dev/null
mkdir -p "$HOME/.decc/result-keys"
decc result generate-keys $(wallet requester) >/dev/null
decc secret push-result-key --key-file "$HOME/.decc/result-keys/${REQ}_key.pub" --sms "$SMS" \
	$(wallet requester) >/dev/null

# request N VOLUME DATASET(0/1) ENCRYPT(true/false): a signed request order in W/req-N.s
request() {
	local ds=$ZERO
	[ "$3" = 1 ] && ds=$DATASET
	cat >"$W/req-$1.json" <<E
{"app":"$APP","appmaxprice":"0","dataset":"$ds","datasetmaxprice":"0",
 "workerpool":"$POOL","workerpoolmaxprice":"0","requester":"$REQ","volume":"$2",
 "tag":"$TEE","category":"0","trust":"1","beneficiary":"$REQ","callback":"$ZERO",
 "params":"{\"iexec_result_encryption\":$4,\"iexec_args\":\"bench $1\"}"}
E
	decc order sign request --order "$W/req-$1.json" --output "$W/req-$1.s" "${CHAIN[@]}" \
		$(wallet requester) >/dev/null
}
# wait_completed TASK: poll the chain every 20 ms (at most 120 s)
wait_completed() {
	local st i
	for i in $(seq 1 6000); do
		st=$(decc --json task show "$1" "${G[@]}" 2>/dev/null | jq -r .status) || true
		[ "$st" = COMPLETED ] && return 0
		[ "$st" = FAILED ] && die "task $1 FAILED"
		sleep 0.02
	done
	decc task debug "$1" --devnet "$DN" >&2 || true
	die "task $1 not COMPLETED after 120 s (status $st)"
}

# ---- end-to-end latency, the demo's TEE path
: >"$W/lat"
for i in $(seq 1 "$LAT_RUNS"); do
	request "l$i" 1 1 true
	t0=$(ms)
	deal=$(decc order match --app "$W/app.s" --dataset "$W/ds.s" --workerpool "$POOL_ORDER" \
		--request "$W/req-l$i.s" "${G[@]}" $(wallet requester)) || die "match $i failed"
	task=$(decc --json deal show "$deal" "${G[@]}" | jq -r '.tasks[0]')
	wait_completed "$task"
	tc=$(ms)
	rm -rf "$W/res"
	decc result pull "$task" "${G[@]}" --api "$STORE" --output "$W/res.zip" --decrypt \
		--unzip "$W/res" $(wallet requester) >/dev/null || die "result pull $i failed"
	t1=$(ms)
	grep -q "ends in @example.org" "$W/res/result.txt" || die "unexpected result: $(cat "$W/res/result.txt")"
	echo $((t1 - t0)) >>"$W/lat"
	echo $((tc - t0)) >>"$W/lat-chain"
	echo $((t1 - tc)) >>"$W/lat-pull"
done
pct() { sort -n "${2:-$W/lat}" | awk -v p="$1" '{ v[NR] = $1 } END { i = int(NR * p / 100 + 0.999); if (i < 1) i = 1; print v[i] }'; }
echo "e2e_runs=$LAT_RUNS"
echo "e2e_p50_ms=$(pct 50)"
echo "e2e_p95_ms=$(pct 95)"
echo "e2e_chain_p50_ms=$(pct 50 "$W/lat-chain")"
echo "e2e_pull_p50_ms=$(pct 50 "$W/lat-pull")"
echo "e2e_min_ms=$(sort -n "$W/lat" | head -1)"
echo "e2e_max_ms=$(sort -n "$W/lat" | tail -1)"

# ---- decc protect process: one command from the orders on the market to the result printed
decc order publish app --order "$W/app.s" "${G[@]}" >/dev/null
decc order publish dataset --order "$W/ds.s" "${G[@]}" >/dev/null
: >"$W/proc"
for i in $(seq 1 "$LAT_RUNS"); do
	t0=$(ms)
	decc protect process --data "$DATASET" --app "$APP" --workerpool "$POOL" --args "bench p$i" \
		--sms "$SMS" --api "$STORE" "${G[@]}" $(wallet requester) >"$W/proc.out" 2>"$W/proc.err" ||
		{ cat "$W/proc.err" >&2; die "protect process $i failed"; }
	t1=$(ms)
	grep -q "ends in @example.org" "$W/proc.out" || die "unexpected result: $(cat "$W/proc.out")"
	echo $((t1 - t0)) >>"$W/proc"
done
echo "process_p50_ms=$(pct 50 "$W/proc")"
echo "process_p95_ms=$(pct 95 "$W/proc")"

# ---- throughput: one deal of DEAL_VOLUME TEE tasks, trust 1, no dataset
request deal "$DEAL_VOLUME" 0 false
cpu_before=$(cpu_ticks)
idle_before=$(machine_idle)
t0=$(ms)
deal=$(decc order match --app "$W/app.s" --workerpool "$POOL_ORDER" --request "$W/req-deal.s" \
	"${G[@]}" $(wallet requester)) || die "the deal of $DEAL_VOLUME did not match"
decc --json deal show "$deal" "${G[@]}" | jq -r '.tasks[]' >"$W/tasks"
[ "$(wc -l <"$W/tasks")" = "$DEAL_VOLUME" ] || die "deal show lists $(wc -l <"$W/tasks") tasks"
# The poll must not compete with the devnet for the two cores (a `decc task show` piped to jq
# costs ~15 ms of CPU): grep instead of jq, wait for the last task every 100 ms, take the time, then check that every
# task is COMPLETED (they complete roughly in order); if one is not, wait for it and take
# the time again.
last=$(tail -n 1 "$W/tasks")
until decc --json task show "$last" "${G[@]}" 2>/dev/null | grep -q '"status": *"COMPLETED"'; do
	sleep 0.1
	[ $(($(ms) - t0)) -lt 600000 ] || die "the deal did not complete in 600 s"
done
t1=$(ms)
cpu_after=$(cpu_ticks)
idle_after=$(machine_idle)
late=0
while read -r task; do
	st=$(decc --json task show "$task" "${G[@]}" 2>/dev/null | jq -r .status)
	[ "$st" = COMPLETED ] || { late=1; wait_completed "$task"; }
done <"$W/tasks"
[ "$late" = 0 ] || t1=$(ms)
echo "deal_volume=$DEAL_VOLUME"
echo "deal_ms=$((t1 - t0))"
echo "deal_cpu_ms_per_task=$(cpu_split "$cpu_before" "$cpu_after" "$DEAL_VOLUME")"
echo "deal_machine_busy_pct=$(awk -v b="$idle_before" -v a="$idle_after" -v ms=$((t1 - t0)) -v n="$(nproc)" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.0f", 100 - (a - b) * 1000 / hz / ms / n * 100 }')"
echo "deal_tasks_per_s=$(awk -v n="$DEAL_VOLUME" -v ms=$((t1 - t0)) 'BEGIN { printf "%.2f", n * 1000 / ms }')"
sleep "$SETTLE"
echo "after_rss_kib=$(rss_sum)"
echo "after_pss_kib=$(pss_sum)"
echo "load_after=$(cut -d' ' -f1-3 /proc/loadavg)"
