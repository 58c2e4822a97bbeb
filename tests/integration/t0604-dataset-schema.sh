#!/usr/bin/env bash
# Datasets with a schema through decc node's DataProtector contract: `decc dataset deploy
# --schema` sends createDatasetWithSchema (the dataset is the registry's, owned by --owner),
# `decc dataset show` prints the schema of its DatasetSchema log, a duplicate is refused with
# the registry's reason and changes nothing, bad schemas are usage errors; eth_getLogs (curl)
# and an ethers client (the DataProtector ABI of dataprotector-sdk) see the same events.
. "$(dirname "$0")/lib.sh"

DP=0x36baaaE8D4eB39b41331872b51796Bc91875Bb33 # decc node's DataProtector (decc-dataset(1))
TOPIC=0x37b19b8900a9b045473748167f459fa16828f33c13d71473bca4b5e52e5f4d5d # DatasetSchema(address,string)
SK0=0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80
ADDR0=0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266
SK1=0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d
ADDR1=0x70997970C51812dc3A010C7d01b50e0d17dc79C8
SUM=0x5f00000000000000000000000000000000000000000000000000000000000e01
SUM2=0x5f00000000000000000000000000000000000000000000000000000000000e02

printf 'pw\n' >"$T/pw"
printf '%s\n' "$SK1" >"$T/key1"
expect_ok decc wallet import --private-key-file "$T/key1" --keystore-dir "$T/ks1" \
	--password-file "$T/pw" --kdf-light
W=(--wallet "$(ls "$T/ks1"/*)" --password-file "$T/pw")

PORT=$(free_port)
RPC=http://127.0.0.1:$PORT
spawn "$DECC_BIN" node --genesis "$DECC_VECTORS/genesis/dev.json" --data "$T/node" \
	--listen "127.0.0.1:$PORT" 2>"$T/node.log"
for _ in $(seq 1 100); do
	curl -sf "$RPC/healthz" >/dev/null 2>&1 && break
	sleep 0.1
done
curl -sf "$RPC/healthz" >/dev/null || { cat "$T/node.log" >&2; fail "the node did not start"; }
ok "decc node serves on port $PORT"
G=(--rpc "$RPC")

# ---- deploy with a schema (spaces dropped, key order kept, as JSON.stringify writes it) ----
expect_ok decc --json dataset deploy --name email-data --multiaddr /p2p/QmSchemaTest1 \
	--checksum "$SUM" --schema '{ "email": "string", "n": { "x": "f64", "a": "bool" } }' \
	"${G[@]}" "${W[@]}"
DS=$(jq -r .address "$T/out")
[[ $DS =~ ^0x[0-9a-fA-F]{40}$ ]] || fail "deploy --json gave no address"
expect_eq '{"email":"string","n":{"x":"f64","a":"bool"}}' "$(jq -r .schema "$T/out")" \
	"the schema is stored in compact form"
expect_eq "$ADDR1" "$(jq -r .owner "$T/out")" "the wallet owns it by default"
jq -e '(.txHash | test("^0x[0-9a-f]{64}$")) and .block > 0' "$T/out" >/dev/null ||
	fail "deploy --json with a schema gives txHash and block"
ok "deploy --json gives the transaction hash and block"

# ---- show: the registry's fields and the schema ----
expect_ok decc dataset show "$DS" "${G[@]}"
expect_grep '^schema +\{"email":"string","n":\{"x":"f64","a":"bool"\}\}$' "$T/out" \
	"show prints the schema"
expect_grep "^owner +$ADDR1\$" "$T/out" "show prints the owner"
expect_grep '^multiaddr +/p2p/QmSchemaTest1$' "$T/out" "show prints the multiaddr"
expect_grep "^checksum +$SUM\$" "$T/out" "show prints the checksum"
expect_ok decc --json dataset show 0 --user "$ADDR1" "${G[@]}"
expect_eq "$DS" "$(jq -r .address "$T/out")" "show INDEX finds the dataset"
expect_eq email-data "$(jq -r .name "$T/out")" "the name went through the registry"

# ---- a dataset without schema: none shown ----
expect_ok decc dataset deploy --name plain --multiaddr /p2p/QmPlain --checksum "$SUM2" \
	"${G[@]}" "${W[@]}"
PLAIN=$(cat "$T/out")
expect_ok decc --json dataset show "$PLAIN" "${G[@]}"
expect_eq null "$(jq -r .schema "$T/out")" "a dataset deployed without --schema has none"
expect_ok decc dataset show "$PLAIN" "${G[@]}"
if grep -q '^schema' "$T/out" || ! grep -q '^name +plain$' -E "$T/out"; then fail "human show prints no schema line without one"; fi
ok "no schema line for a dataset without schema"

# ---- for another owner, sent by the wallet ----
expect_ok decc --json dataset deploy --name for-0 --multiaddr /p2p/QmOther --checksum "$SUM" \
	--owner "$ADDR0" --schema '{"file":"application/pdf"}' "${G[@]}" "${W[@]}"
OTHER=$(jq -r .address "$T/out")
expect_ok decc --json dataset show "$OTHER" "${G[@]}"
expect_eq "$ADDR0" "$(jq -r .owner "$T/out")" "--owner owns the dataset, not the sender"
expect_eq '{"file":"application/pdf"}' "$(jq -r .schema "$T/out")" "its schema"

# ---- a duplicate: the registry's revert, nothing created ----
expect_ok decc --json dataset count "${G[@]}"
before=$(jq -r .count "$T/out")
expect_fail 1 decc dataset deploy --name email-data --multiaddr /p2p/QmSchemaTest1 \
	--checksum "$SUM" --schema '{"other":"i128"}' "${G[@]}" "${W[@]}"
expect_grep 'Create2: Failed on deploy' "$T/err" "a duplicate is refused with the registry's reason"
expect_fail 1 decc dataset deploy --name plain --multiaddr /p2p/QmPlain --checksum "$SUM2" \
	--schema '{}' "${G[@]}" "${W[@]}"
expect_grep 'Create2: Failed on deploy' "$T/err" \
	"a schema does not make a dataset created without one new"
expect_ok decc --json dataset count "${G[@]}"
expect_eq "$before" "$(jq -r .count "$T/out")" "the duplicates created nothing"
expect_eq 3 "$before" "three datasets in all"

# ---- bad input: usage errors, nothing sent ----
expect_fail 2 decc dataset deploy --name x --multiaddr /p2p/x --checksum "$SUM" \
	--schema '[1,2]' "${G[@]}" "${W[@]}"
expect_grep 'JSON object' "$T/err" "a schema that is not an object is refused"
expect_fail 2 decc dataset deploy --name x --multiaddr /p2p/x --checksum "$SUM" \
	--schema '{"a":' "${G[@]}" "${W[@]}"
expect_grep 'not JSON' "$T/err" "a schema that is not JSON is refused"
expect_fail 2 decc dataset deploy --name x --multiaddr /p2p/x --checksum "$SUM" \
	--dataprotector "$DP" "${G[@]}" "${W[@]}"
ok "--dataprotector without --schema is a usage error"
expect_fail 2 decc dataset show "$DS" --schema '{}' "${G[@]}"
ok "show takes no --schema"

# ---- eth_getLogs sees the events: the DataProtector's address, topic0, dataset, data ----
rpc() {
	curl -sf -H 'Content-Type: application/json' \
		-d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$1\",\"params\":$2}" "$RPC"
}
rpc eth_getLogs "[{\"fromBlock\":\"0x0\",\"toBlock\":\"latest\",\"address\":\"$DP\",\"topics\":[\"$TOPIC\"]}]" >"$T/logs"
expect_eq 2 "$(jq '.result | length' "$T/logs")" "eth_getLogs: two DatasetSchema events"
lower=$(echo "${DS#0x}" | tr A-F a-f)
expect_eq "0x000000000000000000000000$lower" "$(jq -r '.result[0].topics[1]' "$T/logs")" \
	"topic 1 is the dataset"
expect_eq "$(echo "$DP" | tr A-F a-f)" "$(jq -r '.result[0].address' "$T/logs" | tr A-F a-f)" \
	"the DataProtector emits it"
data=$(jq -r '.result[0].data' "$T/logs")
schema=$(python3 -c 'import sys; d=bytes.fromhex(sys.argv[1][2:]); n=int.from_bytes(d[32:64],"big"); assert int.from_bytes(d[:32],"big")==32; print(d[64:64+n].decode())' "$data")
expect_eq '{"email":"string","n":{"x":"f64","a":"bool"}}' "$schema" "the data is the ABI-encoded schema"
rpc eth_getLogs "[{\"fromBlock\":\"0x0\",\"toBlock\":\"latest\",\"address\":\"$DP\",\"topics\":[\"$TOPIC\",\"0x000000000000000000000000$lower\"]}]" >"$T/logs"
expect_eq 1 "$(jq '.result | length' "$T/logs")" "filtering by the dataset topic finds one"
rpc eth_getCode "[\"$DP\",\"latest\"]" >"$T/code"
expect_eq 0xfe "$(jq -r .result "$T/code")" "the DataProtector is a contract for eth_getCode"

# ---- an ethers client with the DataProtector ABI ----
export NODE_PATH=$DECC_SRC/tools/node/node_modules
if [ -d "$NODE_PATH/ethers" ]; then
	cat >"$T/dp.cjs" <<'JS'
const { ethers } = require("ethers");
const [url, sk, dpAddr, hubAddr, ds1] = process.argv.slice(2);
function check(c, what) { if (!c) { console.error("FAIL: " + what); process.exit(1); } }
const abi = [
	"event DatasetSchema(address indexed dataset, string schema)",
	"function createDatasetWithSchema(address _datasetOwner, string _datasetName, string _datasetSchema, bytes _datasetMultiaddr, bytes32 _datasetChecksum) returns (address)",
	"function registry() view returns (address)",
];
(async () => {
	const provider = new ethers.JsonRpcProvider(url, undefined, { staticNetwork: true });
	const w = new ethers.Wallet(sk, provider);
	const dp = new ethers.Contract(dpAddr, abi, w);
	const hub = new ethers.Contract(hubAddr, ["function datasetregistry() view returns (address)"], provider);
	check((await dp.registry()) === (await hub.datasetregistry()), "registry() is the hub's dataset registry");
	const checksum = "0x" + "ab".repeat(32);
	const mult = ethers.toUtf8Bytes("/p2p/QmEthers");
	const predicted = await dp.createDatasetWithSchema.staticCall(w.address, "ethers-data", '{"k":"string"}', mult, checksum);
	const tx = await dp.createDatasetWithSchema(w.address, "ethers-data", '{"k":"string"}', mult, checksum);
	const rc = await tx.wait();
	check(rc.status === 1, "status");
	const ev = rc.logs.map((l) => { try { return dp.interface.parseLog(l); } catch (e) { return null; } })
		.filter((e) => e && e.name === "DatasetSchema");
	check(ev.length === 1, "one DatasetSchema in the receipt");
	check(ev[0].args.dataset === predicted, "the event names the returned dataset");
	check(ev[0].args.schema === '{"k":"string"}', "the event's schema");
	const old = await dp.queryFilter(dp.filters.DatasetSchema(ds1), 0, "latest");
	check(old.length === 1 && old[0].args.schema === '{"email":"string","n":{"x":"f64","a":"bool"}}',
		"queryFilter finds the schema deployed by decc");
	let err = null;
	try { await dp.createDatasetWithSchema(w.address, "ethers-data", "{}", mult, checksum); } catch (e) { err = e; }
	check(err && /Create2: Failed on deploy/.test(err.message), "a duplicate reverts with the registry's reason: " + (err && err.message));
	console.log(predicted);
})().catch((e) => { console.error("FAIL: " + e.message); process.exit(1); });
JS
	expect_ok node "$T/dp.cjs" "$RPC" "$SK0" "$DP" 0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f "$DS"
	EDS=$(cat "$T/out")
	ok "ethers: createDatasetWithSchema, the DatasetSchema event, queryFilter, revert reason"
	expect_ok decc --json dataset show "$EDS" "${G[@]}"
	expect_eq '{"k":"string"}' "$(jq -r .schema "$T/out")" "decc shows the schema of a dataset ethers created"
	expect_eq "$ADDR0" "$(jq -r .owner "$T/out")" "owned by the ethers wallet"
else
	echo "# ethers not installed (scripts/setup.sh): the ethers part is skipped"
fi
done_testing
