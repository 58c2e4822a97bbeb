#!/usr/bin/env bash
# The TEE path with real processes on random loopback ports: decc node, decc store, decc sms
# trusting one simulated platform key. A TEE deal (tag 0x…01, trust 1) of examples/hello-iapp;
# the test plays the scheduler (initialize, enclave challenge from the SMS, authorization) and
# the worker (its signature, decc enclave, contributeAndFinalize). Security cases, each must
# fail: another image's measurement, an untrusted platform key, an authorization not signed
# by the workerpool owner, a result digest changed after the enclave signed it (reverts on the
# ledger), a genuine quote replayed for another task (recorded by a stand-in for the SMS). No
# answer or log of the SMS carries a secret in the clear.
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
curl -sf "$STORE/healthz" >/dev/null || { cat "$T/store.log" >&2; fail "the store did not start"; }

# ---- the platform keys and the SMS trusting one of them ----
expect_ok decc enclave --make-platform-key "$T/platform.key"
PLATFORM=$(cat "$T/out")
expect_ok decc enclave --make-platform-key "$T/rogue.key"
SMSPORT=$(free_port)
SMS=http://127.0.0.1:$SMSPORT
spawn "$DECC_BIN" --rpc "$RPC" sms --data "$T/sms" --listen "127.0.0.1:$SMSPORT" \
	--trust-platform "$PLATFORM" 2>"$T/sms.log"
for _ in $(seq 1 100); do curl -sf "$SMS/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -sf "$SMS/healthz" >/dev/null || { cat "$T/sms.log" >&2; fail "the SMS did not start"; }
expect_grep "SIMULATED attestation platform $PLATFORM" "$T/sms.log" \
	"the SMS says loudly that simulated attestation is development-only"

# ---- the app image (and another one), the app, the pool ----
DECC_BIN="$DECC_BIN" sh "$DECC_SRC/examples/hello-iapp/build.sh" "$T/hello.tar" >"$T/digest"
cp -r "$DECC_SRC/examples/hello-iapp" "$T/other-app"
echo 'echo tampered >>/iexec_out/result.txt' >>"$T/other-app/app.sh"
DECC_BIN="$DECC_BIN" sh "$T/other-app/build.sh" "$T/other.tar" >"$T/other-digest"
[ "$(cat "$T/digest")" != "$(cat "$T/other-digest")" ] || fail "the two images have one digest"
expect_ok decc app deploy --name hello-tee --multiaddr "/ipfs/bafyhello" \
	--checksum "$(cat "$T/digest")" "${G[@]}" $(wallet appdev)
APP=$(cat "$T/out")
expect_ok decc workerpool deploy --description "tee pool" "${G[@]}" $(wallet scheduler)
POOL=$(cat "$T/out")
printf '%s' "$SECRET" >"$T/secret"
expect_ok decc secret push-requester tok --value-file "$T/secret" --sms "$SMS" $(wallet requester)

# ---- a TEE deal, trust 1, volume 2 ----
cat >"$T/app.json" <<J
{"app":"$APP","appprice":"0","volume":"2","tag":"$TTAG","datasetrestrict":"$ZERO",
 "workerpoolrestrict":"$ZERO","requesterrestrict":"$ZERO","salt":"0x$(printf '%064x' 1)"}
J
cat >"$T/pool.json" <<J
{"workerpool":"$POOL","workerpoolprice":"10","volume":"2","tag":"$TTAG","category":"0",
 "trust":"1","apprestrict":"$ZERO","datasetrestrict":"$ZERO","requesterrestrict":"$ZERO",
 "salt":"0x$(printf '%064x' 1)"}
J
cat >"$T/req.json" <<J
{"app":"$APP","appmaxprice":"0","dataset":"$ZERO","datasetmaxprice":"0",
 "workerpool":"$POOL","workerpoolmaxprice":"10","requester":"${ADDR[requester]}",
 "volume":"2","tag":"$TTAG","category":"0","trust":"1","beneficiary":"${ADDR[requester]}",
 "callback":"$ZERO","params":"{\"iexec_args\":\"tee world\",\"iexec_secrets\":{\"1\":\"tok\"}}",
 "salt":"0x$(printf '%064x' 1)"}
J
expect_ok decc order sign app --order "$T/app.json" --output "$T/app.s" "${CHAIN[@]}" $(wallet appdev)
expect_ok decc order sign workerpool --order "$T/pool.json" --output "$T/pool.s" "${CHAIN[@]}" $(wallet scheduler)
expect_ok decc order sign request --order "$T/req.json" --output "$T/req.s" "${CHAIN[@]}" $(wallet requester)
expect_ok decc order match --app "$T/app.s" --workerpool "$T/pool.s" --request "$T/req.s" \
	"${G[@]}" $(wallet requester)
DEAL=$(cat "$T/out")

# ---- the scheduler's part: initialize, challenge, authorization ----
expect_fail 1 decc enclave --challenge "$(decc --json deal show "$DEAL" "${G[@]}" | jq -r '.tasks[0]')" \
	--sms "$SMS" $(wallet scheduler)
expect_grep "initialize it first" "$T/err" "no challenge for a task not on the ledger"
expect_ok decc task initialize "$DEAL" 0 "${G[@]}" $(wallet scheduler)
TASK=$(cat "$T/out")
expect_fail 1 decc enclave --challenge "$TASK" --sms "$SMS" $(wallet requester)
expect_grep "is not the owner" "$T/err" "the challenge is refused to a non-owner of the pool"
expect_ok decc enclave --challenge "$TASK" --sms "$SMS" $(wallet scheduler)
CHAL=$(cat "$T/out")
expect_ok decc enclave --challenge "$TASK" --sms "$SMS" $(wallet scheduler)
expect_eq "$(cat "$T/out")" "$CHAL" "the same challenge on a repeat"
expect_ok decc task authorize "$TASK" --worker "${ADDR[worker]}" --enclave-challenge "$CHAL" \
	"${G[@]}" $(wallet scheduler)
ASIG=$(cat "$T/out")
expect_ok decc task authorize "$TASK" --worker "${ADDR[worker]}" --enclave-challenge "$CHAL" \
	"${G[@]}" $(wallet worker)
WSIG=$(cat "$T/out")
expect_ok decc task authorize "$TASK" --worker "${ADDR[worker]}" --enclave-challenge "$CHAL" \
	"${G[@]}" $(wallet requester)
BADSIG=$(cat "$T/out")
auth_json() { # SIGNATURE [TASK IDX CHALLENGE]
	printf '{"chainTaskId":"%s","dealId":"%s","taskIndex":%s,"workerWallet":"%s",' \
		"${2:-$TASK}" "$DEAL" "${3:-0}" "${ADDR[worker]}"
	printf '"enclaveChallenge":"%s","signature":{"value":"%s"}}\n' "${4:-$CHAL}" "$1"
}
auth_json "$ASIG" >"$T/auth.json"
auth_json "$BADSIG" >"$T/badauth.json"
# the second task of the deal, for the replay case
expect_ok decc task initialize "$DEAL" 1 "${G[@]}" $(wallet scheduler)
TASK2=$(cat "$T/out")
expect_ok decc enclave --challenge "$TASK2" --sms "$SMS" $(wallet scheduler)
CHAL2=$(cat "$T/out")
[ "$CHAL2" != "$CHAL" ] || fail "two tasks share one enclave challenge"
expect_ok decc task authorize "$TASK2" --worker "${ADDR[worker]}" --enclave-challenge "$CHAL2" \
	"${G[@]}" $(wallet scheduler)
auth_json "$(cat "$T/out")" "$TASK2" 1 "$CHAL2" >"$T/auth2.json"
expect_ok decc task authorize "$TASK2" --worker "${ADDR[worker]}" --enclave-challenge "$CHAL2" \
	"${G[@]}" $(wallet worker)
WSIG2=$(cat "$T/out")
ok "scheduler side: task $TASK, enclave challenge $CHAL"

# enclave IMAGE KEY AUTH NAME: run decc enclave, stdout in $T/NAME.out
enclave() {
	mkdir -p "$T/work-$4" "$T/cache"
	"$DECC_BIN" enclave --sms "$SMS" --store "$STORE" --work-dir "$T/work-$4" --image "$1" \
		--platform-key "$2" --authorization "$3" --worker-signature "$WSIG" \
		--cache-dir "$T/cache" >"$T/$4.out" 2>"$T/$4.err"
}
refused() { # NAME WHY
	jq -e '.cause' "$T/$1.out" >/dev/null || { cat "$T/$1.out" "$T/$1.err" >&2; fail "$1: no cause"; }
	expect_grep "$2" "$T/$1.out" "$1: refused ($(jq -r .cause "$T/$1.out"))"
}

# ---- security cases first: each must fail to get in ----
enclave "$T/other.tar" "$T/platform.key" "$T/auth.json" other && fail "another image got a session"
refused other "measurement"
enclave "$T/hello.tar" "$T/rogue.key" "$T/auth.json" rogue && fail "an untrusted platform got a session"
refused rogue "TEE_SESSION_GENERATION_INVALID_AUTHORIZATION"
enclave "$T/hello.tar" "$T/platform.key" "$T/badauth.json" badauth && fail "a bad authorization got a session"
refused badauth "workerpool owner"

# a quote replayed for another task: record a genuine session request (a recorder in place
# of the SMS), then send its quote with task 2's authorization and worker signature
RECPORT=$(free_port)
cat >"$T/recorder.py" <<'PY'
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        open(sys.argv[2], "wb").write(body)
        self.send_response(503); self.end_headers()
    def do_GET(self):
        self.send_response(204); self.end_headers()
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
spawn python3 "$T/recorder.py" "$RECPORT" "$T/recorded.json"
REC_PID=$SPAWNED
for _ in $(seq 1 50); do curl -s "http://127.0.0.1:$RECPORT/" >/dev/null 2>&1 && break; sleep 0.1; done
SMS_SAVED=$SMS
SMS=http://127.0.0.1:$RECPORT
enclave "$T/hello.tar" "$T/platform.key" "$T/auth.json" recorded && fail "the recorder gave a session"
kill "$REC_PID"
wait "$REC_PID" 2>/dev/null || true
SMS=$SMS_SAVED
[ -s "$T/recorded.json" ] || fail "no session request recorded"
jq --slurpfile a "$T/auth2.json" --arg w "$WSIG2" '.authorization = $a[0] | .workerSignature = $w' \
	"$T/recorded.json" >"$T/replay.json"
code=$(curl -s -o "$T/replay.out" -w '%{http_code}' -X POST "$SMS/tee/session" \
	-H 'Content-Type: application/json' --data-binary @"$T/replay.json")
expect_eq 401 "$code" "a quote replayed for another task is refused"
expect_grep "another task" "$T/replay.out" "the refusal says the quote is for another task"
# the genuine request itself: the SMS answers only a sealed box
code=$(curl -s -o "$T/genuine.out" -w '%{http_code}' -X POST "$SMS/tee/session" \
	-H 'Content-Type: application/json' --data-binary @"$T/recorded.json")
expect_eq 200 "$code" "the recorded genuine request gets a session"
jq -e '.box' "$T/genuine.out" >/dev/null || fail "no sealed box in the session answer"
if grep -q "$SECRET" "$T/genuine.out"; then fail "the session answer has the secret in the clear"; fi
ok "the session answer is a sealed box: the requester secret is not in it"

# ---- the enclave run ----
enclave "$T/hello.tar" "$T/platform.key" "$T/auth.json" good ||
	{ cat "$T/good.out" "$T/good.err" >&2; fail "decc enclave failed"; }
jq . "$T/good.out" >/dev/null || fail "the enclave's stdout is not JSON"
expect_eq "$(jq -r .enclaveChallenge "$T/good.out" | tr A-F a-f)" "$(echo "$CHAL" | tr A-F a-f)" \
	"the result is signed for the task's enclave challenge"
DIGEST=$(jq -r .resultDigest "$T/good.out")
ESIG=$(jq -r .enclaveSignature "$T/good.out")
LINK=$(jq -r .resultLink "$T/good.out")
ok "decc enclave: digest $DIGEST, result at $(jq -r .location "$T/good.out")"

# ---- secrets: never in the clear outside the enclave ----
for f in "$T/sms.log" "$T"/*.out "$T"/*.err; do
	if grep -q "$SECRET" "$f"; then fail "the requester secret is in $f"; fi
done
ok "no SMS answer, log or enclave output carries the requester secret"

# ---- contributeAndFinalize: a changed digest reverts, the enclave's one completes ----
BAD=0x$(printf '%064x' 7)
expect_fail 1 decc task contribute-and-finalize "$TASK" --result-digest "$BAD" --results "$LINK" \
	--enclave-challenge "$CHAL" --enclave-sign "$ESIG" --authorization-sign "$ASIG" \
	"${G[@]}" $(wallet worker)
ok "a result digest changed after the enclave signed it: contributeAndFinalize reverts"
expect_ok decc task contribute-and-finalize "$TASK" --result-digest "$DIGEST" --results "$LINK" \
	--enclave-challenge "$CHAL" --enclave-sign "$ESIG" --authorization-sign "$ASIG" \
	"${G[@]}" $(wallet worker)
expect_ok decc --json task show "$TASK" "${G[@]}"
expect_eq "$(jq -r .status "$T/out")" COMPLETED "the TEE task is COMPLETED on chain"
expect_ok decc result pull "$TASK" "${G[@]}" --api "$STORE" --output "$T/result.zip" --unzip "$T/result"
expect_grep "tee world" "$T/result/result.txt" "the result has the task's arguments"

# ---- task 2 as a worker runs it: the TEE runner (image from the store, decc enclave in a
# nestable sandbox with a tmpfs work dir, the app in a nested one) ----
expect_ok decc store add "$T/hello.tar" --api "$STORE"
CID=$(cat "$T/out")
sbx() { # CHECKSUM NAME
	"$DECC_BIN" enclave --sandboxed --app "/ipfs/$CID" --checksum "$1" --sms "$SMS" \
		--store "$STORE" --work-dir "$T/sbx-work" --platform-key "$T/platform.key" \
		--authorization "$T/auth2.json" --worker-signature "$WSIG2" --cache-dir "$T/sbx-cache" \
		>"$T/$2.out" 2>"$T/$2.err"
}
sbx "$(cat "$T/other-digest")" sbxbad && fail "the runner took an image that is not the app's"
refused sbxbad "APP_IMAGE_DOWNLOAD_FAILED"
sbx "$(cat "$T/digest")" sbx || { cat "$T/sbx.out" "$T/sbx.err" >&2; fail "the TEE runner failed"; }
expect_eq "$(jq -r .enclaveChallenge "$T/sbx.out" | tr A-F a-f)" "$(echo "$CHAL2" | tr A-F a-f)" \
	"the TEE runner's result is signed for task 2's enclave challenge"
[ -z "$(ls -A "$T/sbx-work" 2>/dev/null)" ] || fail "the TEE runner left files in its work dir"
if grep -q "$SECRET" "$T/sbx.out" "$T/sbx.err"; then fail "the secret reached the worker side"; fi
expect_ok decc task contribute-and-finalize "$TASK2" --result-digest "$(jq -r .resultDigest "$T/sbx.out")" \
	--results "$(jq -r .resultLink "$T/sbx.out")" --enclave-challenge "$CHAL2" \
	--enclave-sign "$(jq -r .enclaveSignature "$T/sbx.out")" --authorization-sign "$(jq -r .signature.value "$T/auth2.json")" \
	"${G[@]}" $(wallet worker)
expect_ok decc --json task show "$TASK2" "${G[@]}"
expect_eq "$(jq -r .status "$T/out")" COMPLETED "task 2 (through the TEE runner) COMPLETED on chain"

# the challenge of a finished task is no longer made for a new one, the old one is answered
expect_ok decc enclave --challenge "$TASK" --sms "$SMS" $(wallet scheduler)
expect_eq "$(cat "$T/out")" "$CHAL" "the challenge of a completed task is still its own"

done_testing
