#!/usr/bin/env bash
# Issue 4's done-when: the DataProtector commands on real processes (decc node, store, SMS on
# random loopback ports). An owner protects a record and a 100 MiB file (decc protect data:
# zip, encryption, upload, createDatasetWithSchema, key pushed to the SMS), lists them (and
# filters by schema), grants an app to a user, sees the grant, the user matches a deal with
# it, the owner revokes it and the order can no longer be matched ('decc app run' finds no
# dataset order, 'decc order match' with the revoked order reverts). Refusals: a grant by a
# non-owner, the same grant twice, a revoke of an unknown order or by a non-owner, a transfer
# by a non-owner, the key pushed again after a transfer (the SMS keeps dataset keys write-once),
# bad --schema filters; an SMS that does not answer stops protect data before anything is
# done, one that refuses the key leaves the dataset registered and says how to push the key.
. "$(dirname "$0")/lib.sh"

ZERO=0x0000000000000000000000000000000000000000
TEE=0x0000000000000000000000000000000000000000000000000000000000000001
HUB=0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f

dev_wallets admin owner other requester appdev pool
dev_genesis "$T/genesis.json"
start_daemon RPC "decc node" "$T/node.log" "$DECC_BIN" node --genesis "$T/genesis.json" \
	--data "$T/node" --listen "127.0.0.1:@PORT@"
start_daemon STORE "decc store" "$T/store.log" "$DECC_BIN" store --data "$T/store" \
	--listen "127.0.0.1:@PORT@"
start_daemon SMS "decc sms" "$T/sms.log" "$DECC_BIN" sms --data "$T/sms" \
	--listen "127.0.0.1:@PORT@" --rpc "$RPC" --hub "$HUB"
G=(--rpc "$RPC")
P=(--sms "$SMS" --api "$STORE" "${G[@]}")
CHAIN=(--chain-id 65535 --hub "$HUB")

# ---- protect data: a record ----
expect_ok decc --json protect data --name alice-email \
	--data '{"email":"alice@example.org","profile":{"age":42,"vip":true}}' "${P[@]}" $(wallet owner)
REC=$(jq -r .address "$T/out")
expect_eq "$(jq -c .schema "$T/out")" '{"email":"string","profile":{"age":"f64","vip":"bool"}}' \
	"the record's schema"
expect_eq "$(jq -r .registry "$T/out")" dataprotector "registered through the DataProtector"
expect_eq "$(jq -r .multiaddr "$T/out")" "/ipfs/$(jq -r .cid "$T/out")" "multiaddr"
RSUM=$(jq -r .checksum "$T/out")
RCID=$(jq -r .cid "$T/out")
expect_ok decc --json dataset show "$REC" "${G[@]}"
expect_eq "$(jq -r .name "$T/out")" alice-email "dataset name on chain"
expect_eq "$(jq -r .checksum "$T/out")" "$RSUM" "dataset checksum on chain"
expect_eq "$(jq -r .owner "$T/out" | tr A-F a-f)" "$(tr A-F a-f <<<"${ADDR[owner]}")" "owner"
expect_ok decc store cat "$RCID" --api "$STORE" --output "$T/rec.enc"
expect_eq "$(decc protect checksum "$T/rec.enc")" "$RSUM" "the stored file is the registered one"
expect_ok decc --json secret check dataset "$REC" --sms "$SMS"
expect_eq "$(jq -r .exists "$T/out")" true "the record's key is in the SMS"
ok "protect data: a record serialized, encrypted, stored, registered with its schema, key pushed"

# KEY=VALUE arguments (dots nest, @PATH is a file's bytes)
printf '%%PDF-1.4 test\n' >"$T/doc.pdf"
expect_ok decc --json protect data --name kv contact.email=bob@example.org "doc=@$T/doc.pdf" \
	"${P[@]}" $(wallet other)
expect_eq "$(jq -c .schema "$T/out")" '{"contact":{"email":"string"},"doc":"application/pdf"}' \
	"KEY=VALUE schema"
KV=$(jq -r .address "$T/out")

# ---- protect data: a 100 MiB file, its key kept in a file ----
head -c $((100 << 20)) /dev/urandom >"$T/big.bin"
expect_ok decc --json protect data --name big-file --file "$T/big.bin" --key-file "$T/big.key" \
	"${P[@]}" $(wallet owner)
BIG=$(jq -r .address "$T/out")
BIG_TX=$(jq -r .txHash "$T/out")
expect_eq "$(jq -c .schema "$T/out")" '{"file":"application/octet-stream"}' "the file's schema"
BCID=$(jq -r .cid "$T/out")
BSUM=$(jq -r .checksum "$T/out")
[ "$(stat -c %a "$T/big.key")" = 600 ] || fail "the key file is not 0600"
expect_ok decc store cat "$BCID" --api "$STORE" --output "$T/big.enc"
expect_eq "$(decc protect checksum "$T/big.enc")" "$BSUM" "the 100 MiB file's checksum"
expect_ok decc dataset decrypt "$T/big.enc" --key-file "$T/big.key" --output "$T/big.zip"
expect_ok decc protect read "$T/big.zip" --get file --output "$T/big.back"
cmp -s "$T/big.bin" "$T/big.back" || fail "the 100 MiB file does not decrypt to itself"
rm -f "$T/big.enc" "$T/big.zip" "$T/big.back"
ok "protect data: a 100 MiB file, stored, registered, decrypts back with the key file"

# ---- protect list ----
expect_ok decc --json protect list --owner "${ADDR[owner]}" "${G[@]}"
expect_eq "$(jq -r .count "$T/out")" 2 "the owner's protected data"
expect_eq "$(jq -r '[.protectedData[].name] | sort | join(",")' "$T/out")" "alice-email,big-file" \
	"names"
expect_ok decc --json protect list "${G[@]}"
expect_eq "$(jq -r .count "$T/out")" 3 "every protected data"
expect_ok decc --json protect list --schema email:string "${G[@]}"
expect_eq "$(jq -r '[.protectedData[].address] | join(",")' "$T/out")" "$REC" "--schema email:string"
expect_ok decc --json protect list --schema profile.age:f64 --schema profile.vip:bool "${G[@]}"
expect_eq "$(jq -r .count "$T/out")" 1 "two --schema filters (and)"
expect_ok decc --json protect list --schema 'file:application/octet-stream|file:image/png' "${G[@]}"
expect_eq "$(jq -r '.protectedData[0].address' "$T/out")" "$BIG" "--schema with alternatives"
expect_ok decc --json protect list --schema email:string --owner "${ADDR[other]}" "${G[@]}"
expect_eq "$(jq -r .count "$T/out")" 0 "schema and owner"
expect_ok decc protect list --owner "${ADDR[owner]}" "${G[@]}"
expect_grep "alice-email" "$T/out" "protect list: human output"
# --from-block: the DatasetSchema logs from that block on (the big file was the last one)
big_block=$(curl -sf -H 'Content-Type: application/json' -d \
	"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_getTransactionReceipt\",\"params\":[\"$BIG_TX\"]}" \
	"$RPC" | jq -r .result.blockNumber)
expect_ok decc --json protect list --from-block $((big_block)) "${G[@]}"
expect_eq "$(jq -r '[.protectedData[].address] | join(",")' "$T/out")" "$BIG" "--from-block"
expect_ok decc --json protect list --from-block $((big_block + 1)) "${G[@]}"
expect_eq "$(jq -r .count "$T/out")" 0 "--from-block past the last dataset"
expect_fail 2 decc protect list --from-block 0x10 "${G[@]}"
for bad in email 'email:' ':string' 'a..b:string' 'e mail:string' 'email:string|'; do
	expect_fail 2 decc protect list --schema "$bad" "${G[@]}"
done
expect_fail 2 decc protect list --schema 'email:strng' "${G[@]}"
expect_grep "unknown type 'strng'" "$T/err" "bad --schema: the reason"
ok "protect list: by owner, by schema (and, or), bad filters refused"

# ---- the app and the workerpool, their orders on the market ----
expect_ok decc app deploy --name grant-app --multiaddr /ipfs/bafyapp \
	--checksum 0x$(printf '%064d' 1) "${G[@]}" $(wallet appdev)
APP=$(cat "$T/out")
expect_ok decc app deploy --name other-app --multiaddr /ipfs/bafyother \
	--checksum 0x$(printf '%064d' 2) "${G[@]}" $(wallet appdev)
APP2=$(cat "$T/out")
expect_ok decc workerpool deploy --description "grant pool" "${G[@]}" $(wallet pool)
POOL=$(cat "$T/out")
publish_order app appdev "{\"app\":\"$APP\",\"appprice\":\"0\",\"volume\":\"10\",\"tag\":\"$TEE\",
 \"datasetrestrict\":\"$ZERO\",\"workerpoolrestrict\":\"$ZERO\",\"requesterrestrict\":\"$ZERO\"}"
publish_order workerpool pool "{\"workerpool\":\"$POOL\",\"workerpoolprice\":\"0\",\"volume\":\"10\",
 \"tag\":\"$TEE\",\"category\":\"0\",\"trust\":\"0\",\"apprestrict\":\"$ZERO\",
 \"datasetrestrict\":\"$ZERO\",\"requesterrestrict\":\"$ZERO\"}"

# ---- protect grant / access ----
expect_ok decc --json protect grant --data "$REC" --app "$APP" --user "${ADDR[requester]}" --uses 2 \
	"${G[@]}" $(wallet owner)
H=$(jq -r .orderHash "$T/out")
expect_eq "$(jq -r .tag "$T/out")" "$TEE" "grant: tag TEE"
expect_eq "$(jq -r .volume "$T/out")" 2 "grant: volume = --uses"
expect_eq "$(jq -r .workerpoolrestrict "$T/out")" "$ZERO" "grant: any workerpool"
expect_fail 1 decc protect grant --data "$REC" --app "$APP" --user "${ADDR[requester]}" \
	"${G[@]}" $(wallet owner)
expect_grep "already exists.*$H" "$T/err" "a second identical grant refused, naming the order"
expect_fail 1 decc protect grant --data "$REC" --app "$APP2" "${G[@]}" $(wallet other)
expect_grep "only the owner grants access" "$T/err" "a grant by a non-owner refused"
expect_fail 1 decc protect grant --data "$REC" --app "$REC" "${G[@]}" $(wallet owner)
expect_grep "not a registered app" "$T/err" "a grant to something that is not an app refused"
expect_fail 2 decc protect grant --data "$REC" --app "$APP" --uses 0 "${G[@]}" $(wallet owner)
expect_ok decc --json protect access --data "$REC" "${G[@]}"
expect_eq "$(jq -r .count "$T/out")" 1 "one access"
expect_eq "$(jq -r '.grantedAccess[0].orderHash' "$T/out")" "$H" "the access is the grant"
expect_eq "$(jq -r '.grantedAccess[0].remainingAccess' "$T/out")" 2 "remaining access"
jq 'del(.orderHash, .remainingAccess)' <<<"$(jq '.grantedAccess[0]' "$T/out")" >"$T/granted.json"
expect_ok decc --json protect access --app "$APP2" "${G[@]}"
expect_eq "$(jq -r .count "$T/out")" 0 "no access for another app"
expect_ok decc protect access --data "$REC" --app "$APP" --user "${ADDR[requester]}" "${G[@]}"
expect_grep "$H.*remaining 2/2" "$T/out" "protect access: human output"
ok "protect grant and access: a TEE dataset order on the market; a second grant and a stranger's refused"

# the user matches a deal with it: one access used
expect_ok decc account deposit 100 "${G[@]}" $(wallet requester)
expect_ok decc --json app run "$APP" --dataset "$REC" --tag tee "${G[@]}" $(wallet requester)
expect_eq "$(jq -r .datasetorder "$T/out")" "$H" "the deal used the grant"
expect_ok decc --json protect access --data "$REC" "${G[@]}"
expect_eq "$(jq -r '.grantedAccess[0].remainingAccess' "$T/out")" 1 "remaining after one use"

# ---- protect revoke ----
expect_fail 1 decc protect revoke --order "0x$(printf '%064d' 7)" "${G[@]}" $(wallet owner)
expect_grep "no order" "$T/err" "revoke of an unknown order refused"
expect_fail 1 decc protect revoke --order "$H" "${G[@]}" $(wallet other)
expect_grep "only its owner revokes" "$T/err" "revoke by a non-owner refused"
expect_fail 2 decc protect revoke --all "${G[@]}" $(wallet owner)
expect_ok decc --json protect revoke --order "$H" "${G[@]}" $(wallet owner)
expect_eq "$(jq -r .count "$T/out")" 1 "one order closed"
expect_ok decc --json protect access --data "$REC" "${G[@]}"
expect_eq "$(jq -r .count "$T/out")" 0 "the revoked access is gone from the market"
expect_fail 1 decc app run "$APP" --dataset "$REC" --tag tee "${G[@]}" $(wallet requester)
expect_grep "no dataset order" "$T/err" "app run: no dataset order after the revoke"
# the signed order itself no longer matches on chain
jq -n --arg app "$APP" --arg me "${ADDR[requester]}" --arg pool "$POOL" --arg d "$REC" --arg tee "$TEE" \
	'{app:$app, appmaxprice:"0", dataset:$d, datasetmaxprice:"0", workerpool:$pool,
	  workerpoolmaxprice:"0", requester:$me, volume:"1", tag:$tee, category:"0", trust:"0",
	  beneficiary:$me, callback:"0x0000000000000000000000000000000000000000", params:""}' \
	>"$T/request.json"
expect_ok decc order sign request --order "$T/request.json" --output "$T/request.s" "${CHAIN[@]}" \
	$(wallet requester)
expect_fail 1 decc order match --app "$T/app.s" --dataset "$T/granted.json" \
	--workerpool "$T/workerpool.s" --request "$T/request.s" "${G[@]}" $(wallet requester)
expect_grep "iExecV5-matchOrders-0x60|no volume left" "$T/err" "order match with the revoked order reverts: no volume left"
ok "protect revoke --order: closed on chain, gone from the market, can no longer be matched"

expect_ok decc protect grant --data "$REC" --app "$APP" "${G[@]}" $(wallet owner)
expect_ok decc protect grant --data "$REC" --app "$APP" --user "${ADDR[other]}" "${G[@]}" $(wallet owner)
expect_ok decc protect grant --data "$BIG" --app "$APP" "${G[@]}" $(wallet owner)
expect_ok decc --json protect revoke --all --data "$REC" --app "$APP" "${G[@]}" $(wallet owner)
expect_eq "$(jq -r .count "$T/out")" 2 "revoke --all: both accesses of the record"
expect_ok decc --json protect access --app "$APP" "${G[@]}"
expect_eq "$(jq -r '[.grantedAccess[].dataset] | join(",")' "$T/out" | tr A-F a-f)" \
	"$(tr A-F a-f <<<"$BIG")" "the other data's access stays"
ok "protect revoke --all: every access of the data for the app"

# ---- protect transfer ----
expect_fail 1 decc protect transfer --data "$BIG" --to "${ADDR[other]}" "${G[@]}" $(wallet other)
expect_grep "only its owner transfers" "$T/err" "transfer by a non-owner refused"
expect_ok decc --json protect transfer --data "$BIG" --to "${ADDR[other]}" "${G[@]}" $(wallet owner)
expect_ok decc --json protect list --owner "${ADDR[other]}" "${G[@]}"
expect_eq "$(jq -r '[.protectedData[].name] | sort | join(",")' "$T/out")" "big-file,kv" \
	"the new owner's data"
# the key stays with the dataset: the SMS refuses a new key, from the new owner too
head -c 32 /dev/urandom >"$T/new.key"
expect_fail 1 decc dataset push-secret "$BIG" --key-file "$T/new.key" --sms "$SMS" $(wallet other)
expect_grep "exist" "$T/err" "the new owner cannot replace the key"
expect_fail 1 decc dataset push-secret "$BIG" --key-file "$T/new.key" --sms "$SMS" $(wallet owner)
# the grant of the old owner died with the transfer
expect_ok decc --json protect access --data "$BIG" "${G[@]}"
expect_eq "$(jq -r .count "$T/out")" 0 "the old owner's grant is no longer on the market"
ok "protect transfer: the NFT moved; a stranger refused; the SMS keeps the key write-once"

# --data-file - reads the object on stdin
expect_ok decc --json protect data --name from-stdin --data-file - "${P[@]}" $(wallet owner) \
	<<<'{"n":{"$i128":"-5"}}'
expect_eq "$(jq -c .schema "$T/out")" '{"n":"i128"}' "--data-file -: the object on stdin"

# ---- an SMS that does not answer: found first, nothing done ----
expect_ok decc --json dataset count --user "${ADDR[owner]}" "${G[@]}"
N=$(jq -r .count "$T/out")
expect_fail 1 decc protect data --name no-sms --data '{"a":"b"}' --key-file "$T/nosms.key" \
	--sms "http://127.0.0.1:$(free_port)" --api "$STORE" "${G[@]}" $(wallet owner)
expect_grep "does not answer \(nothing done\)" "$T/err" "SMS down: nothing done"
[ ! -e "$T/nosms.key" ] || fail "a key file was written for nothing"
expect_ok decc --json dataset count --user "${ADDR[owner]}" "${G[@]}"
expect_eq "$(jq -r .count "$T/out")" "$N" "SMS down: nothing registered"
# ---- an SMS that refuses the key (it reads another chain): the dataset stays registered,
# the error names the key file and the command that completes the protection ----
start_daemon RPC2 "decc node 2" "$T/node2.log" "$DECC_BIN" node --genesis "$T/genesis.json" \
	--data "$T/node2" --listen "127.0.0.1:@PORT@"
start_daemon SMS2 "decc sms 2" "$T/sms2.log" "$DECC_BIN" sms --data "$T/sms2" \
	--listen "127.0.0.1:@PORT@" --rpc "$RPC2" --hub "$HUB"
expect_fail 1 decc protect data --name late-key --data '{"a":"b"}' --key-file "$T/late.key" \
	--sms "$SMS2" --api "$STORE" "${G[@]}" $(wallet owner)
expect_grep "is registered.*key is not in the SMS" "$T/err" "SMS refusal: says the dataset is registered"
expect_grep "decc dataset push-secret" "$T/err" "SMS refusal: says how to push the key again"
LATE=$(grep -o 'dataset 0x[0-9a-fA-F]\{40\}' "$T/err" | head -1 | cut -d' ' -f2)
[ -s "$T/late.key" ] || fail "the key file was not kept"
expect_ok decc --json dataset show "$LATE" "${G[@]}"
expect_eq "$(jq -r .name "$T/out")" late-key "the dataset is registered"
expect_ok decc dataset push-secret "$LATE" --key-file "$T/late.key" --sms "$SMS" $(wallet owner)
expect_ok decc --json secret check dataset "$LATE" --sms "$SMS"
expect_eq "$(jq -r .exists "$T/out")" true "the key pushed again"
# without --key-file the key is kept as ./DATASET.key
(cd "$T" && expect_fail 1 decc protect data --name late-key-2 --data '{"a":"b"}' \
	--sms "$SMS2" --api "$STORE" "${G[@]}" $(wallet owner))
LATE2=$(grep -o 'dataset 0x[0-9a-fA-F]\{40\}' "$T/err" | head -1 | cut -d' ' -f2)
[ "$(stat -c %a "$T/$LATE2.key")" = 600 ] || fail "the key was not kept as DATASET.key (0600)"
expect_ok decc dataset push-secret "$LATE2" --key-file "$T/$LATE2.key" --sms "$SMS" $(wallet owner)
# a store that is down: nothing registered, no key file left
expect_ok decc --json dataset count --user "${ADDR[owner]}" "${G[@]}"
N=$(jq -r .count "$T/out")
expect_fail 1 decc protect data --name no-store --data '{"a":"b"}' --key-file "$T/none.key" \
	--sms "$SMS" --api "http://127.0.0.1:$(free_port)" "${G[@]}" $(wallet owner)
expect_grep "nothing registered" "$T/err" "store down: says nothing was registered"
[ ! -e "$T/none.key" ] || fail "a key file was left for data never registered"
expect_ok decc --json dataset count --user "${ADDR[owner]}" "${G[@]}"
expect_eq "$(jq -r .count "$T/out")" "$N" "nothing registered"
expect_fail 1 decc protect data --name no-dp --data '{"a":"b"}' --dataprotector "${ADDR[other]}" \
	"${P[@]}" $(wallet owner)
expect_grep "no contract at --dataprotector.*nothing registered" "$T/err" \
	"a --dataprotector without a contract: nothing registered"
expect_ok decc --json dataset count --user "${ADDR[owner]}" "${G[@]}"
expect_eq "$(jq -r .count "$T/out")" "$N" "still nothing registered"
expect_fail 1 decc protect list --dataprotector "${ADDR[other]}" "${G[@]}"
expect_grep "no DataProtector contract" "$T/err" "list: a --dataprotector without a contract"
expect_fail 2 decc protect data --data '{"a":"b"}' "${P[@]}" $(wallet owner)
expect_fail 2 decc protect data --name x --data '{"a":"b"}' --file "$T/doc.pdf" "${P[@]}" $(wallet owner)
ok "protect data failures: what was done and what not"

done_testing
