#!/usr/bin/env bash
# decc <-> ethers interoperability, both directions, through the real `decc` binary:
#  - a wallet made by `decc wallet create` opens in ethers with the same address;
#  - orders signed by `decc order sign` have ethers' TypedDataEncoder hash and verify with
#    ethers.verifyTypedData; an EIP-191 signature by `decc wallet sign-message` verifies with
#    ethers.verifyMessage;
#  - `decc order verify` accepts orders that ethers signed (tests/vectors/interop);
#  - tampered data is refused on both sides (the checkers can fail).
# Node and ethers are required: without them this test fails, it does not skip.
set -euo pipefail

fail() {
	echo "t0100: FAIL: $*" >&2
	exit 1
}

: "${DECC_BIN:?DECC_BIN must name the decc binary}"
: "${DECC_SRC:?DECC_SRC must name the source root}"
[ -x "$DECC_BIN" ] || fail "no decc binary at $DECC_BIN"
command -v node >/dev/null 2>&1 || fail "node is not installed (run scripts/setup.sh)"
[ -d "$DECC_SRC/tools/node/node_modules/ethers" ] ||
	fail "ethers is not installed in $DECC_SRC/tools/node/node_modules (run scripts/setup.sh)"

VERIFY="$DECC_SRC/scripts/interop/verify.mjs"
VECTORS="${DECC_VECTORS:-$DECC_SRC/tests/vectors}/interop"
export DECC_SRC
T=$(mktemp -d "${TMPDIR:-/tmp}/decc-t0100.XXXXXX")
trap 'rm -rf "$T"' EXIT

# Reads one member of a JSON document on stdin.
jget() {
	node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=JSON.parse(s)[process.argv[1]];if(v===undefined)process.exit(1);console.log(typeof v==="string"?v:JSON.stringify(v))})' "$1"
}

CHAIN=65535
HUB=0x481420664C14E1fF6B11B70e87df6Fb9F9E8f71E
ZERO=0x0000000000000000000000000000000000000000
printf 'Tr0ub4dor & 3 ✓\n' >"$T/pw"

echo "# decc wallet create -> ethers opens it"
"$DECC_BIN" wallet create --keystore-dir "$T/ks" --password-file "$T/pw" --json >"$T/wallet.json" ||
	fail "decc wallet create failed"
ADDR=$(jget address <"$T/wallet.json") || fail "no address in: $(cat "$T/wallet.json")"
KS=$(jget keystore <"$T/wallet.json" 2>/dev/null || true)
if [ -z "$KS" ]; then
	KS=$(find "$T/ks" -type f | head -n 1)
fi
[ -f "$KS" ] || fail "no keystore file written in $T/ks"
node "$VERIFY" keystore --file "$KS" --password-file "$T/pw" --address "$ADDR" ||
	fail "ethers does not open decc's keystore"

echo "# decc order sign -> ethers verifies"
cat >"$T/app.json" <<JSON
{"app":"0x3195449B29965321540CB4D1715FF9884bf62Bef","appprice":"1000000000","volume":"1000",
 "tag":"0x0000000000000000000000000000000000000000000000000000000000000003",
 "datasetrestrict":"$ZERO","workerpoolrestrict":"$ZERO","requesterrestrict":"$ZERO"}
JSON
cat >"$T/request.json" <<JSON
{"app":"0x3195449B29965321540CB4D1715FF9884bf62Bef","appmaxprice":"1000000000",
 "dataset":"$ZERO","datasetmaxprice":"0","workerpool":"$ZERO","workerpoolmaxprice":"100000000",
 "requester":"$ADDR","volume":"1",
 "tag":"0x0000000000000000000000000000000000000000000000000000000000000000",
 "category":"0","trust":"0","beneficiary":"$ADDR","callback":"$ZERO",
 "params":"{\"iexec_args\":\"Zoë 'x y'\",\"iexec_result_storage_provider\":\"ipfs\"}",
 "salt":"0x518835f5d86cba4af8eb0e6f308a16058b3f628041fd66c59e53e962f2a8f016"}
JSON
for type in app request; do
	"$DECC_BIN" order sign "$type" --order "$T/$type.json" --chain-id "$CHAIN" --hub "$HUB" \
		--wallet "$KS" --password-file "$T/pw" --json >"$T/$type-signed.json" ||
		fail "decc order sign $type failed"
	node "$VERIFY" order --type "$type" --file "$T/$type-signed.json" --chain-id "$CHAIN" \
		--hub "$HUB" --signer "$ADDR" || fail "ethers rejects decc's $type order"
	# negative: another chain id must not verify
	if node "$VERIFY" order --type "$type" --file "$T/$type-signed.json" --chain-id 1 \
		--hub "$HUB" --signer "$ADDR" >/dev/null 2>&1; then
		fail "the checker accepted a $type order for the wrong chain"
	fi
done

echo "# decc wallet sign-message -> ethers verifies (EIP-191)"
MSG="hello from decc ✓"
"$DECC_BIN" wallet sign-message "$MSG" --wallet "$KS" --password-file "$T/pw" --json \
	>"$T/msg.json" || fail "decc wallet sign-message failed"
SIG=$(jget signature <"$T/msg.json") || fail "no signature in: $(cat "$T/msg.json")"
node "$VERIFY" message --message "$MSG" --signature "$SIG" --address "$ADDR" ||
	fail "ethers rejects decc's EIP-191 signature"
if node "$VERIFY" message --message "$MSG!" --signature "$SIG" --address "$ADDR" >/dev/null 2>&1; then
	fail "the checker accepted a signature over another message"
fi

echo "# ethers-signed orders -> decc order verify"
n=0
for type in app dataset workerpool request; do
	node -e '
		const v = require(process.argv[1]);
		const o = v.orders.find((x) => x.type === process.argv[2]);
		const fs = require("fs");
		fs.writeFileSync(process.argv[3], JSON.stringify({ ...o.order, orderHash: o.orderHash }));
		const bad = { ...o.order, volume: String(BigInt(o.order.volume) + 1n) };
		fs.writeFileSync(process.argv[4], JSON.stringify(bad));
		console.log(o.signer);' \
		"$VECTORS/orders.json" "$type" "$T/ethers-$type.json" "$T/ethers-$type-bad.json" \
		>"$T/signer" || fail "cannot read $VECTORS/orders.json"
	SIGNER=$(cat "$T/signer")
	"$DECC_BIN" order verify "$type" --order "$T/ethers-$type.json" --chain-id "$CHAIN" \
		--hub "$HUB" --signer "$SIGNER" --json >"$T/verify.json" ||
		fail "decc rejects ethers' $type order: $(cat "$T/verify.json")"
	if "$DECC_BIN" order verify "$type" --order "$T/ethers-$type-bad.json" --chain-id "$CHAIN" \
		--hub "$HUB" --signer "$SIGNER" >/dev/null 2>&1; then
		fail "decc accepted a tampered $type order"
	fi
	n=$((n + 1))
done
[ "$n" -eq 4 ] || fail "checked $n ethers orders, expected 4"
echo "t0100: ok"
