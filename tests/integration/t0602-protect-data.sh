#!/usr/bin/env bash
# decc protect serialize|read: the DataProtector zip end to end (JSON and file inputs, schema,
# read back, hostile zips refused), then protected data encrypted and decrypted.
. "$(dirname "$0")/lib.sh"
cd "$T"
V=$DECC_VECTORS/protect

data='{"email":"alice@example.org","age":42,"n":{"x":1.5,"ok":true},"big":{"$i128":"-5"}}'
expect_ok decc protect serialize --data "$data" --output a.zip --schema-out a.schema
schema='{"email":"string","age":"f64","n":{"x":"f64","ok":"bool"},"big":"i128"}'
expect_eq "$schema" "$(cat "$T/out")" "schema printed"
expect_eq "$schema" "$(cat a.schema)" "schema written"
expect_eq 600 "$(stat -c %a a.zip)" "plaintext zip is private (0600)"
expect_ok decc protect read a.zip --schema-file a.schema --json
expect_eq '{"email":"alice@example.org","age":42,"n":{"x":1.5,"ok":true},"big":{"$i128":"-5"}}' \
	"$(cat "$T/out")" "read gives back the input"
# what read prints can be serialized again, to the same bytes in every entry
cp "$T/out" read.json
expect_ok decc protect serialize --data-file read.json --output b.zip
for k in email age n.x n.ok big; do
	decc protect read a.zip --get $k --type application/octet-stream --output a.$k
	decc protect read b.zip --get $k --type application/octet-stream --output b.$k
	cmp -s a.$k b.$k || fail "entry $k differs after read + serialize"
done
ok "read + serialize round trip"
expect_ok decc protect read a.zip --schema "$schema" --get n.x
expect_eq 1.5 "$(cat "$T/out")" "--get n.x"
expect_ok decc protect read a.zip --get email --type string
expect_eq alice@example.org "$(cat "$T/out")" "--get with --type"
expect_fail 1 decc protect read a.zip --get email
expect_grep 'no type' "$T/err" "no type, no guess"
expect_fail 1 decc protect read a.zip --get nope --type string
expect_fail 1 decc protect read a.zip --get email --type f64

# DataProtector's own zip reads with its schema
expect_ok decc protect read "$V/dataprotector/dataprotector.zip" \
	--schema-file "$V/dataprotector/dataprotector.schema.json" --get nested.deeper.note
expect_eq 'héllo' "$(cat "$T/out")" "DataProtector zip read"

# bad inputs: one clear line, no output
expect_fail 1 decc protect serialize --data '{"a":[1,2]}' --output bad.zip
expect_grep 'arrays' "$T/err" "arrays refused"
expect_fail 1 decc protect serialize --data '{"a.b":1}' --output bad.zip
expect_fail 1 decc protect serialize --data '{"a":null}' --output bad.zip
[ ! -e bad.zip ] || fail "output left after a failure"
expect_fail 2 decc protect serialize --output bad.zip
expect_fail 1 decc protect serialize --data '{}' --output a.zip
expect_grep 'already exists' "$T/err" "no silent replace"

# files: one entry "file" typed by content
printf '%%PDF-1.4 fake' >doc.bin
expect_ok decc protect serialize --file doc.bin --output f.zip
expect_eq '{"file":"application/pdf"}' "$(cat "$T/out")" "file typed by its content"
expect_ok decc protect read f.zip --get file --type application/pdf --output doc.back
cmp -s doc.bin doc.back || fail "file extracted"
ok "file extracted"

# hostile zips
for z in dotdot absolute backslash duplicate nul leaf-and-dir many; do
	expect_fail 1 decc protect read "$V/hostile/$z.zip"
done
ok "hostile zips refused with one line"

# protect, encrypt, decrypt, read: the whole local chain
expect_ok decc dataset encrypt a.zip --output a.zip.enc --key-file a.key
expect_ok decc dataset decrypt a.zip.enc --key-file a.key --output a2.zip
expect_ok decc protect read a2.zip --schema-file a.schema --get big
expect_eq -5 "$(cat "$T/out")" "serialize, encrypt, decrypt, read"
done_testing
