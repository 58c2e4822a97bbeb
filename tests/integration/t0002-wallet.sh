#!/usr/bin/env bash
# decc wallet: create, import, show, sign-message; bad input fails with one line and writes
# nothing. Known answers from ethers: tests/vectors/cli/README.md.
. "$(dirname "$0")/lib.sh"

V=$DECC_VECTORS/cli
KEY=$(cat "$V/key.txt")
ADDR=$(cat "$V/address.txt")
printf 'correct horse\n' >"$T/pw"
printf 'wrong horse\n' >"$T/badpw"

count() { find "$1" -mindepth 1 2>/dev/null | wc -l; }

# ---- create ----
expect_ok decc wallet create --keystore-dir "$T/ks" --password-file "$T/pw" --kdf-light
created=$(cat "$T/out")
[[ $created =~ ^0x[0-9a-fA-F]{40}$ ]] || fail "create printed '$created', not an address"
ok "create prints an address"
lower=$(echo "${created#0x}" | tr A-F a-f)
ksfile=$(ls "$T/ks")
[[ $ksfile =~ ^UTC--[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}-[0-9]{2}-[0-9]{2}\.[0-9]{3}000000Z--$lower$ ]] ||
	fail "keystore file name '$ksfile' is not geth-style"
ok "keystore file named UTC--<time>--<address>"
expect_eq 600 "$(stat -c %a "$T/ks/$ksfile")" "keystore mode 0600"
expect_eq 700 "$(stat -c %a "$T/ks")" "keystore dir mode 0700"
expect_grep '"n": ?4096' "$T/ks/$ksfile" "--kdf-light uses N=4096"
expect_grep '"version": ?3' "$T/ks/$ksfile" "keystore v3"
[ ! -s "$T/err" ] || fail "create wrote on stderr"

# ---- show (the only keystore of the dir is chosen) ----
expect_ok decc wallet show --keystore-dir "$T/ks" --password-file "$T/pw"
expect_eq "address: $created" "$(cat "$T/out")" "show prints the address"
expect_ok decc --json wallet show --keystore-dir "$T/ks" --password-file "$T/pw"
expect_eq "{\"address\":\"$created\"}" "$(cat "$T/out")" "show --json: one object, no key"
expect_ok decc wallet show --wallet "$T/ks/$ksfile" --password-file "$T/pw" --json --show-private-key
jq -e --arg a "$created" '.address == $a and (.privateKey | test("^0x[0-9a-f]{64}$"))' \
	"$T/out" >/dev/null || fail "show --show-private-key --json"
ok "show --show-private-key --json has the key"
# CRLF password files: the line end is not part of the password
printf 'correct horse\r\n' >"$T/pw-crlf"
expect_ok decc wallet show --wallet "$T/ks/$ksfile" --password-file "$T/pw-crlf"
ok "a CRLF password file opens the same wallet"

# ---- import a known key ----
printf '  %s  \n' "$KEY" >"$T/key"
expect_ok decc wallet import --private-key-file "$T/key" --keystore-dir "$T/ks2" \
	--password-file "$T/pw" --kdf-light
expect_eq "$ADDR" "$(cat "$T/out")" "import prints the key's address"
expect_ok decc wallet show --keystore-dir "$T/ks2" --password-file "$T/pw" --show-private-key
expect_eq "$(printf 'address: %s\nprivate key: %s' "$ADDR" "$KEY")" "$(cat "$T/out")" \
	"the imported key comes back"
expect_ok decc wallet import --private-key-file "$T/key" --keystore-dir "$T/ks3" \
	--password-file "$T/pw" --kdf-light --json
jq -e --arg a "$ADDR" --arg d "$T/ks3/" '.address == $a and (.keystore | startswith($d))' \
	"$T/out" >/dev/null || fail "import --json"
ok "import --json gives address and keystore path"

# the same address twice in a directory: refused, nothing written
expect_fail 1 decc wallet import --private-key-file "$T/key" --keystore-dir "$T/ks2" \
	--password-file "$T/pw" --kdf-light
expect_grep 'already exists' "$T/err" "importing an address twice is refused"
expect_eq 1 "$(count "$T/ks2")" "no second keystore written"

# bad key files: one line, exit 1, nothing written
for bad in "0x1234" "zz$(printf '%062d' 0)" "$(printf '0x%064d' 0)" \
	"0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"; do
	printf '%s\n' "$bad" >"$T/badkey"
	expect_fail 1 decc wallet import --private-key-file "$T/badkey" --keystore-dir "$T/ks4" \
		--password-file "$T/pw" --kdf-light
	[ ! -s "$T/out" ] || fail "bad key printed on stdout"
	[ ! -e "$T/ks4" ] || fail "bad key created the keystore dir"
done
ok "bad private keys (short, not hex, zero, curve order) are refused"
expect_fail 1 decc wallet import --private-key-file "$T/nokey" --keystore-dir "$T/ks4" \
	--password-file "$T/pw"
expect_grep 'nokey' "$T/err" "a missing key file is named"
expect_fail 2 decc wallet import --keystore-dir "$T/ks4" --password-file "$T/pw"
expect_grep 'private-key-file' "$T/err" "import without --private-key-file is a usage error"

# ---- sign-message: EIP-191 signatures equal ethers' ----
for m in hello utf8 empty; do
	msg=$(cat "$V/msg-$m.txt")
	expect_ok decc wallet sign-message --keystore-dir "$T/ks2" --password-file "$T/pw" -- "$msg"
	expect_eq "$(cat "$V/msg-$m.sig")" "$(cat "$T/out")" "sign-message '$m' equals ethers"
done
msg=$(cat "$V/msg-hello.txt")
expect_fail 2 decc --keystore-dir "$T/ks2" wallet show
expect_grep "unknown option '--keystore-dir'" "$T/err" "command options do not go before the command"
expect_ok decc --json wallet sign-message --keystore-dir "$T/ks2" --password-file "$T/pw" "$msg"
jq -e --arg a "$ADDR" --arg m "$msg" --arg s "$(cat "$V/msg-hello.sig")" \
	'.address == $a and .message == $m and .signature == $s and (keys | length) == 3' \
	"$T/out" >/dev/null || fail "sign-message --json"
[ "$(wc -l <"$T/out")" -eq 1 ] || fail "--json output is not one line"
ok "sign-message --json: address, message, signature on one line"
expect_fail 2 decc wallet sign-message --keystore-dir "$T/ks2" --password-file "$T/pw"
expect_grep 'MESSAGE' "$T/err" "sign-message without a message is a usage error"

# ---- wrong password, no password ----
before=$(ls -l "$T/ks2")
expect_fail 1 decc wallet show --keystore-dir "$T/ks2" --password-file "$T/badpw"
expect_grep 'wrong password' "$T/err" "wrong password: says so"
[ ! -s "$T/out" ] || fail "wrong password printed on stdout"
expect_fail 1 decc wallet sign-message --keystore-dir "$T/ks2" --password-file "$T/badpw" hi
[ ! -s "$T/out" ] || fail "wrong password: a signature was printed"
expect_eq "$before" "$(ls -l "$T/ks2")" "wrong password: nothing written"
expect_fail 1 decc wallet show --keystore-dir "$T/ks2" </dev/null
expect_grep 'password-file' "$T/err" "no password and no terminal: says what to pass"
expect_fail 1 decc wallet create --keystore-dir "$T/ks5" --kdf-light </dev/null
[ ! -e "$T/ks5" ] || fail "create without a password wrote something"
ok "create without a password writes nothing"
expect_fail 1 decc wallet show --keystore-dir "$T/ks2" --password-file "$T/nopw"
expect_grep 'nopw' "$T/err" "a missing password file is named"

# ---- wallet selection ----
expect_ok decc wallet create --keystore-dir "$T/ks2" --password-file "$T/pw" --kdf-light
expect_fail 1 decc wallet show --keystore-dir "$T/ks2" --password-file "$T/pw"
expect_grep '2 wallets in .*--wallet' "$T/err" "two wallets: asks for --wallet"
expect_fail 1 decc wallet show --keystore-dir "$T/empty" --password-file "$T/pw"
expect_grep "wallet create.*--wallet FILE" "$T/err" "no wallet: says how to make one"
expect_fail 1 decc wallet show --wallet "$T/nowallet" --password-file "$T/pw"
expect_grep 'nowallet' "$T/err" "a missing wallet file is named"

# ---- default directory: ~/.decc/wallets ----
expect_ok decc wallet create --password-file "$T/pw" --kdf-light
expect_eq 1 "$(count "$HOME/.decc/wallets")" "create writes into ~/.decc/wallets"
expect_eq 700 "$(stat -c %a "$HOME/.decc/wallets")" "~/.decc/wallets is 0700"
expect_ok decc --password-file "$T/pw" wallet show
ok "show finds the only wallet of ~/.decc/wallets"

# ---- malformed keystores ----
head -c 100 "$T/ks/$ksfile" >"$T/truncated.json"
printf 'not json at all' >"$T/garbage.json"
jq '.crypto.ciphertext = "00"' "$T/ks/$ksfile" >"$T/shortct.json"
jq '.crypto.mac = "zz"' "$T/ks/$ksfile" >"$T/badmac.json"
jq '.crypto.kdfparams.n = 3' "$T/ks/$ksfile" >"$T/badn.json"
head -c 70000 /dev/zero | tr '\0' ' ' >"$T/huge.json"
for f in truncated garbage shortct badmac badn huge; do
	expect_fail 1 decc wallet show --wallet "$T/$f.json" --password-file "$T/pw"
	[ ! -s "$T/out" ] || fail "malformed keystore $f printed on stdout"
	ok "malformed keystore ($f): exit 1, one line"
done

# ---- interoperability with ethers ----
printf 'ethers-pw\n' >"$T/epw"
expect_ok decc wallet show --wallet "$V/ethers-keystore.json" --password-file "$T/epw"
expect_eq "address: $ADDR" "$(cat "$T/out")" "an ethers keystore opens in decc"
node_modules=$DECC_SRC/tools/node/node_modules
if command -v node >/dev/null 2>&1 && [ -d "$node_modules/ethers" ]; then
	f=$(ls "$T/ks3"/UTC--*)
	got=$(NODE_PATH=$node_modules node -e '
		const { Wallet } = require("ethers");
		const fs = require("fs");
		const w = Wallet.fromEncryptedJsonSync(fs.readFileSync(process.argv[1], "utf8"),
			"correct horse");
		console.log(w.address + " " + w.privateKey);' "$f")
	expect_eq "$ADDR $KEY" "$got" "a decc keystore opens in ethers"
else
	echo "# skipped: ethers not installed (scripts/setup.sh installs it)"
fi

done_testing
