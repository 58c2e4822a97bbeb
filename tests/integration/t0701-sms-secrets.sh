#!/usr/bin/env bash
# decc sms against a real decc node: datasets and an app registered on the ledger, their keys
# and secrets pushed by their owners with `decc secret`, and every abuse refused with the state
# unchanged: second push of a write-once secret, push by a non-owner, the owner's signature
# replayed for another dataset, oversize secrets, unregistered datasets. Requester secrets by
# name, the app-developer secret, the result-encryption key (with its update). Pushes signed by
# ethers (as the iexec SDK signs them) are accepted byte for byte. Then restart, encryption at
# rest, and an unsafe master key refused.
. "$(dirname "$0")/lib.sh"

export NODE_PATH=$DECC_SRC/tools/node/node_modules
[ -d "$NODE_PATH/ethers" ] || fail "ethers missing under $NODE_PATH: run scripts/setup.sh"
GENESIS=$DECC_VECTORS/genesis/dev.json
HUB=0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f
ALICE=0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266
BOB=0x70997970C51812dc3A010C7d01b50e0d17dc79C8
CAROL=0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC
echo 0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80 >"$T/alice.pk"
echo 0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d >"$T/bob.pk"
echo 0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a >"$T/carol.pk"
CHECKSUM=0x$(printf '%064d' 7)

wait_http() { # URL PID LOG
	for _ in $(seq 1 200); do
		if curl -sf "$1/healthz" >/dev/null 2>&1; then return 0; fi
		kill -0 "$2" 2>/dev/null || { cat "$3" >&2; fail "daemon died: $3"; }
		sleep 0.05
	done
	fail "no answer from $1/healthz"
}

NODE_PORT=$(free_port)
RPC=http://127.0.0.1:$NODE_PORT
spawn "$DECC_BIN" node --genesis "$GENESIS" --data "$T/node" --listen "127.0.0.1:$NODE_PORT" \
	2>"$T/node.log"
wait_http "$RPC" "$SPAWNED" "$T/node.log"

SMS_PORT=$(free_port)
[ "$SMS_PORT" != "$NODE_PORT" ] || SMS_PORT=$(free_port)
SMS=http://127.0.0.1:$SMS_PORT
start_sms() {
	spawn "$DECC_BIN" sms --data "$T/sms" --rpc "$RPC" --listen "127.0.0.1:$SMS_PORT" 2>>"$T/sms.log"
	SMS_PID=$SPAWNED
	wait_http "$SMS" "$SMS_PID" "$T/sms.log"
}
start_sms
expect_eq 600 "$(stat -c %a "$T/sms/master.key")" "master key created with mode 0600"
expect_eq 700 "$(stat -c %a "$T/sms")" "data directory created with mode 0700"
expect_grep 'created a new master key' "$T/sms.log" "first start says it created the key"

# ---- assets on the ledger ----
if decc help 2>/dev/null | grep -qE '^ +dataset '; then
	echo pw >"$T/pw"
	expect_ok decc --json wallet import --private-key-file "$T/alice.pk" \
		--keystore-dir "$T/ks" --password-file "$T/pw"
	ALICE_KS=$(jq -r .keystore "$T/out")
	W=(--rpc "$RPC" --wallet "$ALICE_KS" --password-file "$T/pw")
	deploy() { # dataset|app NAME OWNER
		local ma=/ipfs/bafkreidatasetdata
		[ "$1" = app ] && ma=docker.io/decc/hello:1.0.0
		expect_ok decc --json "$1" deploy --name "$2" --multiaddr "$ma" --checksum "$CHECKSUM" \
			--owner "$3" "${W[@]}"
		jq -r .address "$T/out"
	}
	echo "# assets created with decc dataset/app deploy"
else
	expect_ok decc --json evm hub --rpc "$RPC" --hub "$HUB"
	DREG=$(jq -r .datasetRegistry "$T/out")
	AREG=$(jq -r .appRegistry "$T/out")
	deploy() { # dataset|app NAME OWNER
		local hex
		if [ "$1" = app ]; then
			hex=0x$(printf 'docker.io/decc/hello:1.0.0' | xxd -p | tr -d '\n')
			expect_ok decc --json evm send --rpc "$RPC" --private-key-file "$T/alice.pk" \
				--to "$AREG" --sig 'createApp(address,string,string,bytes,bytes32,bytes)' \
				--args "[\"$3\",\"$2\",\"DOCKER\",\"$hex\",\"$CHECKSUM\",\"0x\"]"
		else
			hex=0x$(printf '/ipfs/bafkreidatasetdata' | xxd -p | tr -d '\n')
			expect_ok decc --json evm send --rpc "$RPC" --private-key-file "$T/alice.pk" \
				--to "$DREG" --sig 'createDataset(address,string,bytes,bytes32)' \
				--args "[\"$3\",\"$2\",\"$hex\",\"$CHECKSUM\"]"
		fi
		echo 0x"$(jq -r '.logs[0].topics[3]' "$T/out" | cut -c27-)"
	}
	echo "# assets created with decc evm send (no decc dataset command in this build)"
fi
DS1=$(deploy dataset alice-1 "$ALICE")
DS2=$(deploy dataset bob-1 "$BOB")
DS3=$(deploy dataset alice-2 "$ALICE")
APP=$(deploy app alice-app "$ALICE")
for a in "$DS1" "$DS2" "$DS3" "$APP"; do
	[[ $a =~ ^0x[0-9a-fA-F]{40}$ ]] || fail "asset creation gave '$a'"
done
ok "datasets $DS1 $DS2 $DS3 and app $APP registered"

AS=(--sms "$SMS" --private-key-file "$T/alice.pk")
BS=(--sms "$SMS" --private-key-file "$T/bob.pk")
CS=(--sms "$SMS" --private-key-file "$T/carol.pk")
secrets() { curl -s "$SMS/metrics" | awk '$1 == "decc_sms_secrets" { print $2 }'; }
present() { # KIND ARGS... -> prints present|absent
	expect_ok decc --json secret check "$@" --sms "$SMS"
	if [ "$(jq -r .exists "$T/out")" = true ]; then echo present; else echo absent; fi
}
# ethers-signed raw push, the way the iexec SDK builds it: KIND TARGET NAME VALUEFILE PKFILE
sign() {
	node -e '
const { keccak256, toUtf8Bytes, concat, getBytes, Wallet } = require("ethers");
const fs = require("fs");
const [kind, target, name, file, pkfile] = process.argv.slice(1);
const value = fs.readFileSync(file, "utf8");
const parts = [keccak256(toUtf8Bytes("IEXEC_SMS_DOMAIN")), target];
if (kind !== "web3") parts.push(keccak256(toUtf8Bytes(name)));
parts.push(keccak256(toUtf8Bytes(value)));
new Wallet(fs.readFileSync(pkfile, "utf8").trim())
  .signMessage(getBytes(keccak256(concat(parts)))).then((s) => console.log(s));
' "$@"
}
post() { # METHOD URLPATH AUTH VALUEFILE -> prints the HTTP status; body in $T/body
	curl -s -o "$T/body" -w '%{http_code}' -X "$1" -H "Authorization: $3" \
		-H 'Content-Type: text/plain' --data-binary @"$4" "$SMS$2"
}

# ---- dataset keys ----
head -c 32 /dev/urandom | base64 >"$T/ds1.key"
head -c 32 /dev/urandom | base64 >"$T/other.key"
expect_eq absent "$(present dataset "$DS1")" "no key for a new dataset"
expect_ok decc --json secret push-dataset "$DS1" --key-file "$T/ds1.key" "${AS[@]}"
expect_eq true "$(jq -r .pushed "$T/out")" "the owner pushes the dataset key"
expect_eq present "$(present dataset "$DS1")" "the dataset key exists"
expect_eq 1 "$(secrets)" "one secret stored"

expect_fail 1 decc secret push-dataset "$DS1" --key-file "$T/other.key" "${AS[@]}"
expect_grep 'HTTP 409.*write-once' "$T/err" "second push of a dataset key refused (write-once)"
expect_eq 1 "$(secrets)" "still one secret after the refused second push"

expect_fail 1 decc secret push-dataset "$DS3" --key-file "$T/other.key" "${BS[@]}"
expect_grep "HTTP 401.*$BOB is not the owner of dataset" "$T/err" "push by a non-owner refused"
expect_eq absent "$(present dataset "$DS3")" "nothing stored by the non-owner"

# the owner's signature for DS1, replayed for another dataset of hers and for Bob's
SIG=$(sign web3 "$DS1" "" "$T/ds1.key" "$T/alice.pk")
expect_eq 409 "$(post POST "/secrets/web3?secretAddress=$DS1" "$SIG" "$T/ds1.key")" \
	"the ethers signature (iexec SDK way) is valid for DS1 (409: already there)"
expect_eq 401 "$(post POST "/secrets/web3?secretAddress=$DS3" "$SIG" "$T/ds1.key")" \
	"the owner's signature replayed for her other dataset refused"
expect_eq 401 "$(post POST "/secrets/web3?secretAddress=$DS2" "$SIG" "$T/ds1.key")" \
	"the owner's signature replayed for Bob's dataset refused"
expect_grep '"error":\[' "$T/body" "refusals carry a reason"
expect_eq absent "$(present dataset "$DS3")" "DS3 unchanged after the replays"
expect_eq absent "$(present dataset "$DS2")" "DS2 unchanged after the replays"

# oversize: the client refuses, and so does the server when sent raw
head -c 4097 /dev/zero | tr '\0' k >"$T/big"
expect_fail 1 decc secret push-requester big --value-file "$T/big" "${CS[@]}"
expect_grep '4096' "$T/err" "the client refuses a secret over 4096 bytes"
SIG=$(sign web3 "$DS3" "" "$T/big" "$T/alice.pk")
expect_eq 413 "$(post POST "/secrets/web3?secretAddress=$DS3" "$SIG" "$T/big")" \
	"a validly signed 4097-byte dataset key gets 413"
expect_eq 413 "$(curl -s -o /dev/null -w '%{http_code}' -H 'Transfer-Encoding: chunked' \
	-H "Authorization: $SIG" --data-binary @"$T/big" "$SMS/secrets/web3?secretAddress=$DS3")" \
	"the same, chunked (no Content-Length), gets 413"
expect_eq absent "$(present dataset "$DS3")" "DS3 unchanged after the oversize pushes"

# an address that is not a registered dataset (the app, a random one)
expect_fail 1 decc secret push-dataset "$APP" --key-file "$T/other.key" "${AS[@]}"
expect_grep 'not a registered dataset' "$T/err" "an app address is not a dataset"
expect_fail 1 decc secret push-dataset 0x00000000000000000000000000000000000000a1 \
	--key-file "$T/other.key" "${AS[@]}"
expect_grep 'HTTP 401' "$T/err" "an unregistered address is refused"

# a key pushed by ethers exactly as the SDK does is stored
SIG=$(sign web3 "$DS3" "" "$T/other.key" "$T/alice.pk")
expect_eq 204 "$(post POST "/secrets/web3?secretAddress=$DS3" "$SIG" "$T/other.key")" \
	"an SDK-style push by the owner is stored (204)"
expect_eq present "$(present dataset "$DS3")" "DS3 has its key"
expect_eq 2 "$(secrets)" "two secrets stored"

# ---- requester secrets, by name ----
printf 'carol-api-token' >"$T/tok"
printf 'carol db password' >"$T/pwd"
expect_ok decc secret push-requester api-token --value-file "$T/tok" "${CS[@]}"
expect_ok decc secret push-requester db-password --value-file - "${CS[@]}" <"$T/pwd"
expect_eq present "$(present requester api-token "$CAROL")" "requester secret api-token"
expect_eq present "$(present requester db-password "$CAROL")" "requester secret db-password"
expect_eq absent "$(present requester other "$CAROL")" "an unknown name is absent"
expect_eq absent "$(present requester api-token "$BOB")" "names are per requester"
expect_fail 1 decc secret push-requester api-token --value-file "$T/pwd" "${CS[@]}"
expect_grep 'HTTP 409' "$T/err" "a requester secret is write-once"
SIG=$(sign requester "$CAROL" mine "$T/tok" "$T/bob.pk")
expect_eq 401 "$(post POST "/requesters/$CAROL/secrets/mine" "$SIG" "$T/tok")" \
	"Bob cannot push a secret for Carol"
expect_eq absent "$(present requester mine "$CAROL")" "nothing stored for Carol by Bob"
expect_fail 2 decc secret push-requester 'bad.name' --value-file "$T/tok" "${CS[@]}"
expect_eq 400 "$(post POST "/requesters/$CAROL/secrets/bad.name" "$SIG" "$T/tok")" \
	"a bad requester key name gets 400"

# ---- the app-developer secret ----
printf 'app developer secret' >"$T/appsecret"
expect_fail 1 decc secret push-app "$APP" --value-file "$T/appsecret" "${BS[@]}"
expect_grep 'HTTP 401.*not the owner of app' "$T/err" "the app secret by a non-owner refused"
expect_eq absent "$(present app "$APP")" "no app secret after the refusal"
expect_ok decc secret push-app "$APP" --value-file "$T/appsecret" "${AS[@]}"
expect_eq present "$(present app "$APP")" "the app owner pushes the app secret"
expect_fail 1 decc secret push-app "$APP" --value-file "$T/tok" "${AS[@]}"
expect_grep 'HTTP 409' "$T/err" "the app secret is write-once"

# ---- the result-encryption key (web2, updatable) ----
node -e '
const { generateKeyPairSync } = require("crypto");
for (const f of process.argv.slice(1)) {
  const { publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  require("fs").writeFileSync(f, publicKey.export({ type: "spki", format: "pem" }));
}' "$T/rsa1.pem" "$T/rsa2.pem"
expect_eq absent "$(present result-key "$CAROL")" "no result key yet"
expect_ok decc --json secret push-result-key --key-file "$T/rsa1.pem" "${CS[@]}"
expect_eq iexec-result-encryption-public-key "$(jq -r .name "$T/out")" "stored under the iExec name"
expect_eq present "$(present result-key "$CAROL")" "the result key exists"
expect_eq present "$(present web2 iexec-result-encryption-public-key "$CAROL")" \
	"it is the web2 secret iexec-result-encryption-public-key"
expect_fail 1 decc secret push-result-key --key-file "$T/rsa2.pem" "${CS[@]}"
expect_grep 'HTTP 409' "$T/err" "a second push without --update is refused"
expect_ok decc --json secret push-result-key --key-file "$T/rsa2.pem" --update "${CS[@]}"
expect_eq true "$(jq -r .updated "$T/out")" "--update replaces the result key"
# the first push's signature, replayed as an update, would revert the key
base64 -w0 "$T/rsa1.pem" >"$T/rsa1.b64"
SIG=$(sign web2 "$CAROL" iexec-result-encryption-public-key "$T/rsa1.b64" "$T/carol.pk")
expect_eq 409 "$(post PUT "/secrets/web2?ownerAddress=$CAROL&secretName=iexec-result-encryption-public-key" "$SIG" "$T/rsa1.b64")" \
	"replaying the first result-key push as an update is refused"
expect_grep 'already used' "$T/body" "the refusal says the signature was used"

expect_eq 6 "$(secrets)" "six secrets stored in all"
curl -s "$SMS/metrics" >"$T/metrics"
expect_grep '^decc_sms_refusals_total\{status="401"\} [1-9]' "$T/metrics" "401 refusals counted"
expect_grep '^decc_sms_pushes_total\{kind="requester"\} 2$' "$T/metrics" "requester pushes counted"

# ---- at rest, restart, master key ----
for f in "$T"/sms/sms.db*; do
	for v in "$(cat "$T/ds1.key")" carol-api-token 'app developer secret'; do
		if grep -qF -- "$v" "$f"; then fail "plaintext '$v' found in $f"; fi
	done
done
ok "no plaintext secret in the database files"
kill "$SMS_PID"
rc=0
wait "$SMS_PID" || rc=$?
expect_eq 0 "$rc" "SIGTERM stops the SMS with status 0"
expect_grep 'SIGTERM: stopping' "$T/sms.log" "the stop is logged"
start_sms
expect_eq present "$(present dataset "$DS1")" "secrets survive a restart"
expect_eq 6 "$(secrets)" "the count survives a restart"
kill "$SMS_PID"
wait "$SMS_PID" || true
chmod 644 "$T/sms/master.key"
expect_fail 1 decc sms --data "$T/sms" --rpc "$RPC" --listen "127.0.0.1:$SMS_PORT"
expect_grep 'chmod 600' "$T/err" "a master key readable by others is refused"
chmod 600 "$T/sms/master.key"
head -c 32 /dev/urandom | xxd -p -c 64 >"$T/sms/master.key"
expect_fail 1 decc sms --data "$T/sms" --rpc "$RPC" --listen "127.0.0.1:$SMS_PORT"
expect_grep 'another master key' "$T/err" "a database under another master key is refused"

done_testing
