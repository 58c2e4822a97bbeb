#!/usr/bin/env bash
# make demo: the whole story of decc (docs/ARCHITECTURE.md §1) on a fresh local network.
#
#   Alice protects a record; Bob builds and registers an iApp; Alice grants it; Wendy runs a
#   workerpool (scheduler + TEE worker); Carol processes Alice's data with Bob's app and reads
#   the decrypted result; everybody's balance is shown before and after; Alice revokes and
#   Carol's next attempt is refused.
#
# Every daemon is a real process on a random loopback port, stopped by its PID at the end.
# The TEE is SIMULATED (a platform key in a file signs the quotes): development only.
# Usage: scripts/demo.sh [BUILD_DIR]     (DEMO_KEEP=1 keeps the work directory)
set -euo pipefail
BUILD=${1:-build}
cd "$(dirname "$0")/.."
SRC=$PWD
DECC="$SRC/$BUILD/decc"
[ -x "$DECC" ] || { echo "demo: $DECC is not built (run make build)" >&2; exit 1; }
W=$(mktemp -d "${TMPDIR:-/tmp}/decc-demo.XXXXXX")
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	if [ "${DEMO_KEEP:-}" = 1 ]; then echo "demo: files kept in $W"; else rm -rf "$W"; fi
}
trap cleanup EXIT
export HOME="$W/home" # result keys and wallets of the demo stay in the demo's directory
mkdir -p "$HOME"

say() { printf '\n== %s\n' "$*"; }
info() { printf '   %s\n' "$*"; }
die() {
	echo "demo: $*" >&2
	for f in "$W"/*.log; do
		[ -s "$f" ] && { echo "--- last lines of $(basename "$f")" >&2; tail -n 15 "$f" >&2; }
	done
	exit 1
}
decc() { "$DECC" "$@"; }
free_port() {
	local p
	for _ in $(seq 1 50); do
		p=$((20000 + RANDOM % 30000))
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
	done
	die "no free port"
}
# start NAME CMD...: a daemon, logged to W/NAME.log. CMD must be a program ("$DECC"), not the
# decc shell function: a function in the background runs in a subshell, whose PID is the one
# recorded and killed at the end, and the daemon itself would outlive the demo.
start() {
	local name=$1
	shift
	"$@" 2>"$W/$name.log" &
	pids+=($!)
}
wait_http() { # wait_http URL NAME
	for _ in $(seq 1 100); do curl -sf "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done
	die "$2 did not start"
}

HUB=0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f
ZERO=0x0000000000000000000000000000000000000000
TEE=0x0000000000000000000000000000000000000000000000000000000000000001

say "decc $("$DECC" --version | awk '{print $2}'): a local network on loopback (no Docker, no TEE hardware)"
printf 'demo password\n' >"$W/pw"
declare -A A
for who in alice bob carol wendy worker; do
	A[$who]=$(decc --json wallet create --kdf-light --keystore-dir "$W/wallets/$who" \
		--password-file "$W/pw" | jq -r .address)
done
wallet() { echo --wallet "$(ls "$W/wallets/$1"/*)" --password-file "$W/pw"; }
info "wallets (keystore v3): Alice ${A[alice]} (data owner), Bob ${A[bob]} (app developer),"
info "Carol ${A[carol]} (requester), Wendy ${A[wendy]} (workerpool), worker ${A[worker]}"

{
	printf '{"chainId": 65535, "timestamp": 1700000000, "hubOwner": "%s", "accounts": {' "${A[wendy]}"
	sep=
	for who in "${!A[@]}"; do
		printf '%s"%s": {"balance": "1000000000000000000000"}' "$sep" "${A[$who]}"
		sep=,
	done
	printf '}}\n'
} >"$W/genesis.json"

NPORT=$(free_port)
RPC=http://127.0.0.1:$NPORT
start node "$DECC" node --genesis "$W/genesis.json" --data "$W/node" --listen "127.0.0.1:$NPORT"
wait_http "$RPC/healthz" "decc node"
STPORT=$(free_port)
STORE=http://127.0.0.1:$STPORT
start store "$DECC" store --data "$W/store" --listen "127.0.0.1:$STPORT"
wait_http "$STORE/healthz" "decc store"
decc enclave --make-platform-key "$W/platform.key" >"$W/platform.out" ||
	die "cannot make the simulated platform key"
PLATFORM=$(grep -o '0x[0-9a-fA-F]\{40\}' "$W/platform.out" | head -1)
SMPORT=$(free_port)
SMS=http://127.0.0.1:$SMPORT
start sms "$DECC" sms --data "$W/sms" --listen "127.0.0.1:$SMPORT" --rpc "$RPC" --hub "$HUB" \
	--trust-platform "$PLATFORM" --result-proxy "$STORE"
wait_http "$SMS/healthz" "decc sms"
G=(--rpc "$RPC")
CHAIN=(--chain-id 65535 --hub "$HUB")
info "ledger  $RPC  (decc node: PoCo executed natively, Ethereum JSON-RPC; market at /market)"
info "store   $STORE  (IPFS HTTP API)"
info "SMS     $SMS  (trusts the SIMULATED attestation platform $PLATFORM)"

balances() {
	printf '   %-8s %12s %10s\n' who "balance" "frozen"
	for who in alice bob carol wendy worker; do
		decc --json account show "${A[$who]}" "${G[@]}" >"$W/acct.json"
		printf '   %-8s %12s %10s\n' "$who" "$(jq -r .balance "$W/acct.json")" "$(jq -r .frozen "$W/acct.json")"
	done
	info "(escrow accounts in nRLC)"
}
for who in carol wendy worker; do
	decc account deposit 1000 "${G[@]}" $(wallet $who) >/dev/null
done

# ---- 1. Alice protects a record
say "1. Alice protects a record: serialized (DataProtector zip, Borsh), encrypted (AES-256-CBC), stored, registered, key to the SMS"
decc protect serialize --data '{"email":"alice@example.org"}' --output "$W/alice.zip" >/dev/null
decc --json dataset encrypt "$W/alice.zip" --output "$W/alice.zip.enc" --key-file "$W/alice.key" >"$W/enc.json"
CHECKSUM=$(jq -r .checksum "$W/enc.json")
rm -f "$W/alice.zip" # only the ciphertext leaves Alice's machine
DCID=$(decc --json store add "$W/alice.zip.enc" --api "$STORE" | jq -r .cid)
DATASET=$(decc dataset deploy --name "alice-email" --multiaddr "/ipfs/$DCID" --checksum "$CHECKSUM" \
	"${G[@]}" $(wallet alice))
decc secret push-dataset "$DATASET" --key-file "$W/alice.key" --sms "$SMS" $(wallet alice) >/dev/null
info "dataset $DATASET, content /ipfs/$DCID, checksum $CHECKSUM"
info "the store holds only ciphertext; the key is in the SMS, encrypted at rest"

# ---- 2. Bob builds and registers an iApp
say "2. Bob builds his iApp (an OCI image built now from examples/hello-iapp) and registers it"
DECC_BIN="$DECC" sh "$SRC/examples/hello-iapp/build.sh" "$W/hello.tar" >"$W/digest" ||
	die "the iApp image did not build"
DIGEST=$(grep -o '0x[0-9a-f]\{64\}' "$W/digest" | head -1)
ICID=$(decc --json store add "$W/hello.tar" --api "$STORE" | jq -r .cid)
APP=$(decc app deploy --name hello-iapp --type DOCKER --multiaddr "/ipfs/$ICID" --checksum "$DIGEST" \
	"${G[@]}" $(wallet bob))
cat >"$W/app-order.json" <<J
{"app":"$APP","appprice":"2","volume":"100","tag":"$TEE","datasetrestrict":"$ZERO",
 "workerpoolrestrict":"$ZERO","requesterrestrict":"$ZERO"}
J
decc order sign app --order "$W/app-order.json" --output "$W/app-order.s" "${CHAIN[@]}" $(wallet bob) >/dev/null
decc order publish app --order "$W/app-order.s" "${G[@]}" >/dev/null
info "app $APP, image /ipfs/$ICID, measurement (image digest) $DIGEST"
info "app order published: 2 nRLC a run, TEE only"

# ---- 3. Alice grants Bob's app
say "3. Alice grants Bob's app 10 uses of her data, for anyone, at 3 nRLC a use"
cat >"$W/dataset-order.json" <<J
{"dataset":"$DATASET","datasetprice":"3","volume":"10","tag":"$TEE","apprestrict":"$APP",
 "workerpoolrestrict":"$ZERO","requesterrestrict":"$ZERO"}
J
decc order sign dataset --order "$W/dataset-order.json" --output "$W/dataset-order.s" "${CHAIN[@]}" \
	$(wallet alice) >/dev/null
GRANT=$(decc order publish dataset --order "$W/dataset-order.s" "${G[@]}")
info "dataset order $GRANT (signed EIP-712, on the market)"

# ---- 4. Wendy runs a workerpool
say "4. Wendy registers a workerpool and runs its scheduler and a TEE worker"
POOL=$(decc workerpool deploy --description "wendy's pool" "${G[@]}" $(wallet wendy))
SPORT=$(free_port)
SCHED=http://127.0.0.1:$SPORT
start scheduler "$DECC" --rpc "$RPC" $(wallet wendy) scheduler --workerpool "$POOL" --data "$W/sched" \
	--listen "127.0.0.1:$SPORT" --sms "$SMS" --store "$STORE" --poll-ms 100
wait_http "$SCHED/healthz" "decc scheduler"
start worker "$DECC" $(wallet worker) worker --scheduler "$SCHED" --work-dir "$W/work" \
	--store "$STORE" --sms "$SMS" --platform-key "$W/platform.key"
cat >"$W/pool-order.json" <<J
{"workerpool":"$POOL","workerpoolprice":"5","volume":"100","tag":"$TEE","category":"0",
 "trust":"1","apprestrict":"$ZERO","datasetrestrict":"$ZERO","requesterrestrict":"$ZERO"}
J
decc order sign workerpool --order "$W/pool-order.json" --output "$W/pool-order.s" "${CHAIN[@]}" \
	$(wallet wendy) >/dev/null
decc order publish workerpool --order "$W/pool-order.s" "${G[@]}" >/dev/null
info "workerpool $POOL, scheduler $SCHED, workerpool order at 5 nRLC a task"

say "Balances before"
balances

# ---- 5. Carol processes Alice's data with Bob's app
say "5. Carol processes Alice's data with Bob's app"
mkdir -p "$HOME/.decc/result-keys"
decc result generate-keys $(wallet carol) >/dev/null
decc secret push-result-key --key-file "$HOME/.decc/result-keys/$(decc --json wallet show $(wallet carol) | jq -r .address)_key.pub" \
	--sms "$SMS" $(wallet carol) >/dev/null
info "Carol's RSA result key: private part in \$HOME/.decc/result-keys, public part in the SMS"
request() { # request N: a request order for one task, signed by Carol
	cat >"$W/req-$1.json" <<J
{"app":"$APP","appmaxprice":"2","dataset":"$DATASET","datasetmaxprice":"3",
 "workerpool":"$POOL","workerpoolmaxprice":"5","requester":"${A[carol]}","volume":"1",
 "tag":"$TEE","category":"0","trust":"1","beneficiary":"${A[carol]}","callback":"$ZERO",
 "params":"{\"iexec_result_encryption\":true,\"iexec_args\":\"demo\"}"}
J
	decc order sign request --order "$W/req-$1.json" --output "$W/req-$1.s" "${CHAIN[@]}" \
		$(wallet carol) >/dev/null
}
request 1
t0=$(date +%s%N)
DEAL=$(decc order match --app "$W/app-order.s" --dataset "$W/dataset-order.s" \
	--workerpool "$W/pool-order.s" --request "$W/req-1.s" "${G[@]}" $(wallet carol)) ||
	die "the orders did not match"
TASK=$(decc --json deal show "$DEAL" "${G[@]}" | jq -r '.tasks[0]')
info "the four orders matched: deal $DEAL, task $TASK; Carol's 10 nRLC are frozen"
status=
for _ in $(seq 1 600); do
	status=$(decc --json task show "$TASK" "${G[@]}" 2>/dev/null | jq -r .status || true)
	[ "$status" = COMPLETED ] || [ "$status" = FAILED ] && break
	sleep 0.1
done
t1=$(date +%s%N)
[ "$status" = COMPLETED ] || {
	curl -s "$SCHED/tasks/$TASK" >&2 || true
	die "the task did not complete (status $status)"
}
info "task COMPLETED in $(((t1 - t0) / 1000000)) ms: the enclave got the key from the SMS after attestation,"
info "decrypted the data, ran the app with no network, encrypted the result for Carol, uploaded it;"
info "the worker sent contributeAndFinalize with the enclave's signature"
decc result pull "$TASK" "${G[@]}" --api "$STORE" --output "$W/result.zip" --decrypt \
	--unzip "$W/result" $(wallet carol) >/dev/null || die "Carol could not pull and decrypt the result"
say "Carol reads the decrypted result"
sed 's/^/   | /' "$W/result/result.txt"
if grep -rq "alice@example.org" "$W/result" "$W/work" 2>/dev/null; then
	die "the raw address leaked into the result or the worker's files"
fi
info "the raw address is nowhere in the result nor in the worker host's files"

say "Balances after (app owner +2, dataset owner +3, the workerpool and its worker share 5)"
balances

# ---- 6. Alice revokes
say "6. Alice revokes the grant (the dataset order is closed on the ledger)"
decc order cancel dataset --order "$W/dataset-order.s" "${G[@]}" $(wallet alice) >/dev/null
request 2
if decc order match --app "$W/app-order.s" --dataset "$W/dataset-order.s" \
	--workerpool "$W/pool-order.s" --request "$W/req-2.s" "${G[@]}" $(wallet carol) \
	>"$W/refused.out" 2>"$W/refused.err"; then
	die "Carol's request matched a revoked grant: this is a bug"
fi
info "Carol tries again and is refused: $(cat "$W/refused.err")"

say "The story ran to the end."
