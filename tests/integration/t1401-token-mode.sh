#!/usr/bin/env bash
# Token mode (decc-account(1)): anvil + the real PoCo 6.1.0 deployed without --native, so the
# hub's token() is an RLC contract and the deployer holds the whole RLC supply. RLC is sent to
# a user (decc account send-rlc), deposited (approveAndCall), shown and withdrawn, with every
# balance checked; deposits and transfers above the RLC held are refused before anything is
# sent, and a withdrawal above the escrow balance is refused with both amounts. The same
# commands on a native-mode hub deployed next to it: mode native, no RLC, send-rlc refused.
# Fails (never skips) when anvil or the artifacts are missing (scripts/setup.sh installs them).
. "$(dirname "$0")/lib.sh"

start_anvil

sed -n 1p "$KEYS" >"$T/pk0"
sed -n 2p "$KEYS" >"$T/pk1"
expect_ok decc --json evm deploy-poco --rpc "$RPC" --private-key-file "$T/pk0" --artifacts "$ART"
expect_eq token "$(jq -r .mode "$T/out")" "PoCo deployed on anvil in token mode"
HUB=$(jq -r .hub "$T/out")
RLC=$(jq -r .rlc "$T/out")

# keystores of the deployer (anvil account 0) and of a user (account 1)
echo pw >"$T/pw"
for i in 0 1; do
	expect_ok decc --json wallet import --private-key-file "$T/pk$i" --keystore-dir "$T/ks" \
		--password-file "$T/pw" --kdf-light
	jq -r .keystore "$T/out" >"$T/w$i.path"
done
DEPLOYER=(--wallet "$(cat "$T/w0.path")" --password-file "$T/pw")
USER=(--wallet "$(cat "$T/w1.path")" --password-file "$T/pw")
C=(--rpc "$RPC" --hub "$HUB")
U1=0x70997970C51812dc3A010C7d01b50e0d17dc79C8
SUPPLY=87000000000000000

# the mode comes from the chain; the user holds no RLC yet
expect_ok decc --json account show "${C[@]}" "${USER[@]}"
expect_eq token "$(jq -r .mode "$T/out")" "account show says token mode"
expect_eq "$RLC" "$(jq -r .token "$T/out")" "account show names the RLC contract"
expect_eq "0 0 0" "$(jq -r '"\(.rlc) \(.balance) \(.frozen)"' "$T/out")" "the user starts empty"
expect_ok decc account show "${C[@]}" "${USER[@]}"
expect_grep '^mode +token$' "$T/out" "human output says the mode"
expect_grep '^rlc +0$' "$T/out" "human output shows the RLC wallet balance"
expect_ok decc --json account show "${C[@]}" "${DEPLOYER[@]}"
expect_eq "$SUPPLY" "$(jq -r .rlc "$T/out")" "the deployer holds the RLC supply"

# a deposit without RLC is refused with both amounts, and nothing is sent
expect_ok decc --json evm call --rpc "$RPC" --to "$RLC" --sig 'allowance(address,address)' \
	--args "[\"$U1\",\"$HUB\"]" --returns '(uint256)'
expect_eq 0 "$(jq -r '.result[0]' "$T/out")" "no allowance before"
expect_fail 1 decc account deposit 1000 "${C[@]}" "${USER[@]}"
expect_grep 'not enough RLC: the wallet holds 0 nRLC, the deposit needs 1000' "$T/err" \
	"a deposit above the RLC balance is refused with a readable reason"

# RLC from the deployer to the user
expect_ok decc --json account send-rlc "$U1" 5000 "${C[@]}" "${DEPLOYER[@]}"
expect_eq "5000 $((SUPPLY - 5000)) 5000" "$(jq -r '"\(.sent) \(.rlc) \(.toRlc)"' "$T/out")" \
	"send-rlc moves RLC and reports both balances"
expect_fail 1 decc account send-rlc "$U1" $((SUPPLY)) "${C[@]}" "${DEPLOYER[@]}"
expect_grep 'not enough RLC' "$T/err" "send-rlc above the balance is refused"
expect_fail 2 decc account send-rlc nobody 5 "${C[@]}" "${DEPLOYER[@]}"
ok "send-rlc rejects a malformed TO"

# deposit (approveAndCall: one transaction), show, withdraw
expect_ok decc --json account deposit 2000 "${C[@]}" "${USER[@]}"
expect_eq "2000 2000 0 3000" "$(jq -r '"\(.deposited) \(.balance) \(.frozen) \(.rlc)"' "$T/out")" \
	"deposit moves RLC from the wallet into the escrow"
expect_ok decc --json evm call --rpc "$RPC" --to "$RLC" --sig 'balanceOf(address)' \
	--args "[\"$HUB\"]" --returns '(uint256)'
expect_eq 2000 "$(jq -r '.result[0]' "$T/out")" "the hub holds the deposited RLC"
expect_ok decc --json evm call --rpc "$RPC" --to "$HUB" --sig 'totalSupply()' --returns '(uint256)'
expect_eq 2000 "$(jq -r '.result[0]' "$T/out")" "SRLC minted 1:1"
expect_fail 1 decc account deposit 3001 "${C[@]}" "${USER[@]}"
expect_grep 'holds 3000 nRLC, the deposit needs 3001' "$T/err" "a second deposit above the RLC left is refused"

expect_ok decc --json account withdraw 500 "${C[@]}" "${USER[@]}"
expect_eq "500 1500 3500" "$(jq -r '"\(.withdrawn) \(.balance) \(.rlc)"' "$T/out")" \
	"withdraw gives the RLC back to the wallet"
expect_fail 1 decc account withdraw 1501 "${C[@]}" "${USER[@]}"
expect_grep "not enough free balance in the escrow: 1500 nRLC free \\(0 frozen by deals is not withdrawable\\), the withdrawal needs 1501" "$T/err" \
	"a withdrawal above the escrow balance is refused with a readable reason"

expect_ok decc --json account show "$U1" --rpc "$RPC" --hub "$HUB"
expect_eq "token 1500 0 3500" "$(jq -r '"\(.mode) \(.balance) \(.frozen) \(.rlc)"' "$T/out")" \
	"balances after the refused operations are unchanged"
expect_ok decc --json evm call --rpc "$RPC" --to "$RLC" --sig 'balanceOf(address)' \
	--args "[\"$HUB\"]" --returns '(uint256)'
expect_eq 1500 "$(jq -r '.result[0]' "$T/out")" "the hub holds what is left in escrow"

# the same commands on a native-mode hub (deployed with --native on the same chain): the mode
# is read from the chain, deposits are ether, there is no RLC to send
expect_ok decc --json evm deploy-poco --rpc "$RPC" --private-key-file "$T/pk0" --artifacts "$ART" --native
NHUB=$(jq -r .hub "$T/out")
N=(--rpc "$RPC" --hub "$NHUB")
expect_ok decc --json account deposit 700 "${N[@]}" "${USER[@]}"
expect_eq "700 null" "$(jq -r '"\(.balance) \(.rlc)"' "$T/out")" "native mode: deposit without RLC"
expect_ok decc --json account show "${N[@]}" "${USER[@]}"
expect_eq "native 700 null" "$(jq -r '"\(.mode) \(.balance) \(.rlc)"' "$T/out")" \
	"native mode: account show says so, no RLC balance"
expect_fail 1 decc account send-rlc "$U1" 5 "${N[@]}" "${DEPLOYER[@]}"
expect_grep 'native mode' "$T/err" "send-rlc on a native-mode hub is refused"
expect_ok decc --json account show "$U1" "${C[@]}"
expect_eq "1500 3500" "$(jq -r '"\(.balance) \(.rlc)"' "$T/out")" "the token-mode hub is untouched"

done_testing
