#!/usr/bin/env bash
# The requester's commands on a whole network (real processes, random loopback ports): decc
# node, store, SMS (trusting one simulated platform key, results proxied to the store), a
# workerpool's scheduler and one TEE worker. An app (a small iApp image that prints its
# arguments, the length of the dataset's email and requester secret 1), a protected dataset
# and a workerpool publish their orders on the node's market; then
#  (a) decc app run APP --watch finds the orders, matches, follows the task to COMPLETED;
#  (b) decc protect process --data D --app A --secret 1=hello makes the result key, pushes the
#      key and the secret to the SMS, runs the task and prints the decrypted result;
#  (c) refusals: no dataset order for this requester, --max-price below the orders' price, an
#      unknown app, with nothing matched.
. "$(dirname "$0")/lib.sh"

command -v bwrap >/dev/null || { echo "SKIP: bwrap not installed"; exit 77; }
[ -x /bin/busybox ] || { echo "SKIP: no /bin/busybox (busybox-static) for the iApp image"; exit 77; }
HUB=0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f
ZERO=0x0000000000000000000000000000000000000000
TEE=0x0000000000000000000000000000000000000000000000000000000000000001

dev_wallets admin requester other appdev owner scheduler worker
dev_genesis "$T/genesis.json"
start_daemon RPC "decc node" "$T/node.log" "$DECC_BIN" node --genesis "$T/genesis.json" \
	--data "$T/node" --listen "127.0.0.1:@PORT@"
G=(--rpc "$RPC")
CHAIN=(--chain-id 65535 --hub "$HUB")
for who in requester other scheduler worker; do
	expect_ok decc account deposit 1000 "${G[@]}" $(wallet $who)
done
start_tee_services

# ---- the protected data: serialized, encrypted, stored, registered, key in the SMS ----
expect_ok decc protect serialize --data '{"email":"alice@example.org"}' --output "$T/data.zip"
expect_ok decc --json dataset encrypt "$T/data.zip" --output "$T/data.enc" --key-file "$T/data.key"
DSUM=$(jq -r .checksum "$T/out")
expect_ok decc --json store add "$T/data.enc" --api "$STORE"
DCID=$(jq -r .cid "$T/out")
expect_ok decc dataset deploy --name alice-email --multiaddr "/ipfs/$DCID" --checksum "$DSUM" \
	"${G[@]}" $(wallet owner)
DATASET=$(cat "$T/out")
expect_ok decc secret push-dataset "$DATASET" --key-file "$T/data.key" --sms "$SMS" $(wallet owner)

# ---- the app: examples/hello-iapp's image builder with this test's app.sh ----
cat >"$T/app.sh" <<'APP'
#!/bin/sh
OUT=${IEXEC_OUT:-/iexec_out}
IN=${IEXEC_IN:-/iexec_in}
if [ -n "${IEXEC_DATASET_FILENAME:-}" ]; then
	n=$(unzip -p "$IN/$IEXEC_DATASET_FILENAME" email | tail -c +5 | wc -c)
	printf 'email of %s bytes, secret 1 is "%s", args "%s"\n' "$n" \
		"${IEXEC_REQUESTER_SECRET_1:-}" "$*" >"$OUT/answer.txt"
else
	printf 'no data, args "%s"\n' "$*" >"$OUT/answer.txt"
fi
printf '{"deterministic-output-path":"/iexec_out/answer.txt"}\n' >"$OUT/computed.json"
APP
iapp_deploy APP run-app "$T/app.sh"

# ---- the workerpool: scheduler and one TEE worker ----
expect_ok decc workerpool deploy --description "run pool" "${G[@]}" $(wallet scheduler)
POOL=$(cat "$T/out")
start_daemon SURL "decc scheduler" "$T/sched.log" "$DECC_BIN" --rpc "$RPC" $(wallet scheduler) \
	scheduler --workerpool "$POOL" --data "$T/sched" --listen "127.0.0.1:@PORT@" --poll-ms 100 \
	--sms "$SMS" --store "$STORE"
spawn "$DECC_BIN" $(wallet worker) worker --scheduler "$SURL" --work-dir "$T/work" \
	--store "$STORE" --sms "$SMS" --platform-key "$T/platform.key" 2>"$T/worker.log"

# ---- the orders on the market: app 2, dataset 3 (for the requester only), pool 5 ----
publish_order app appdev "{\"app\":\"$APP\",\"appprice\":\"2\",\"volume\":\"10\",\"tag\":\"$TEE\",
 \"datasetrestrict\":\"$ZERO\",\"workerpoolrestrict\":\"$ZERO\",\"requesterrestrict\":\"$ZERO\"}"
publish_order dataset owner "{\"dataset\":\"$DATASET\",\"datasetprice\":\"3\",\"volume\":\"10\",
 \"tag\":\"$TEE\",\"apprestrict\":\"$APP\",\"workerpoolrestrict\":\"$ZERO\",
 \"requesterrestrict\":\"${ADDR[requester]}\"}"
publish_order workerpool scheduler "{\"workerpool\":\"$POOL\",\"workerpoolprice\":\"5\",\"volume\":\"10\",
 \"tag\":\"$TEE\",\"category\":\"0\",\"trust\":\"1\",\"apprestrict\":\"$ZERO\",
 \"datasetrestrict\":\"$ZERO\",\"requesterrestrict\":\"$ZERO\"}"
ok "app, dataset and workerpool orders on the market"

frozen() { decc --json account show "${ADDR[$1]}" "${G[@]}" | jq -r .frozen; }
balance() { decc --json account show "${ADDR[$1]}" "${G[@]}" | jq -r .balance; }

# ---- (c) refusals first: nothing may be matched or frozen ----
B0=$(balance other)
expect_fail 1 decc app run "$APP" --dataset "$DATASET" --tag tee "${G[@]}" $(wallet other)
expect_grep "no dataset order of $DATASET" "$T/err" "no dataset order for another requester: named"
expect_grep "requester ${ADDR[other]}" "$T/err" "the refusal names the requester"
expect_fail 1 decc app run "$APP" --dataset "$DATASET" --tag tee --max-price 9 "${G[@]}" \
	$(wallet requester)
expect_grep "cost 10 nRLC a task \(app 2 \+ dataset 3 \+ workerpool 5\), above --max-price 9" \
	"$T/err" "--max-price below the orders' price refused with the prices"
expect_fail 1 decc app run "$POOL" --tag tee "${G[@]}" $(wallet requester)
expect_grep "$POOL is not a registered app" "$T/err" "an unknown app refused"
expect_fail 1 decc app run "$APP" --workerpool "$POOL" "${G[@]}" $(wallet requester)
expect_grep "no app order .* with tag 0x0{64}" "$T/err" \
	"a non-TEE request does not take the TEE app order"
expect_fail 2 decc app run "$APP" --secret 1 "${G[@]}" $(wallet requester)
ok "app run --secret without =NAME is a usage error"
rc=0
decc protect process --data "$DATASET" --app "$APP" --secret 1=x --sms "$SMS" --api "$STORE" \
	"${G[@]}" $(wallet other) >"$T/out" 2>"$T/err" || rc=$?
expect_eq 1 "$rc" "protect process refused for a requester without a dataset order"
expect_grep "^decc: protect process: no dataset order of $DATASET" "$T/err" \
	"protect process names the missing dataset order"
[ ! -e "$HOME/.decc/result-keys" ] || fail "a refused protect process made a result key"
ok "a refused protect process made no key (the orders are looked up first)"
expect_eq "0/0" "$(frozen other)/$(frozen requester)" "nothing frozen by the refusals"
expect_eq "$B0" "$(balance other)" "the other requester's balance untouched"

# ---- (b) protect process: key, secret, orders, deal, task, result, decrypted ----
rc=0
decc protect process --data "$DATASET" --app "$APP" --secret 1=hello --args "a b" \
	--sms "$SMS" --api "$STORE" --scheduler "$SURL" "${G[@]}" $(wallet requester) \
	>"$T/pp.out" 2>"$T/pp.err" || rc=$?
if [ $rc -ne 0 ]; then
	cat "$T/pp.err" >&2
	tail -n 20 "$T/sched.log" "$T/worker.log" >&2
	fail "protect process exited $rc"
fi
expect_eq 'email of 17 bytes, secret 1 is "hello", args "a b"' "$(cat "$T/pp.out")" \
	"protect process prints the decrypted result the app computed (data, secret, args)"
for s in "generating a result encryption key" "result encryption key pushed" \
	"requester secret 1 pushed to the SMS as 0x[0-9a-f]{32}" "app order 0x" "dataset order 0x" \
	"workerpool order 0x" "deal 0x" ": COMPLETED" "result downloaded: /ipfs/" "result decrypted"; do
	expect_grep "$s" "$T/pp.err" "protect process shows: $s"
done
ls "$HOME/.decc/result-keys/"*_key >/dev/null 2>&1 || fail "no key in ~/.decc/result-keys"
ok "the result key is in ~/.decc/result-keys"
expect_ok decc secret check result-key "${ADDR[requester]}" --sms "$SMS"
expect_grep present "$T/out" "the result key's public part is in the SMS"
TASK1=$(grep -o 'task 0x[0-9a-f]\{64\}' "$T/pp.err" | head -1 | cut -c6-)
expect_ok decc result pull "$TASK1" "${G[@]}" --api "$STORE" --output "$T/enc.zip"
expect_grep "\(encrypted\)" "$T/out" "the result on the store is encrypted"
if grep -rq "hello" "$T/enc.zip"; then fail "the secret is in the clear in the stored result"; fi
ok "the stored result does not show the secret"

# a second run: the key is reused (not regenerated), --json and --output
expect_ok decc --json protect process --data "$DATASET" --app "$APP" --secret 1=again \
	--output "$T/second.zip" --sms "$SMS" --api "$STORE" "${G[@]}" $(wallet requester)
expect_eq "COMPLETED/true/$T/second.zip" "$(jq -r '.status + "/" + (.encrypted|tostring) + "/" + .output' "$T/out")" \
	"protect process --json --output: one object"
expect_grep "already in the SMS" "$T/err" "the second run reuses the key"
mkdir -p "$T/second"
(cd "$T/second" && unzip -q "$T/second.zip")
expect_eq 'email of 17 bytes, secret 1 is "again", args ""' "$(cat "$T/second/answer.txt")" \
	"the saved zip holds the decrypted result"

# ---- (a) app run --watch: no dataset, TEE, to COMPLETED ----
expect_ok decc --json app run "$APP" --tag tee --args "run me" --watch --scheduler "$SURL" \
	"${G[@]}" $(wallet requester)
expect_eq "COMPLETED/$APP" "$(jq -r '.status + "/" + .app' "$T/out")" "app run --watch: COMPLETED"
TASK=$(jq -r .taskid "$T/out")
expect_grep "task $TASK: ACTIVE" "$T/err" "app run --watch shows the status changes"
expect_grep "task $TASK: COMPLETED" "$T/err" "app run --watch ends on COMPLETED"
expect_ok decc --json deal show "$(jq -r .dealid "$T/out")" "${G[@]}"
expect_eq "${ADDR[requester]}/$POOL/$ZERO/true" \
	"$(jq -r '.requester + "/" + .workerpool.pointer + "/" + .dataset.pointer + "/" + (.params | fromjson | .iexec_result_encryption | tostring)' "$T/out")" \
	"the deal: this requester, this pool, no dataset, encrypted result"
expect_ok decc result pull "$TASK" "${G[@]}" --api "$STORE" --output "$T/run.zip" --decrypt \
	--unzip "$T/run" $(wallet requester)
expect_eq 'no data, args "run me"' "$(cat "$T/run/answer.txt")" "the app run's result, decrypted"
done_testing
