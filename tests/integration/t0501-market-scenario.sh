#!/usr/bin/env bash
# The market scenario, all through the decc CLI against a running `decc node`: deploy an app,
# a dataset and a workerpool (three owners), deposit, sign and publish orders, read them from
# the orderbook, match, then run tasks and check every escrow balance and frozen amount against
# the worked example of PoCo's money flows (reference poco.md §3.14: prices app 3, dataset 2,
# workerpool 100, stake ratio 30, scheduler ratio 1):
#   deal A (trust 1, volume 3): task 0 contribute/reveal/finalize, task 1
#     contributeAndFinalize, task 2 claimed after its final deadline (stake to the kitty);
#   deal B (trust 3, volume 1): three authorized workers, consensus after two contributions
#     (the third is refused), two reveals, finalize; the kitty goes to the scheduler.
. "$(dirname "$0")/lib.sh"

HUB=0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f # decc node's native hub
ZERO=0x0000000000000000000000000000000000000000
ZTAG=0x0000000000000000000000000000000000000000000000000000000000000000
KITTY=0x99c2268479b93fDe36232351229815DF80837e23

# ---- wallets: owner of the hub, requester, app/dataset/workerpool owners, three workers ----
printf 'scenario-pw\n' >"$T/pw"
declare -A ADDR
for who in admin requester appdev dataowner scheduler w1 w2 w3; do
	expect_ok decc --json wallet create --kdf-light --keystore-dir "$T/ks-$who" \
		--password-file "$T/pw"
	ADDR[$who]=$(jq -r .address "$T/out")
done
ok "eight wallets created"
wallet() { # wallet WHO: the options that select WHO's wallet
	echo --wallet "$(ls "$T/ks-$1"/*)" --password-file "$T/pw"
}

# ---- genesis with those accounts funded, and the node ----
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
for _ in $(seq 1 100); do
	curl -sf "$RPC/healthz" >/dev/null 2>&1 && break
	sleep 0.1
done
curl -sf "$RPC/healthz" >/dev/null || { cat "$T/node.log" >&2; fail "the node did not start"; }
ok "decc node serves on port $PORT"
export HOME="$T/home"
G=(--rpc "$RPC")
CHAIN=(--chain-id 65535 --hub "$HUB")

# bal WHO BALANCE FROZEN STEP: the escrow account of WHO (or an address)
bal() {
	local a=${ADDR[$1]:-$1}
	expect_ok decc --json account show "$a" "${G[@]}"
	local got
	got="$(jq -r '.balance + "/" + .frozen' "$T/out")"
	expect_eq "$2/$3" "$got" "$4: $1 balance/frozen"
}

expect_ok decc category show 0 "${G[@]}" --json
expect_eq "XS/300" "$(jq -r '.name + "/" + (.workClockTimeRef|tostring)' "$T/out")" "category 0 is XS, 300 s"

# ---- deposits (nRLC) ----
for who in requester scheduler w1 w2 w3; do
	amount=1000
	case $who in w*) amount=100 ;; esac
	expect_ok decc account deposit $amount "${G[@]}" $(wallet $who)
done
bal requester 1000 0 "deposit"
bal scheduler 1000 0 "deposit"
bal w1 100 0 "deposit"

# ---- assets, three owners ----
expect_ok decc app deploy --name hello --multiaddr docker.io/decc/hello:1.0.0 \
	--checksum 0x00000000000000000000000000000000000000000000000000000000000000aa \
	"${G[@]}" $(wallet appdev)
APP=$(cat "$T/out")
expect_ok decc dataset deploy --name alice-data --multiaddr /ipfs/bafkreidata \
	--checksum 0x00000000000000000000000000000000000000000000000000000000000000bb \
	"${G[@]}" $(wallet dataowner)
DATASET=$(cat "$T/out")
expect_ok decc workerpool deploy --description "wendy's pool" "${G[@]}" $(wallet scheduler)
POOL=$(cat "$T/out")
expect_ok decc --json app show "$APP" "${G[@]}"
expect_eq "${ADDR[appdev]}" "$(jq -r .owner "$T/out")" "app show: owner"
expect_eq "docker.io/decc/hello:1.0.0" "$(jq -r .multiaddr "$T/out")" "app show: multiaddr"
expect_ok decc app show 0 --user "${ADDR[appdev]}" "${G[@]}" --json
expect_eq "$APP" "$(jq -r .address "$T/out")" "app show INDEX --user"
expect_ok decc app count --user "${ADDR[appdev]}" "${G[@]}"
expect_eq 1 "$(cat "$T/out")" "app count --user"
expect_ok decc --json dataset show "$DATASET" "${G[@]}"
expect_eq "${ADDR[dataowner]}" "$(jq -r .owner "$T/out")" "dataset show: owner"
expect_ok decc --json workerpool show "$POOL" "${G[@]}"
expect_eq "${ADDR[scheduler]}/30/1" \
	"$(jq -r '.owner + "/" + (.workerStakeRatio|tostring) + "/" + (.schedulerRewardRatio|tostring)' "$T/out")" \
	"workerpool show: owner and policy"

# ---- orders: sign and publish ----
cat >"$T/app.json" <<J
{"app":"$APP","appprice":"3","volume":"4","tag":"$ZTAG","datasetrestrict":"$ZERO",
 "workerpoolrestrict":"$ZERO","requesterrestrict":"$ZERO"}
J
cat >"$T/dataset.json" <<J
{"dataset":"$DATASET","datasetprice":"2","volume":"4","tag":"$ZTAG","apprestrict":"$APP",
 "workerpoolrestrict":"$ZERO","requesterrestrict":"$ZERO"}
J
cat >"$T/pool.json" <<J
{"workerpool":"$POOL","workerpoolprice":"100","volume":"4","tag":"$ZTAG","category":"0",
 "trust":"3","apprestrict":"$ZERO","datasetrestrict":"$ZERO","requesterrestrict":"$ZERO"}
J
request() { # request VOLUME TRUST FILE
	cat >"$3" <<J
{"app":"$APP","appmaxprice":"3","dataset":"$DATASET","datasetmaxprice":"2","workerpool":"$ZERO",
 "workerpoolmaxprice":"100","requester":"${ADDR[requester]}","volume":"$1","tag":"$ZTAG",
 "category":"0","trust":"$2","beneficiary":"${ADDR[requester]}","callback":"$ZERO",
 "params":"{\"iexec_args\":\"hello\"}"}
J
}
request 3 1 "$T/requestA.json"
request 1 3 "$T/requestB.json"
sign() { # sign TYPE IN OUT WHO
	expect_ok decc order sign "$1" --order "$2" --output "$3" "${CHAIN[@]}" $(wallet "$4")
}
sign app "$T/app.json" "$T/app.signed" appdev
sign dataset "$T/dataset.json" "$T/dataset.signed" dataowner
sign workerpool "$T/pool.json" "$T/pool.signed" scheduler
sign request "$T/requestA.json" "$T/requestA.signed" requester
sign request "$T/requestB.json" "$T/requestB.signed" requester
declare -A HASH
for o in app:app dataset:dataset workerpool:pool request:requestA request:requestB; do
	expect_ok decc order publish "${o%%:*}" --order "$T/${o#*:}.signed" "${G[@]}"
	HASH[${o#*:}]=$(cat "$T/out")
	expect_eq "$(jq -r .orderHash "$T/${o#*:}.signed")" "${HASH[${o#*:}]}" "publish ${o#*:}: the market's hash is the order's"
done

# the market refuses what it must refuse
sign app "$T/app.json" "$T/app-by-stranger.signed" dataowner
expect_fail 1 decc order publish app --order "$T/app-by-stranger.signed" "${G[@]}"
expect_grep "not signed by ${ADDR[appdev]}" "$T/err" "publish: an app order not signed by the app owner is refused"
expect_fail 1 decc order publish app --order "$T/app.json" "${G[@]}"
expect_grep "no salt|no sign" "$T/err" "publish: an unsigned order is refused"

# the orderbook
expect_ok decc --json orderbook app "$APP" "${G[@]}"
expect_eq "1/${HASH[app]}/4" "$(jq -r '(.count|tostring) + "/" + .orders[0].orderHash + "/" + (.orders[0].remaining|tostring)' "$T/out")" \
	"orderbook app: the app order, 4 remaining"
expect_ok decc --json orderbook dataset "$DATASET" --app "$APP" "${G[@]}"
expect_eq 1 "$(jq -r .count "$T/out")" "orderbook dataset --app (restricted to that app)"
expect_ok decc --json orderbook dataset "$DATASET" --app "$POOL" "${G[@]}"
expect_eq 0 "$(jq -r .count "$T/out")" "orderbook dataset --app OTHER: the restriction excludes it"
expect_ok decc --json orderbook workerpool --category 0 --min-trust 3 "${G[@]}"
expect_eq "${HASH[pool]}" "$(jq -r '.orders[0].orderHash' "$T/out")" "orderbook workerpool --category --min-trust"
expect_ok decc --json orderbook requester "${ADDR[requester]}" --page-size 1 "${G[@]}"
expect_eq "2/1" "$(jq -r '(.count|tostring) + "/" + (.orders|length|tostring)' "$T/out")" \
	"orderbook requester: 2 orders, pages of 1"
expect_ok decc --json order show request "${HASH[requestA]}" "${G[@]}"
expect_eq 3 "$(jq -r .remaining "$T/out")" "order show: request A has 3 remaining"

# cancel: a second app order, published, then closed on chain, leaves the book
sed 's/"volume":"4"/"volume":"7"/' "$T/app.json" >"$T/app2.json"
sign app "$T/app2.json" "$T/app2.signed" appdev
expect_ok decc order publish app --order "$T/app2.signed" "${G[@]}"
APP2=$(cat "$T/out")
expect_ok decc order cancel app --order "$T/app2.signed" "${G[@]}" $(wallet appdev)
expect_fail 1 decc order show app "$APP2" "${G[@]}"
expect_grep "no longer in the book" "$T/err" "order cancel: the closed order is dropped"
expect_fail 1 decc order publish app --order "$T/app2.signed" "${G[@]}"
expect_grep "no remaining volume" "$T/err" "a closed order cannot be published again"

# ---- deal A: trust 1, volume 3 ----
expect_fail 1 decc order match --app "$T/app.signed" --dataset "$T/dataset.signed" \
	--workerpool "$T/pool.signed" --request "$T/requestA.signed" "${G[@]}" $(wallet w3) \
	--hub 0x0000000000000000000000000000000000000001
ok "match against a wrong hub fails"
expect_ok decc order match --app "$T/app.signed" --dataset "$T/dataset.signed" \
	--workerpool "$T/pool.signed" --request "$T/requestA.signed" "${G[@]}" $(wallet requester)
DEALA=$(cat "$T/out")
bal requester 685 315 "match A (315 = (3+2+100)x3)"
bal scheduler 910 90 "match A (stake 3x30)"
expect_ok decc --json deal show "$DEALA" "${G[@]}"
expect_eq "3/1/30/${ADDR[requester]}" "$(jq -r '(.botSize|tostring) + "/" + .trust + "/" + .workerStake + "/" + .requester' "$T/out")" \
	"deal show: volume 3, trust 1, worker stake 30"
for i in 0 1 2; do TASKA[$i]=$(jq -r ".tasks[$i]" "$T/out"); done
expect_ok decc --json orderbook app "$APP" "${G[@]}"
expect_eq 1 "$(jq -r '.orders[0].remaining' "$T/out")" "orderbook: app order 1 remaining after the match"
expect_ok decc --json orderbook requester "${ADDR[requester]}" "${G[@]}"
expect_eq "1/${HASH[requestB]}" "$(jq -r '(.count|tostring) + "/" + .orders[0].orderHash' "$T/out")" \
	"orderbook: the consumed request A is dropped"
expect_fail 1 decc order match --app "$T/app.signed" --dataset "$T/dataset.signed" \
	--workerpool "$T/pool.signed" --request "$T/requestA.signed" "${G[@]}" $(wallet requester)
expect_grep "no volume left" "$T/err" "matching a consumed request again: the reason in words"

DIGEST=0x1111111111111111111111111111111111111111111111111111111111111111

# task 0: initialize, authorize w1, contribute, reveal, finalize
expect_ok decc task initialize "$DEALA" 0 "${G[@]}" $(wallet scheduler)
expect_eq "${TASKA[0]}" "$(cat "$T/out")" "task initialize prints the task id of the deal"
expect_ok decc task authorize "${TASKA[0]}" --worker "${ADDR[w1]}" $(wallet scheduler)
AUTH=$(cat "$T/out")
expect_ok decc task contribute "${TASKA[0]}" --result-digest $DIGEST --authorization-sign "$AUTH" \
	"${G[@]}" $(wallet w1)
bal w1 70 30 "contribute locks the worker stake"
expect_ok decc --json task show "${TASKA[0]}" "${G[@]}"
expect_eq "REVEALING/CONTRIBUTED" "$(jq -r '.status + "/" + .contributions[0].status' "$T/out")" "trust 1: consensus at the first contribution"
expect_fail 1 decc task reveal "${TASKA[0]}" --result-digest 0x2222222222222222222222222222222222222222222222222222222222222222 \
	"${G[@]}" $(wallet w1)
ok "reveal with another digest is refused"
expect_ok decc task reveal "${TASKA[0]}" --result-digest $DIGEST "${G[@]}" $(wallet w1)
expect_ok decc task finalize "${TASKA[0]}" --results /ipfs/bafkreiresult0 "${G[@]}" $(wallet scheduler)
expect_ok decc --json task show "${TASKA[0]}" "${G[@]}"
expect_eq "COMPLETED/PROVED" "$(jq -r '.status + "/" + .contributions[0].status' "$T/out")" "task 0 completed"
bal w1 199 0 "task 0: worker +99, stake back"
bal scheduler 941 60 "task 0: scheduler +1, 30 unlocked"
bal appdev 3 0 "task 0: app owner +3"
bal dataowner 2 0 "task 0: dataset owner +2"
bal requester 685 210 "task 0: requester frozen 315 -> 210"

# task 1: contributeAndFinalize by w2
expect_ok decc task initialize "$DEALA" 1 "${G[@]}" $(wallet scheduler)
expect_ok decc task authorize "${TASKA[1]}" --worker "${ADDR[w2]}" $(wallet scheduler)
AUTH=$(cat "$T/out")
expect_fail 1 decc task contribute-and-finalize "${TASKA[1]}" --result-digest $DIGEST \
	--results /ipfs/bafkreiresult1 --authorization-sign "$AUTH" "${G[@]}" $(wallet w3)
ok "contributeAndFinalize with another worker's authorization is refused"
expect_ok decc task contribute-and-finalize "${TASKA[1]}" --result-digest $DIGEST \
	--results /ipfs/bafkreiresult1 --authorization-sign "$AUTH" "${G[@]}" $(wallet w2)
expect_ok decc --json task show "${TASKA[1]}" "${G[@]}"
expect_eq COMPLETED "$(jq -r .status "$T/out")" "task 1 completed in one step"
bal w2 199 0 "task 1: worker +99, no stake"
bal scheduler 972 30 "task 1: scheduler +1, 30 unlocked"
bal appdev 6 0 "task 1: app owner +3"
bal dataowner 4 0 "task 1: dataset owner +2"
bal requester 685 105 "task 1: requester frozen 210 -> 105"

# task 2: nobody works; claimed after the final deadline (10 x 300 s after the deal)
expect_ok decc task initialize "$DEALA" 2 "${G[@]}" $(wallet scheduler)
expect_fail 1 decc task claim "${TASKA[2]}" "${G[@]}" $(wallet requester)
ok "claim before the final deadline is refused"
curl -sf -H 'Content-Type: application/json' \
	-d '{"jsonrpc":"2.0","id":1,"method":"evm_increaseTime","params":[3001]}' "$RPC" >/dev/null
curl -sf -H 'Content-Type: application/json' \
	-d '{"jsonrpc":"2.0","id":2,"method":"evm_mine","params":[]}' "$RPC" >/dev/null
expect_ok decc --json task show "${TASKA[2]}" "${G[@]}"
expect_eq "ACTIVE/true" "$(jq -r '.status + "/" + (.claimable|tostring)' "$T/out")" "task 2 claimable after 3001 s"
expect_ok decc task claim "${TASKA[2]}" "${G[@]}" $(wallet requester)
expect_ok decc --json task show "${TASKA[2]}" "${G[@]}"
expect_eq FAILED "$(jq -r .status "$T/out")" "task 2 claimed: FAILED"
bal requester 790 0 "claim: requester refunded 105"
bal scheduler 972 0 "claim: the scheduler's 30 seized"
bal $KITTY 0 30 "claim: the stake goes to the kitty"

# ---- deal B: trust 3, volume 1, three workers ----
expect_ok decc order match --app "$T/app.signed" --dataset "$T/dataset.signed" \
	--workerpool "$T/pool.signed" --request "$T/requestB.signed" "${G[@]}" $(wallet requester)
DEALB=$(cat "$T/out")
bal requester 685 105 "match B"
bal scheduler 942 30 "match B (stake 30)"
expect_ok decc --json deal show "$DEALB" "${G[@]}"
TASKB=$(jq -r '.tasks[0]' "$T/out")
expect_ok decc task initialize "$DEALB" 0 "${G[@]}" $(wallet scheduler)
DIGESTB=0x3333333333333333333333333333333333333333333333333333333333333333
for w in w1 w2 w3; do
	expect_ok decc task authorize "$TASKB" --worker "${ADDR[$w]}" $(wallet scheduler)
	AUTHB[${w#w}]=$(cat "$T/out")
done
expect_ok decc task contribute "$TASKB" --result-digest $DIGESTB --authorization-sign "${AUTHB[1]}" "${G[@]}" $(wallet w1)
expect_ok decc --json task show "$TASKB" "${G[@]}"
expect_eq ACTIVE "$(jq -r .status "$T/out")" "trust 3: no consensus after one contribution"
expect_ok decc task contribute "$TASKB" --result-digest $DIGESTB --authorization-sign "${AUTHB[2]}" "${G[@]}" $(wallet w2)
expect_ok decc --json task show "$TASKB" "${G[@]}"
expect_eq "REVEALING/2" "$(jq -r '.status + "/" + (.winnerCounter|tostring)' "$T/out")" \
	"trust 3: consensus after two fresh workers (group 4 x 3 > total 5 x 2)"
expect_fail 1 decc task contribute "$TASKB" --result-digest $DIGESTB --authorization-sign "${AUTHB[3]}" "${G[@]}" $(wallet w3)
ok "a third contribution after consensus is refused (the task is REVEALING)"
bal w3 100 0 "the refused worker keeps its stake"
bal w1 169 30 "trust 3: w1 stake locked"
expect_ok decc task reveal "$TASKB" --result-digest $DIGESTB "${G[@]}" $(wallet w1)
expect_ok decc task reveal "$TASKB" --result-digest $DIGESTB "${G[@]}" $(wallet w2)
expect_ok decc task finalize "$TASKB" --results /ipfs/bafkreiresultB "${G[@]}" $(wallet scheduler)
expect_ok decc --json task show "$TASKB" "${G[@]}"
expect_eq "COMPLETED/PROVED/PROVED" "$(jq -r '.status + "/" + .contributions[0].status + "/" + .contributions[1].status' "$T/out")" "trust-3 task completed"
bal w1 248 0 "trust 3: w1 +49 (mulDiv(99,1,2)) and stake back"
bal w2 248 0 "trust 3: w2 +49 and stake back"
bal scheduler 1004 0 "trust 3: scheduler +2, 30 unlocked, and the kitty's 30"
bal $KITTY 0 0 "the kitty paid out (min(max(10%, 1 RLC), kitty))"
bal appdev 9 0 "app owner: 3 x 3"
bal dataowner 6 0 "dataset owner: 3 x 2"
bal requester 685 0 "requester: 1000 - 3 x 105"

# supply: 1000 + 1000 + 3 x 100 deposited, all accounted for
sum=0
for who in requester scheduler appdev dataowner w1 w2 w3; do
	expect_ok decc --json account show "${ADDR[$who]}" "${G[@]}"
	sum=$((sum + $(jq -r .balance "$T/out") + $(jq -r .frozen "$T/out")))
done
expect_eq 2300 "$sum" "every nRLC deposited is accounted for"

done_testing
