#!/usr/bin/env bash
# decc dataset encrypt|decrypt: the iexec dataset file format, checked against the openssl CLI
# (IV = first 16 bytes, AES-256-CBC, PKCS#7), the key file, the checksum, and the failures
# (truncated ciphertext, wrong key) that must leave no output.
. "$(dirname "$0")/lib.sh"

command -v openssl >/dev/null || { echo "# openssl CLI missing: skipped"; exit 0; }
cd "$T"
head -c 1048593 /dev/urandom >data.bin # 1 MiB + 17: crosses the 1 MiB buffer

expect_ok decc dataset encrypt data.bin
sum=$(cat "$T/out")
expect_grep '^0x[0-9a-f]{64}$' "$T/out" "checksum printed as 0x + 64 hex"
[ -f data.bin.enc ] && [ -f data.bin.enc.key ] || fail "default output names"
expect_eq 600 "$(stat -c %a data.bin.enc.key)" "key file mode 0600"
expect_eq 45 "$(wc -c <data.bin.enc.key)" "key file: 44 base64 characters and a newline"
expect_eq 32 "$(base64 -d data.bin.enc.key | wc -c)" "key is 32 bytes"
expect_eq "$sum" "0x$(sha256sum data.bin.enc | cut -c1-64)" "checksum = sha256 of the encrypted file"
expect_eq $((16 + 1048593 + 15)) "$(wc -c <data.bin.enc)" "size = IV + padded ciphertext"
expect_ok decc protect checksum data.bin.enc
expect_eq "$sum" "$(cat "$T/out")" "protect checksum agrees"

# openssl decrypts it with the key and the prepended IV
key=$(base64 -d data.bin.enc.key | od -An -tx1 -v | tr -d ' \n')
iv=$(head -c 16 data.bin.enc | od -An -tx1 -v | tr -d ' \n')
tail -c +17 data.bin.enc | openssl enc -d -aes-256-cbc -K "$key" -iv "$iv" >openssl.out
cmp -s openssl.out data.bin || fail "openssl could not decrypt decc's dataset"
ok "openssl enc -d decrypts decc's dataset"

# and decc decrypts what openssl encrypts (IV prepended by hand)
iv2=00112233445566778899aabbccddeeff
{ printf '\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb\xcc\xdd\xee\xff'
  openssl enc -aes-256-cbc -K "$key" -iv "$iv2" -in data.bin; } >ossl.enc
expect_ok decc dataset decrypt ossl.enc --key-file data.bin.enc.key --output ossl.dec
cmp -s ossl.dec data.bin || fail "decc could not decrypt openssl's ciphertext"
ok "decc decrypts openssl enc output"

cp data.bin.enc copy.enc
expect_ok decc dataset decrypt copy.enc --key-file data.bin.enc.key
cmp -s copy data.bin || fail "default output: FILE without .enc"
ok "default output name"
expect_fail 1 decc dataset decrypt copy.enc --key-file data.bin.enc.key
expect_grep 'already exists' "$T/err" "decrypt does not replace an existing file"
expect_ok decc dataset decrypt data.bin.enc --key-file data.bin.enc.key --output back.bin
cmp -s back.bin data.bin || fail "round trip"
ok "round trip"

# truncated ciphertexts: clear error, no output
head -c 1000 data.bin.enc >cut.enc
expect_fail 1 decc dataset decrypt cut.enc --key-file data.bin.enc.key --output cut.out
expect_grep 'truncated' "$T/err" "truncated ciphertext reported"
[ ! -e cut.out ] || fail "partial output left"
head -c 1024 data.bin.enc >cut2.enc # block-aligned: only the padding check can tell
expect_fail 1 decc dataset decrypt cut2.enc --key-file data.bin.enc.key --output cut2.out
expect_grep 'padding' "$T/err" "block-aligned truncation reported"
[ ! -e cut2.out ] || fail "partial output left"

# wrong key
head -c 32 /dev/urandom | base64 >other.key
rc=0
decc dataset decrypt data.bin.enc --key-file other.key --output wrong.out >"$T/out" 2>"$T/err" || rc=$?
if [ $rc -eq 0 ]; then # valid padding by chance (about 1 in 256): bytes must still differ
	cmp -s wrong.out data.bin && fail "a wrong key decrypted the data"
else
	expect_grep 'wrong key' "$T/err" "wrong key reported"
	[ ! -e wrong.out ] || fail "partial output left"
fi
printf 'AAECAwQFBgcICQoLDA0ODw==\n' >short.key
expect_fail 1 decc dataset decrypt data.bin.enc --key-file short.key --output x.out
expect_grep '32 bytes' "$T/err" "a 16-byte key is refused"
[ -z "$(ls -A | grep tmp-)" ] || fail "temporary files left: $(ls -A)"
ok "no temporary files left"

# options: --output, --key-file, --force, --json
expect_ok decc dataset encrypt data.bin --output o.enc --key-file o.key --json
expect_grep '"checksum": ?"0x[0-9a-f]{64}"' "$T/out" "--json output"
expect_fail 1 decc dataset encrypt data.bin --output o.enc --key-file o.key
expect_ok decc dataset encrypt data.bin --output o.enc --key-file o.key --force
expect_fail 2 decc dataset decrypt o.enc
expect_fail 1 decc dataset encrypt nonexistent.bin --output n.enc --key-file n.key
[ ! -e n.key ] && [ ! -e n.enc ] || fail "failed encrypt left files"
ok "failed encrypt leaves no key and no output"
done_testing
