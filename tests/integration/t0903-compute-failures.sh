#!/usr/bin/env bash
# The failure paths of a TEE task, on a whole network (real processes, random loopback ports:
# decc node with a 4-second category, store, SMS, a workerpool's scheduler, one TEE worker):
#   an app that writes no computed.json   -> POST_COMPUTE_COMPUTED_FILE_NOT_FOUND
#   an app that runs over the time limit  -> APP_COMPUTE_TIMEOUT (stopped at 4 s)
#   a dataset whose bytes do not match its registered checksum
#                                         -> PRE_COMPUTE_INVALID_DATASET_CHECKSUM
#   an app that exits non-zero before its computed.json
#                                         -> POST_COMPUTE_COMPUTED_FILE_NOT_FOUND (as in iExec,
#                                            an exit code alone is no failure)
# Each time the requester sees the cause (decc app run --watch --timeout, which names the
# workers' causes when it gives up, and decc task debug), nothing is
# contributed, and after the final deadline the requester claims the task and is refunded in
# full.
. "$(dirname "$0")/lib.sh"

command -v bwrap >/dev/null || { echo "SKIP: bwrap not installed"; exit 77; }
[ -x /bin/busybox ] || { echo "SKIP: no /bin/busybox (busybox-static) for the iApp image"; exit 77; }
HUB=0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f
ZERO=0x0000000000000000000000000000000000000000
TEE=0x0000000000000000000000000000000000000000000000000000000000000001

dev_wallets admin requester appdev owner scheduler worker
dev_genesis "$T/genesis.json" \
	'"categories": [{"name": "TEST", "description": "4 s", "workClockTimeRef": 4}],'
start_daemon RPC "decc node" "$T/node.log" "$DECC_BIN" node --genesis "$T/genesis.json" \
	--data "$T/node" --listen "127.0.0.1:@PORT@"
G=(--rpc "$RPC")
CHAIN=(--chain-id 65535 --hub "$HUB")
expect_ok decc --json category show 0 "${G[@]}"
expect_eq 4 "$(jq -r .workClockTimeRef "$T/out")" "category 0 has a 4 s time reference"
for who in requester scheduler worker; do
	expect_ok decc account deposit 1000 "${G[@]}" $(wallet $who)
done
start_tee_services

# ---- the requester's result key ----
expect_ok decc result generate-keys $(wallet requester)
expect_ok decc secret push-result-key \
	--key-file "$HOME/.decc/result-keys/$(echo "${ADDR[requester]}")_key.pub" --sms "$SMS" \
	$(wallet requester)

# ---- a dataset registered with a checksum that is not its own ----
expect_ok decc protect serialize --data '{"email":"alice@example.org"}' --output "$T/data.zip"
expect_ok decc --json dataset encrypt "$T/data.zip" --output "$T/data.enc" --key-file "$T/data.key"
expect_ok decc --json store add "$T/data.enc" --api "$STORE"
DCID=$(jq -r .cid "$T/out")
expect_ok decc dataset deploy --name bad-sum --multiaddr "/ipfs/$DCID" \
	--checksum 0x00000000000000000000000000000000000000000000000000000000000000ff \
	"${G[@]}" $(wallet owner)
DATASET=$(cat "$T/out")
expect_ok decc secret push-dataset "$DATASET" --key-file "$T/data.key" --sms "$SMS" $(wallet owner)

# ---- the apps: examples/hello-iapp's image builder, one app.sh each ----
APPS=(nocomputed slow good crash)
declare -A APP
for a in "${APPS[@]}"; do
	{
		echo '#!/bin/sh'
		echo 'OUT=${IEXEC_OUT:-/iexec_out}'
		case $a in
		nocomputed) echo 'echo result >"$OUT/answer.txt"' ;;
		slow) echo 'sleep 30' ;;
		crash) echo 'echo "this app gives up" >&2; exit 3' ;;
		esac
		echo 'echo ok >"$OUT/answer.txt"'
		[ "$a" = nocomputed ] ||
			echo 'printf "{\"deterministic-output-path\":\"/iexec_out/answer.txt\"}\n" >"$OUT/computed.json"'
	} >"$T/$a.sh"
	iapp_deploy "APP[$a]" "$a" "$T/$a.sh"
done
ok "four iApp images built, stored and registered"

# ---- the workerpool: scheduler and one TEE worker ----
expect_ok decc workerpool deploy --description "failing pool" "${G[@]}" $(wallet scheduler)
POOL=$(cat "$T/out")
start_daemon SURL "decc scheduler" "$T/sched.log" "$DECC_BIN" --rpc "$RPC" $(wallet scheduler) \
	scheduler --workerpool "$POOL" --data "$T/sched" --listen "127.0.0.1:@PORT@" --poll-ms 100 \
	--sms "$SMS" --store "$STORE"
spawn "$DECC_BIN" $(wallet worker) worker --scheduler "$SURL" --work-dir "$T/work" \
	--store "$STORE" --sms "$SMS" --platform-key "$T/platform.key" 2>"$T/worker.log"

for a in "${APPS[@]}"; do
	publish_order app appdev "{\"app\":\"${APP[$a]}\",\"appprice\":\"2\",\"volume\":\"10\",\"tag\":\"$TEE\",
	 \"datasetrestrict\":\"$ZERO\",\"workerpoolrestrict\":\"$ZERO\",\"requesterrestrict\":\"$ZERO\"}"
done
publish_order dataset owner "{\"dataset\":\"$DATASET\",\"datasetprice\":\"3\",\"volume\":\"10\",
 \"tag\":\"$TEE\",\"apprestrict\":\"${APP[good]}\",\"workerpoolrestrict\":\"$ZERO\",
 \"requesterrestrict\":\"$ZERO\"}"
publish_order workerpool scheduler "{\"workerpool\":\"$POOL\",\"workerpoolprice\":\"5\",\"volume\":\"100\",
 \"tag\":\"$TEE\",\"category\":\"0\",\"trust\":\"1\",\"apprestrict\":\"$ZERO\",
 \"datasetrestrict\":\"$ZERO\",\"requesterrestrict\":\"$ZERO\"}"

balance() { decc --json account show "${ADDR[$1]}" "${G[@]}" | jq -r '.balance + "/" + .frozen'; }

# fails CASE CAUSE [DATASET]: the task fails with CAUSE, seen by the requester, then refunded
fails() {
	local a=$1 cause=$2 ds=() before task rc=0
	[ -n "${3:-}" ] && ds=(--dataset "$3")
	before=$(balance requester)
	decc --json app run "${APP[$a]}" "${ds[@]}" --tag tee --watch --timeout 12 \
		--scheduler "$SURL" "${G[@]}" $(wallet requester) >"$T/out" 2>"$T/err" || rc=$?
	expect_eq 1 "$rc" "$a: decc app run --watch exits 1"
	expect_grep "$cause" "$T/err" "$a: the requester sees the cause $cause"
	task=$(grep -o 'task 0x[0-9a-f]\{64\}' "$T/err" | head -1 | cut -c6-)
	[ -n "$task" ] || fail "$a: no task id in the output of app run"
	expect_ok decc task debug "$task" "${G[@]}" --scheduler "$SURL"
	expect_grep "$cause" "$T/out" "$a: decc task debug names $cause"
	expect_ok decc --json task show "$task" "${G[@]}"
	expect_eq ACTIVE "$(jq -r .status "$T/out")" "$a: nothing contributed, the task still ACTIVE"
	[ "$(balance requester)" != "$before" ] || fail "$a: nothing was frozen for the task"
	# after the final deadline (10 x 4 s from the deal), the requester claims a full refund
	curl -sf -X POST -H 'Content-Type: application/json' --data \
		'{"jsonrpc":"2.0","id":1,"method":"evm_increaseTime","params":[60]}' "$RPC" >/dev/null
	curl -sf -X POST -H 'Content-Type: application/json' --data \
		'{"jsonrpc":"2.0","id":2,"method":"evm_mine","params":[]}' "$RPC" >/dev/null
	expect_ok decc task claim "$task" "${G[@]}" $(wallet requester)
	expect_eq "$before" "$(balance requester)" "$a: claimed, the requester refunded in full"
	expect_ok decc --json task show "$task" "${G[@]}"
	expect_eq FAILED "$(jq -r .status "$T/out")" "$a: the task FAILED on chain after the claim"
}
fails nocomputed POST_COMPUTE_COMPUTED_FILE_NOT_FOUND
fails slow APP_COMPUTE_TIMEOUT
expect_grep "time limit of 4 s" "$T/sched.log" "slow: stopped at the category's 4 s"
fails good PRE_COMPUTE_INVALID_DATASET_CHECKSUM "$DATASET"
fails crash POST_COMPUTE_COMPUTED_FILE_NOT_FOUND
if grep -q "alice@example.org" "$T/sched.log" "$T/worker.log"; then
	fail "the dataset's content reached the scheduler's or the worker's log"
fi
ok "no dataset content in the host's logs"
done_testing
