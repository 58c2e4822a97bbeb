#!/usr/bin/env bash
# decc order hash|sign|verify for the four order types against ethers' EIP-712 known answers
# (tests/vectors/cli/README.md); malformed orders fail with one line and write nothing.
. "$(dirname "$0")/lib.sh"

V=$DECC_VECTORS/cli
ADDR=$(cat "$V/address.txt")
HUB=0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f
CHAIN=134
printf 'ethers-pw\n' >"$T/pw"
W=(--wallet "$V/ethers-keystore.json" --password-file "$T/pw")
D=(--chain-id "$CHAIN" --hub "$HUB")

for t in app dataset workerpool request; do
	o=$V/${t}order.json
	want_hash=$(cat "$V/${t}order.hash")
	want_sign=$(cat "$V/${t}order.sign")

	expect_ok decc order hash "$t" --order "$o" "${D[@]}"
	expect_eq "$want_hash" "$(cat "$T/out")" "$t: order hash equals ethers"
	expect_ok decc --json order hash "$t" --order "$o" "${D[@]}"
	expect_eq "{\"orderHash\":\"$want_hash\"}" "$(cat "$T/out")" "$t: order hash --json"

	# sign: the input order, plus sign and orderHash (pretty without --json)
	expect_ok decc order sign "$t" --order "$o" "${D[@]}" "${W[@]}"
	cp "$T/out" "$T/$t-signed.json"
	[ "$(wc -l <"$T/out")" -gt 5 ] || fail "$t: order sign without --json is not indented"
	jq -e --slurpfile in "$o" --arg s "$want_sign" --arg h "$want_hash" \
		'. == ($in[0] + {sign: $s, orderHash: $h})' "$T/out" >/dev/null ||
		fail "$t: signed order differs from the input + ethers' sign and hash"
	ok "$t: order sign equals ethers (sign, orderHash, fields kept)"
	expect_ok decc --json order sign "$t" --order "$o" "${D[@]}" "${W[@]}"
	[ "$(wc -l <"$T/out")" -eq 1 ] || fail "$t: order sign --json is not one line"
	jq -e --arg s "$want_sign" '.sign == $s' "$T/out" >/dev/null || fail "$t: --json sign"
	ok "$t: order sign --json is one compact line"

	# verify: the signed output is accepted as input
	expect_ok decc order verify "$t" --order "$T/$t-signed.json" "${D[@]}" --signer "$ADDR"
	expect_eq valid "$(cat "$T/out")" "$t: verify the signed order"
	expect_ok decc order hash "$t" --order "$T/$t-signed.json" "${D[@]}"
	expect_eq "$want_hash" "$(cat "$T/out")" "$t: hash of the signed order is unchanged"
	# another chain: orderHash no longer matches, the signature neither
	expect_fail 1 decc order verify "$t" --order "$T/$t-signed.json" --chain-id 1 --hub "$HUB" \
		--signer "$ADDR"
	[ ! -s "$T/out" ] || fail "$t: failed verify printed on stdout"
	ok "$t: verify on another chain fails"
	jq 'del(.orderHash)' "$T/$t-signed.json" >"$T/nohash.json"
	expect_fail 1 decc order verify "$t" --order "$T/nohash.json" --chain-id 1 --hub "$HUB" \
		--signer "$ADDR"
	expect_grep "invalid" "$T/err" "$t: signature for another chain is invalid"
	# wrong signer
	expect_fail 1 decc order verify "$t" --order "$T/$t-signed.json" "${D[@]}" \
		--signer 0x0000000000000000000000000000000000000001
	expect_grep "not signed by 0x0000000000000000000000000000000000000001" "$T/err" \
		"$t: another signer is refused"
	# a field changed after signing
	jq 'del(.orderHash) | .volume = "7"' "$T/$t-signed.json" >"$T/tampered.json"
	expect_fail 1 decc order verify "$t" --order "$T/tampered.json" "${D[@]}" --signer "$ADDR"
	ok "$t: a tampered order does not verify"
done

expect_ok decc --json order verify request --order "$T/request-signed.json" "${D[@]}"
jq -e --arg a "$ADDR" --arg h "$(cat "$V/requestorder.hash")" \
	'.valid == true and .signer == $a and .orderHash == $h' "$T/out" >/dev/null ||
	fail "verify --json"
ok "request: verify defaults to the requester; --json"
expect_fail 2 decc order verify app --order "$T/app-signed.json" "${D[@]}"
expect_grep "signer" "$T/err" "app: verify without --signer is a usage error"
expect_fail 1 decc order verify app --order "$V/apporder.json" "${D[@]}" --signer "$ADDR"
expect_grep "no sign" "$T/err" "verify of an unsigned order says so"

# global --hub before the command; order from stdin
expect_ok decc --hub "$HUB" order hash app --order - --chain-id "$CHAIN" <"$V/apporder.json"
expect_eq "$(cat "$V/apporder.hash")" "$(cat "$T/out")" "--hub as a global option, --order -"

# --output: the file gets the order, stdout the hash
expect_ok decc order sign app --order "$V/apporder.json" "${D[@]}" "${W[@]}" --output "$T/o.json"
expect_eq "$(cat "$V/apporder.hash")" "$(cat "$T/out")" "--output: stdout has the hash"
jq -e --arg s "$(cat "$V/apporder.sign")" '.sign == $s' "$T/o.json" >/dev/null ||
	fail "--output file"
ok "--output: the file has the signed order"

# ---- missing salt: drawn at random, included, different each time ----
jq 'del(.salt)' "$V/apporder.json" >"$T/nosalt.json"
expect_ok decc --json order sign app --order "$T/nosalt.json" "${D[@]}" "${W[@]}"
cp "$T/out" "$T/r1.json"
expect_ok decc --json order sign app --order "$T/nosalt.json" "${D[@]}" "${W[@]}"
cp "$T/out" "$T/r2.json"
s1=$(jq -r .salt "$T/r1.json")
s2=$(jq -r .salt "$T/r2.json")
[[ $s1 =~ ^0x[0-9a-f]{64}$ ]] || fail "drawn salt '$s1' is not bytes32"
[ "$s1" != "$s2" ] || fail "two runs drew the same salt"
[ "$(jq -r .orderHash "$T/r1.json")" != "$(jq -r .orderHash "$T/r2.json")" ] ||
	fail "two runs gave the same hash"
ok "a missing salt is drawn at random (two runs differ)"
expect_ok decc order verify app --order "$T/r1.json" "${D[@]}" --signer "$ADDR"
ok "an order with a drawn salt verifies"
expect_fail 1 decc order hash app --order "$T/nosalt.json" "${D[@]}"
expect_grep "no salt" "$T/err" "hash of an order without salt is refused"

# ---- bad input: exit 1, one clear line, nothing on stdout, no output file ----
bad_order() { # NAME TYPE FILE PATTERN
	expect_fail 1 decc order sign "$2" --order "$3" "${D[@]}" "${W[@]}" --output "$T/bad-out.json"
	[ ! -s "$T/out" ] || fail "$1: something printed on stdout"
	[ ! -e "$T/bad-out.json" ] || fail "$1: an output file was written"
	expect_grep "$4" "$T/err" "$1: exit 1, one line, nothing written"
	expect_fail 1 decc order hash "$2" --order "$3" "${D[@]}"
}
head -c 120 "$V/apporder.json" >"$T/truncated.json"
bad_order "malformed JSON" app "$T/truncated.json" "malformed JSON"
printf '[1,2]' >"$T/array.json"
bad_order "not an object" app "$T/array.json" "object"
jq '.foo = "1"' "$V/apporder.json" >"$T/unknown.json"
bad_order "unknown field" app "$T/unknown.json" "foo"
jq '.app = "0x4aa5B2e4f8E1c4A1b7c2D9fc3E1E8f6d4A2b7C91"' "$V/apporder.json" >"$T/cksum.json"
bad_order "bad address checksum" app "$T/cksum.json" "checksum"
jq 'del(.volume)' "$V/apporder.json" >"$T/missing.json"
bad_order "missing field" app "$T/missing.json" "volume"
jq '.appprice = "-1"' "$V/apporder.json" >"$T/neg.json"
bad_order "negative price" app "$T/neg.json" "appprice"
jq '.tag = "0x03"' "$V/apporder.json" >"$T/shorttag.json"
bad_order "short bytes32 tag" app "$T/shorttag.json" "tag"
bad_order "app order given as dataset" dataset "$V/apporder.json" "app|dataset"
printf '{"app":"0x4aA5B2e4f8E1c4A1b7c2D9fc3E1E8f6d4A2b7C91","app":"0x0000000000000000000000000000000000000000"}' >"$T/dup.json"
bad_order "duplicate key" app "$T/dup.json" "app"
expect_fail 1 decc order hash app --order "$T/absent.json" "${D[@]}"
expect_grep "absent.json" "$T/err" "a missing order file is named"

# a request order must be signed by its requester
jq '.requester = "0x0000000000000000000000000000000000000001"' "$V/requestorder.json" >"$T/other.json"
expect_fail 1 decc order sign request --order "$T/other.json" "${D[@]}" "${W[@]}"
expect_grep "not the order's requester" "$T/err" "request: a wallet that is not the requester is refused"
# wrong password: nothing printed
printf 'nope\n' >"$T/badpw"
expect_fail 1 decc order sign app --order "$V/apporder.json" "${D[@]}" --wallet "$V/ethers-keystore.json" \
	--password-file "$T/badpw" --output "$T/bad-out.json"
[ ! -e "$T/bad-out.json" ] || fail "wrong password: an output file was written"
expect_grep "wrong password" "$T/err" "order sign with a wrong password: exit 1, nothing written"

# ---- usage errors: exit 2 ----
expect_fail 2 decc order hash app --order "$V/apporder.json" --hub "$HUB"
expect_grep "chain-id" "$T/err" "missing --chain-id"
expect_fail 2 decc order hash app --order "$V/apporder.json" --chain-id 134
expect_grep "hub" "$T/err" "missing --hub"
expect_fail 2 decc order hash app "${D[@]}"
expect_grep "order FILE" "$T/err" "missing --order"
for c in 0x86 -1 abc 18446744073709551616 ""; do
	expect_fail 2 decc order hash app --order "$V/apporder.json" --chain-id "$c" --hub "$HUB"
done
ok "bad chain ids are usage errors"
expect_fail 2 decc order hash app --order "$V/apporder.json" --chain-id 134 \
	--hub 0x3eca1b216A7DF1C7689aEb259fFB83ADFB894E7f
expect_grep "checksum" "$T/err" "a hub with a bad checksum"
expect_fail 2 decc order hash apps --order "$V/apporder.json" "${D[@]}"
expect_grep "unknown order type 'apps'" "$T/err" "unknown order type"
expect_fail 2 decc order hash --order "$V/apporder.json" "${D[@]}"
expect_grep "TYPE" "$T/err" "missing order type"
expect_fail 2 decc order frob app
expect_grep "unknown subcommand 'frob'" "$T/err" "unknown order subcommand"

done_testing
