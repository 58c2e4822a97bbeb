#!/usr/bin/env bash
# decc protect data|list|transfer on a chain without a DataProtector contract: anvil + the real
# PoCo 6.1.0 (native mode), with decc store and decc sms on that chain. protect data registers
# the dataset in the PoCo registry and says on stderr that the schema is not recorded; protect
# list lists the registry's datasets without schema and refuses --schema; the key is in the
# SMS; transfer moves the NFT on the real registry.
# Fails (never skips) when anvil or the artifacts are missing (scripts/setup.sh installs them).
. "$(dirname "$0")/lib.sh"

start_anvil

sed -n 1p "$KEYS" >"$T/pk0"
sed -n 2p "$KEYS" >"$T/pk1"
expect_ok decc --json evm deploy-poco --native --rpc "$RPC" --private-key-file "$T/pk0" \
	--artifacts "$ART"
HUB=$(jq -r .hub "$T/out")
echo pw >"$T/pw"
for i in 0 1; do
	expect_ok decc --json wallet import --private-key-file "$T/pk$i" --keystore-dir "$T/ks$i" \
		--password-file "$T/pw" --kdf-light
	jq -r .keystore "$T/out" >"$T/w$i.path"
done
OWNER=(--wallet "$(cat "$T/w0.path")" --password-file "$T/pw")
OTHER=(--wallet "$(cat "$T/w1.path")" --password-file "$T/pw")
U0=0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266
U1=0x70997970C51812dc3A010C7d01b50e0d17dc79C8
C=(--rpc "$RPC" --hub "$HUB")

start_daemon STORE "decc store" "$T/store.log" "$DECC_BIN" store --data "$T/store" \
	--listen "127.0.0.1:@PORT@"
start_daemon SMS "decc sms" "$T/sms.log" "$DECC_BIN" sms --data "$T/sms" \
	--listen "127.0.0.1:@PORT@" --rpc "$RPC" --hub "$HUB"

expect_ok decc --json protect data --name rec --data '{"email":"alice@example.org"}' \
	--sms "$SMS" --api "$STORE" "${C[@]}" "${OWNER[@]}"
REC=$(jq -r .address "$T/out")
expect_eq poco "$(jq -r .registry "$T/out")" "registered in the PoCo registry"
expect_grep "no DataProtector contract.*without its schema" "$T/err" \
	"protect data says the schema is not recorded"
expect_ok decc --json dataset show "$REC" "${C[@]}"
expect_eq rec "$(jq -r .name "$T/out")" "the dataset on the real registry"
expect_ok decc --json secret check dataset "$REC" --sms "$SMS"
expect_eq true "$(jq -r .exists "$T/out")" "the key is in the SMS"

expect_ok decc --json protect list --owner "$U0" "${C[@]}"
expect_eq "1 $REC null" "$(jq -r '"\(.count) \(.protectedData[0].address) \(.protectedData[0].schema)"' \
	"$T/out")" "protect list: the registry's datasets, without schema"
expect_grep "no DataProtector contract" "$T/err" "protect list says why there is no schema"
expect_fail 1 decc protect list --schema email:string "${C[@]}"
expect_grep "no schema to filter on" "$T/err" "--schema refused without a DataProtector"

expect_fail 1 decc protect transfer --data "$REC" --to "$U1" "${C[@]}" "${OTHER[@]}"
expect_ok decc --json protect transfer --data "$REC" --to "$U1" "${C[@]}" "${OWNER[@]}"
expect_ok decc --json protect list --owner "$U1" "${C[@]}"
expect_eq "1 $REC" "$(jq -r '"\(.count) \(.protectedData[0].address)"' "$T/out")" \
	"the new owner's data after the transfer"
expect_ok decc --json protect list --owner "$U0" "${C[@]}"
expect_eq 0 "$(jq -r .count "$T/out")" "the old owner has none"
ok "protect data, list and transfer on anvil + PoCo without a DataProtector"

done_testing
