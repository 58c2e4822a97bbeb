#!/usr/bin/env bash
# decc node as a real process, driven with curl + jq: methods, JSON-RPC errors, limits,
# dev methods, metrics, restart from the data dir, refusal of a different genesis.
. "$(dirname "$0")/node-lib.sh"
start_node "$TMP/data"

expect_eq "$(rpc eth_chainId '[]' | jq -r .result)" 0xffff "eth_chainId"
expect_eq "$(rpc net_version '[]' | jq -r .result)" 65535 "net_version"
expect_eq "$(rpc eth_blockNumber '[]' | jq -r .result)" 0x0 "eth_blockNumber"
expect_eq "$(rpc eth_accounts '[]' | jq -c .result)" "[]" "eth_accounts"
expect_eq "$(rpc eth_getBalance "[\"$ADDR0\",\"latest\"]" | jq -r .result)" 0xd3c21bcecceda1000000 "genesis balance"
expect_eq "$(rpc eth_getBalance '["0x0000000000000000000000000000000000000001","latest"]' | jq -r .result)" 0x0 "empty balance"
expect_eq "$(rpc eth_getTransactionCount "[\"$ADDR0\",\"pending\"]" | jq -r .result)" 0x0 "nonce"
expect_eq "$(rpc eth_getCode "[\"$ADDR0\",\"latest\"]" | jq -r .result)" 0x "EOA code"
expect_eq "$(rpc eth_getBlockByNumber '["0x0",false]' | jq -r .result.number)" 0x0 "block 0"
expect_eq "$(rpc eth_getBlockByNumber '["0x99",false]' | jq -r .result)" null "unknown block"
expect_eq "$(rpc eth_getTransactionReceipt '["0x1111111111111111111111111111111111111111111111111111111111111111"]' | jq -r .result)" null "unknown receipt"
expect_eq "$(rpc eth_estimateGas "[{\"from\":\"$ADDR0\",\"to\":\"$ADDR1\",\"value\":\"0x1\"}]" | jq -r .result)" 0x5208 "estimateGas transfer"
expect_eq "$(rpc eth_call "[{\"to\":\"$ADDR1\",\"data\":\"0x1234\"},\"latest\"]" | jq -r .result)" 0x "call to an EOA"

# JSON-RPC errors
expect_eq "$(curl -s -d 'not json' "$URL" | jq .error.code)" -32700 "parse error"
expect_eq "$(curl -s -d '[]' "$URL" | jq .error.code)" -32600 "empty batch"
expect_eq "$(curl -s -d '{"jsonrpc":"2.0","id":1}' "$URL" | jq .error.code)" -32600 "no method"
expect_eq "$(curl -s -d '{"jsonrpc":"1.0","id":1,"method":"eth_chainId"}' "$URL" | jq .error.code)" -32600 "bad version"
expect_eq "$(rpc eth_nope '[]' | jq .error.code)" -32601 "method not found"
expect_eq "$(rpc eth_getBalance '["0x12"]' | jq .error.code)" -32602 "invalid params"
expect_eq "$(rpc eth_sendRawTransaction '["0x1234"]' | jq .error.code)" -32000 "undecodable raw tx"
expect_eq "$(rpc eth_sendRawTransaction '["zz"]' | jq .error.code)" -32602 "raw tx not hex"
expect_eq "$(curl -s -d '{"jsonrpc":"2.0","method":"eth_chainId","params":[]}' -o /dev/null -w '%{http_code}' "$URL")" 204 "notification"

# batches and limits
batch=$(jq -nc '[range(0;3) | {jsonrpc:"2.0",id:.,method:"eth_chainId",params:[]}]')
expect_eq "$(curl -s -d "$batch" "$URL" | jq -c '[.[].id]')" "[0,1,2]" "batch ids"
big=$(jq -nc '[range(0;101) | {jsonrpc:"2.0",id:.,method:"eth_chainId",params:[]}]')
expect_eq "$(curl -s -d "$big" "$URL" | jq .error.code)" -32600 "batch too large"
head -c 1100000 /dev/zero | tr '\0' ' ' >"$TMP/big.json"
expect_eq "$(curl -s --data-binary @"$TMP/big.json" -o /dev/null -w '%{http_code}' "$URL")" 413 "body too large"
expect_eq "$(rpc eth_getLogs '[{"fromBlock":"0x0","toBlock":"0x4e20"}]' | jq -r .result)" "[]" "range clamped to head"

# a signed transfer (ethers signs; curl sends)
if [ -d "$NODE_PATH/ethers" ]; then
	raw=$(node -e '
const { ethers } = require("ethers");
const w = new ethers.Wallet(process.argv[1]);
w.signTransaction({ to: process.argv[2], value: 1000n, nonce: 0, gasLimit: 21000n, chainId: 65535n,
  maxFeePerGas: 3000000000n, maxPriorityFeePerGas: 1000000000n, type: 2 }).then(console.log);' "$SK0" "$ADDR1")
	h=$(rpc eth_sendRawTransaction "[\"$raw\"]" | jq -r .result)
	[ "${#h}" = 66 ] || fail "sendRawTransaction: $h"
	rc=$(rpc eth_getTransactionReceipt "[\"$h\"]")
	expect_eq "$(echo "$rc" | jq -r .result.status)" 0x1 "receipt status"
	expect_eq "$(echo "$rc" | jq -r .result.gasUsed)" 0x5208 "receipt gasUsed"
	expect_eq "$(echo "$rc" | jq -r .result.contractAddress)" null "contractAddress"
	expect_eq "$(echo "$rc" | jq -r .result.blockNumber)" 0x1 "receipt block"
	expect_eq "$(rpc eth_getTransactionByHash "[\"$h\"]" | jq -r .result.value)" 0x3e8 "tx value"
	expect_eq "$(rpc eth_sendRawTransaction "[\"$raw\"]" | jq -r .error.message | cut -c1-13)" "nonce too low" "replay"
	expect_eq "$(rpc eth_getTransactionCount "[\"$ADDR0\",\"latest\"]" | jq -r .result)" 0x1 "nonce after"
	# wrong chain id
	raw2=$(node -e '
const { ethers } = require("ethers");
new ethers.Wallet(process.argv[1]).signTransaction({ to: process.argv[2], value: 1n, nonce: 1, gasLimit: 21000n,
  chainId: 1n, gasPrice: 2000000000n, type: 0 }).then(console.log);' "$SK0" "$ADDR1")
	rpc eth_sendRawTransaction "[\"$raw2\"]" | jq -r .error.message | grep -q "chain id" || fail "wrong chain id accepted"
fi

# a batch of transactions from one sender shares one block, answered in order
if [ -d "$NODE_PATH/ethers" ]; then
	n0=$(rpc eth_getTransactionCount "[\"$ADDR1\",\"latest\"]" | jq -r .result)
	b0=$(rpc eth_blockNumber '[]' | jq -r .result)
	node -e '
const { ethers } = require("ethers");
const w = new ethers.Wallet(process.argv[1]);
Promise.all([0, 1, 2, 3].map((i) => w.signTransaction({ to: process.argv[2], value: 1n, nonce: i + (i == 3 ? 5 : 0),
  gasLimit: 21000n, chainId: 65535n, gasPrice: 2000000000n, type: 0 }))).then((raws) =>
  console.log(JSON.stringify(raws.map((r, i) => ({ jsonrpc: "2.0", id: i, method: "eth_sendRawTransaction", params: [r] })))));
' "$SK1" "$ADDR0" >"$TMP/batch.json"
	expect_eq "$n0" 0x0 "sender 1 unused"
	resp=$(curl -s -d @"$TMP/batch.json" "$URL")
	expect_eq "$(echo "$resp" | jq -c '[.[].id]')" "[0,1,2,3]" "tx batch ids"
	expect_eq "$(echo "$resp" | jq -c '[.[0,1,2].result | length]')" "[66,66,66]" "tx batch hashes"
	echo "$resp" | jq -r '.[3].error.message' | grep -q "nonce too high" || fail "gap accepted: $resp"
	h2=$(echo "$resp" | jq -r '.[2].result')
	expect_eq "$(rpc eth_getTransactionReceipt "[\"$h2\"]" | jq -r .result.blockNumber)" "$(printf '0x%x' $((b0 + 1)))" "one block for the batch"
	expect_eq "$(rpc eth_getTransactionCount "[\"$ADDR1\",\"latest\"]" | jq -r .result)" 0x3 "batch nonces"
fi

# dev methods: time and mining
b=$(rpc eth_blockNumber '[]' | jq -r .result)
t0=$(rpc eth_getBlockByNumber '["latest",false]' | jq -r .result.timestamp)
expect_eq "$(rpc evm_increaseTime '[3600]' | jq -r .result)" 0xe10 "increaseTime"
expect_eq "$(rpc evm_mine '[]' | jq -r .result)" 0x0 "evm_mine"
expect_eq "$(rpc eth_blockNumber '[]' | jq -r .result)" "$(printf '0x%x' $((b + 1)))" "mined one block"
t1=$(rpc eth_getBlockByNumber '["latest",false]' | jq -r .result.timestamp)
[ $((t1 - t0)) -ge 3600 ] || fail "timestamp did not move: $t0 -> $t1"
curl -s "$URL/metrics" | grep -q '^decc_node_rpc_requests_total{method="eth_chainId"}' || fail "metrics"
curl -s "$URL/metrics" | grep -q "^decc_node_head_block $((b + 1))" || fail "metrics head"

# restart: same head, same time shift
head_before=$(rpc eth_blockNumber '[]' | jq -r .result)
stop_node
start_node "$TMP/data"
expect_eq "$(rpc eth_blockNumber '[]' | jq -r .result)" "$head_before" "head after restart"
rpc evm_mine '[]' >/dev/null
t2=$(rpc eth_getBlockByNumber '["latest",false]' | jq -r .result.timestamp)
[ $((t2 - t0)) -ge 3600 ] || fail "time shift lost on restart"
stop_node

# another genesis on the same data dir is refused
jq '.chainId = 7' "$GENESIS" >"$TMP/other.json"
if "$DECC_BIN" node --genesis "$TMP/other.json" --data "$TMP/data" --listen 127.0.0.1:0 2>"$TMP/err"; then
	fail "a different genesis was accepted"
fi
grep -q "different genesis" "$TMP/err" || fail "unclear error: $(cat "$TMP/err")"
echo "t0201: ok"
