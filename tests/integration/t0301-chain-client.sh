#!/usr/bin/env bash
# The chain client against anvil: ether transfers (EIP-1559 and legacy), contract creation,
# revert reasons (eth_call, eth_estimateGas, and a mined failed transaction replayed at its
# block), unreachable node. Fails (never skips) when anvil is not installed.
. "$(dirname "$0")/lib.sh"

ANVIL="$DECC_SRC/scripts/anvil.sh"
"$ANVIL" path >/dev/null || fail "anvil is missing: run scripts/setup.sh"
PORT=$(free_port)
"$ANVIL" start "$PORT" "$T/anvil.pid" "$T/anvil.log" || fail "anvil did not start"
trap '"$ANVIL" stop "$T/anvil.pid"; _cleanup' EXIT
RPC=http://127.0.0.1:$PORT

# anvil's dev accounts 0 and 1 (default mnemonic; well-known keys)
echo 0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80 >"$T/pk0"
A1=0x70997970C51812dc3A010C7d01b50e0d17dc79C8
K=(--rpc "$RPC" --private-key-file "$T/pk0")

rpc() { # method params-json -> result (via curl, an independent client)
	curl -s -X POST -H 'Content-Type: application/json' \
		--data "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$1\",\"params\":$2}" "$RPC" |
		jq -r .result
}
tx_field() { # hash field -> the field of eth_getTransactionByHash
	curl -s -X POST -H 'Content-Type: application/json' --data \
		"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_getTransactionByHash\",\"params\":[\"$1\"]}" \
		"$RPC" | jq -r ".result.$2"
}

# 1. ether transfer, EIP-1559 (anvil's blocks have a base fee)
before=$(rpc eth_getBalance "[\"$A1\",\"latest\"]")
expect_ok decc --json evm send "${K[@]}" --to "$A1" --value 1234567
expect_eq 1 "$(jq -r .status "$T/out")" "transfer mined with status 1"
h=$(jq -r .txHash "$T/out")
expect_eq 0x2 "$(tx_field "$h" type)" "transfer is an EIP-1559 transaction"
after=$(rpc eth_getBalance "[\"$A1\",\"latest\"]")
diff=$(python3 -c "print(int('$after',16)-int('$before',16))")
expect_eq 1234567 "$diff" "recipient balance grew by the value"

# 2. legacy EIP-155 transfer; the nonce follows
expect_ok decc --json evm send "${K[@]}" --to "$A1" --value 1 --legacy
h=$(jq -r .txHash "$T/out")
expect_eq 0x0 "$(tx_field "$h" type)" "--legacy sends a type-0 transaction"
expect_eq 0x7a69 "$(tx_field "$h" chainId)" "legacy transaction is EIP-155 (chain id 31337)"
expect_eq 0x1 "$(tx_field "$h" nonce)" "second transaction has nonce 1"

# 3. a contract whose every call reverts with Error("decc: nope"), hand-assembled:
#    init: CODECOPY the 112-byte runtime and RETURN it; runtime: CODECOPY the 100-byte
#    ABI-encoded Error(string) that follows it and REVERT with it.
CODE=0x6070600c60003960706000f36064600c60003960646000fd08c379a0
CODE=${CODE}0000000000000000000000000000000000000000000000000000000000000020
CODE=${CODE}000000000000000000000000000000000000000000000000000000000000000a
CODE=${CODE}646563633a206e6f706500000000000000000000000000000000000000000000
expect_ok decc --json evm deploy "${K[@]}" --code "$CODE"
C=$(jq -r .address "$T/out")
[ "$(rpc eth_getCode "[\"$C\",\"latest\"]" | wc -c)" -gt 200 ] || fail "no code at $C"
ok "contract created at $C"

expect_fail 1 decc evm call --rpc "$RPC" --to "$C" --data 0x12345678
expect_grep '^decc: evm call: decc: nope$' "$T/err" "eth_call revert reason decoded"
# estimateGas sees the revert before anything is sent
n_before=$(rpc eth_getTransactionCount '["0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266","latest"]')
expect_fail 1 decc evm send "${K[@]}" --to "$C" --data 0x12345678
expect_grep 'decc: nope' "$T/err" "revert reason from eth_estimateGas"
expect_eq "$n_before" \
	"$(rpc eth_getTransactionCount '["0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266","latest"]')" \
	"nothing was sent when the estimate reverted"
# with a fixed gas limit the transaction is mined, fails, and is replayed for its reason
expect_fail 1 decc evm send "${K[@]}" --to "$C" --data 0x12345678 --gas 60000
expect_grep 'decc: nope' "$T/err" "reason of a mined failed transaction (replayed at its block)"
expect_eq $((n_before + 1)) \
	"$(printf '%d' "$(rpc eth_getTransactionCount '["0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266","latest"]')")" \
	"the failed transaction was mined"

# 4. call with --sig/--returns decoding, on anvil's account (no code: empty result)
expect_ok decc --json evm call --rpc "$RPC" --to "$A1" --data 0x
expect_eq '{"data":"0x"}' "$(cat "$T/out")" "call to an account returns no data"

# 5. errors: unreachable node, bad key file, missing options
DEAD=$(free_port)
expect_fail 1 decc evm send --rpc "http://127.0.0.1:$DEAD" --private-key-file "$T/pk0" --to "$A1" --value 1
expect_grep 'cannot reach the chain' "$T/err" "unreachable node is one clear line"
echo nothex >"$T/bad"
expect_fail 1 decc evm send --rpc "$RPC" --private-key-file "$T/bad" --to "$A1" --value 1
expect_grep 'expected a private key' "$T/err" "bad private key file refused"
expect_fail 2 decc evm send --rpc "$RPC" --private-key-file "$T/pk0"
expect_grep 'missing --to' "$T/err" "send without --to is a usage error"
expect_fail 2 decc evm call --to "$A1"
expect_grep 'missing --rpc' "$T/err" "call without --rpc is a usage error"

# 6. a DNS server that never answers: the client gives up at its connect timeout (5 s), not
# after the resolver's own retries (here 2 x 30 s). Needs a private mount namespace (root) to
# point /etc/resolv.conf at a silent server on a loopback address; skipped without one.
NS=127.$((RANDOM % 200 + 20)).$((RANDOM % 250 + 1)).$((RANDOM % 250 + 1))
printf 'nameserver %s\noptions timeout:30 attempts:2\n' "$NS" >"$T/resolv.conf"
if command -v python3 >/dev/null &&
	unshare -m sh -c 'mount --bind "$1" /etc/resolv.conf' sh "$T/resolv.conf" 2>/dev/null; then
	spawn python3 -c '
import socket, sys, time
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind((sys.argv[1], 53))
t = socket.socket(socket.AF_INET, socket.SOCK_STREAM); t.bind((sys.argv[1], 53)); t.listen(8)
open(sys.argv[2], "w").close()
time.sleep(120)' "$NS" "$T/dns-ready"
	for _ in $(seq 100); do [ -e "$T/dns-ready" ] && break; sleep 0.05; done
	[ -e "$T/dns-ready" ] || fail "the silent DNS server did not start"
	t0=$(date +%s%N)
	st=0
	unshare -m sh -c 'mount --bind "$1" /etc/resolv.conf && shift && exec "$@"' sh "$T/resolv.conf" \
		"$DECC_BIN" evm call --rpc http://rpc.decc-test.example:8545 --to "$A1" --data 0x \
		>"$T/out" 2>"$T/err" || st=$?
	ms=$((($(date +%s%N) - t0) / 1000000))
	expect_eq 1 "$st" "an unanswered DNS lookup fails"
	expect_grep 'cannot resolve host rpc.decc-test.example: no answer in [0-9]+ ms' "$T/err" \
		"the error names the host and the wait"
	[ "$ms" -lt 15000 ] || fail "the lookup took $ms ms: not bounded by the connect timeout"
	ok "the lookup gave up after $ms ms"
else
	echo "# skip: no private mount namespace here (not root?): DNS timeout not tested"
fi
done_testing
