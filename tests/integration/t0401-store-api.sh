#!/usr/bin/env bash
# decc store: the IPFS HTTP API subset (add, cat, gateway) driven with curl and with the decc
# client; CIDs equal to the ipfs-unixfs-importer vectors; failures leave nothing behind; a
# corrupted block fails the download; a 100 MiB round trip keeps the daemon's memory small.
. "$(dirname "$0")/lib.sh"

command -v curl >/dev/null || { echo "# skipped: curl is not installed"; exit 0; }
command -v python3 >/dev/null || { echo "# skipped: python3 is not installed"; exit 0; }

VEC="$DECC_VECTORS/cid/unixfs-v1.txt"
D="$T/store"
PORT=$(free_port)
API="http://127.0.0.1:$PORT"
spawn "$DECC_BIN" store --data "$D" --listen "127.0.0.1:$PORT" --max-size 200M 2>"$T/store.log"
STORE_PID=$SPAWNED
for _ in $(seq 1 100); do
	curl -sf "$API/healthz" >/dev/null 2>&1 && break
	sleep 0.05
done
expect_eq "ok" "$(curl -sf "$API/healthz")" "healthz answers"

nblocks() { find "$D/blocks" -type f | wc -l; }
vector() { awk -v n="$1" '$1 == n { print $3 }' "$VEC"; }
vsize() { awk -v n="$1" '$1 == n { print $4 }' "$VEC"; }
# the pattern of tests/vectors/cid/README.md
pattern() {
	python3 - "$1" "$2" <<'EOF'
import sys
n, s, out = int(sys.argv[1]), 0x12345678, bytearray()
for _ in range(n):
    s = (s * 1664525 + 1013904223) & 0xffffffff
    out.append(s >> 24)
open(sys.argv[2], "wb").write(out)
EOF
}

: >"$T/empty"
printf 'a' >"$T/one-byte-a"
printf 'hello world\n' >"$T/hello-world"
for n in 262143 262144 262145 1048576; do
	pattern $n "$T/pattern-$n"
done

# --- add with curl: kubo's answer shape, CIDs of the vectors
for name in empty one-byte-a hello-world pattern-262143 pattern-262144 pattern-262145 \
	pattern-1048576; do
	want="{\"Name\":\"$name\",\"Hash\":\"$(vector $name)\",\"Size\":\"$(vsize $name)\"}"
	got=$(curl -sS -F "file=@$T/$name" "$API/api/v0/add")
	expect_eq "$want" "$got" "curl add $name"
done

# --- add with the decc client; cat, gateway and decc cat give the same bytes back
for name in hello-world pattern-262145 pattern-1048576; do
	expect_ok decc store add "$T/$name" --api "$API"
	expect_eq "$(vector $name)" "$(cat "$T/out")" "decc store add $name"
	cid=$(vector $name)
	curl -sS -X POST "$API/api/v0/cat?arg=$cid" -o "$T/cat.out"
	cmp -s "$T/$name" "$T/cat.out" || fail "cat $name returns other bytes"
	ok "api cat $name"
	curl -sS "$API/ipfs/$cid" -o "$T/gw.out"
	cmp -s "$T/$name" "$T/gw.out" || fail "gateway $name returns other bytes"
	ok "gateway $name"
	expect_ok decc store cat "$cid" --api "$API" --output "$T/dcat.out"
	cmp -s "$T/$name" "$T/dcat.out" || fail "decc store cat $name returns other bytes"
	ok "decc store cat $name"
done
expect_ok decc store add "$T/hello-world" --api "$API" --json
expect_grep "\"cid\": *\"$(vector hello-world)\"" "$T/out" "decc store add --json"

# --- errors: kubo's JSON shape, nothing stored
before=$(nblocks)
code=$(curl -sS -o "$T/body" -w '%{http_code}' -X POST "$API/api/v0/cat?arg=notacid")
expect_eq 400 "$code" "bad CID is HTTP 400"
expect_grep '^\{"Message":"[^"]+","Code":1,"Type":"error"\}$' "$T/body" "bad CID error shape"
missing=bafkreiaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
code=$(curl -sS -o "$T/body" -w '%{http_code}' -X POST "$API/api/v0/cat?arg=$missing")
expect_eq 500 "$code" "unknown CID is HTTP 500 on the API"
expect_grep '"Code":0,"Type":"error"' "$T/body" "unknown CID error shape"
code=$(curl -sS -o /dev/null -w '%{http_code}' "$API/ipfs/$missing")
expect_eq 404 "$code" "unknown CID is HTTP 404 on the gateway"
code=$(curl -sS -o /dev/null -w '%{http_code}' "$API/api/v0/cat?arg=$missing")
expect_eq 405 "$code" "cat with GET is refused"

# truncated multipart: no closing boundary
printf -- '--XyZ\r\nContent-Disposition: form-data; name="file"; filename="t"\r\n\r\n' \
	>"$T/trunc"
head -c 300000 "$T/pattern-1048576" >>"$T/trunc"
code=$(curl -sS -o "$T/body" -w '%{http_code}' -H 'Content-Type: multipart/form-data; boundary=XyZ' \
	--data-binary "@$T/trunc" "$API/api/v0/add")
expect_eq 400 "$code" "truncated multipart is HTTP 400"
expect_grep 'truncated' "$T/body" "truncated multipart message"
# bytes that do not match the expected CID (decc's expect= parameter)
code=$(curl -sS -o "$T/body" -w '%{http_code}' -F "file=@$T/pattern-262143" \
	"$API/api/v0/add?expect=$(vector pattern-262144)")
expect_eq 400 "$code" "upload not matching expect= is HTTP 400"
expect_grep 'do not match the expected CID' "$T/body" "expect mismatch message"
code=$(curl -sS -o "$T/body" -w '%{http_code}' -F "file=@$T/pattern-262143" \
	"$API/api/v0/add?cid-version=0")
expect_eq 400 "$code" "cid-version=0 is refused"
expect_eq "$before" "$(nblocks)" "failed uploads stored no block"
expect_eq "" "$(ls "$D/tmp")" "failed uploads left no staging file"

# --- a second daemon with a 1 MiB limit: a larger chunked upload is refused, nothing left
D2="$T/small"
PORT2=$(free_port)
spawn "$DECC_BIN" store --data "$D2" --listen "127.0.0.1:$PORT2" --max-size 1M --max-uploads 1 \
	2>"$T/small.log"
for _ in $(seq 1 100); do
	curl -sf "http://127.0.0.1:$PORT2/healthz" >/dev/null 2>&1 && break
	sleep 0.05
done
cat "$T/pattern-1048576" "$T/pattern-262145" >"$T/over"
code=$(curl -sS -o "$T/body" -w '%{http_code}' -H 'Transfer-Encoding: chunked' \
	-F "file=@$T/over" "http://127.0.0.1:$PORT2/api/v0/add")
expect_eq 413 "$code" "over --max-size (chunked) is HTTP 413"
code=$(curl -sS -o "$T/body" -w '%{http_code}' -F "file=@$T/over" \
	"http://127.0.0.1:$PORT2/api/v0/add")
expect_eq 413 "$code" "over --max-size (Content-Length) is HTTP 413"
expect_eq 0 "$(find "$D2/blocks" -type f | wc -l)" "oversized uploads stored no block"
expect_eq "" "$(ls "$D2/tmp")" "oversized uploads left no staging file"
code=$(curl -sS -o /dev/null -w '%{http_code}' -F "file=@$T/pattern-1048576" \
	"http://127.0.0.1:$PORT2/api/v0/add")
expect_eq 200 "$code" "exactly --max-size is accepted"
# --max-uploads 1: a second upload while a slow one runs is refused; the slow client then
# vanishes mid-upload and its staged blocks are removed
curl -sS -o /dev/null --limit-rate 100k -F "file=@$T/pattern-262145" \
	"http://127.0.0.1:$PORT2/api/v0/add" 2>/dev/null &
slow=$!
for _ in $(seq 1 100); do
	[ -n "$(ls "$D2/tmp")" ] && break
	sleep 0.05
done
code=$(curl -sS -o "$T/body" -w '%{http_code}' -F "file=@$T/hello-world" \
	"http://127.0.0.1:$PORT2/api/v0/add")
expect_eq 503 "$code" "over --max-uploads is HTTP 503"
kill "$slow" 2>/dev/null || true
wait "$slow" 2>/dev/null || true
for _ in $(seq 1 100); do
	[ -z "$(ls "$D2/tmp")" ] && break
	sleep 0.05
done
expect_eq "" "$(ls "$D2/tmp")" "an upload cut by the client left no staging file"
code=$(curl -sS -o /dev/null -w '%{http_code}' -F "file=@$T/hello-world" \
	"http://127.0.0.1:$PORT2/api/v0/add")
expect_eq 200 "$code" "the upload slot is free again"

# --- 100 MiB round trip: the daemon's peak RSS stays small
head -c 104857600 /dev/urandom >"$T/big"
expect_ok decc store add "$T/big" --api "$API"
bigcid=$(cat "$T/out")
curl -sS "$API/ipfs/$bigcid" | cmp -s - "$T/big" || fail "100 MiB gateway round trip"
ok "100 MiB round trip"
hwm=$(awk '/VmHWM/ { print $2 }' "/proc/$STORE_PID/status")
echo "# decc store VmHWM after a 100 MiB upload and download: $hwm kB"
if grep -qa __asan_init "$DECC_BIN"; then
	echo "# AddressSanitizer build: peak RSS recorded, not checked"
else
	[ "$hwm" -lt 131072 ] || fail "decc store peak RSS $hwm kB (bound 128 MiB)"
	ok "peak RSS bounded ($hwm kB)"
fi

# --- a corrupted block: the download fails, never other bytes
cid=$(vector pattern-1048576)
# its first leaf is the whole of pattern-262144
leaf=$(find "$D/blocks" -type f -name "$(vector pattern-262144)")
[ -n "$leaf" ] || fail "first leaf of pattern-1048576 not found"
printf 'X' | dd of="$leaf" bs=1 seek=1000 conv=notrunc 2>/dev/null
rc=0
curl -sS -X POST "$API/api/v0/cat?arg=$cid" -o "$T/corrupt.out" 2>/dev/null || rc=$?
[ $rc -ne 0 ] || fail "corrupted cat succeeded"
ok "corrupted block: API cat fails (curl exit $rc)"
expect_fail 1 decc store cat "$cid" --api "$API" --output "$T/corrupt2.out"
[ ! -e "$T/corrupt2.out" ] || fail "decc store cat left a file after a failure"
ok "corrupted block: decc store cat fails, no output file"
expect_grep 'corrupted on disk' "$T/store.log" "the daemon logs the corrupted block"

# --- SIGTERM stops the daemon cleanly
kill -TERM "$STORE_PID"
rc=0
wait "$STORE_PID" || rc=$?
expect_eq 0 "$rc" "SIGTERM: exit 0"
expect_grep 'stopped' "$T/store.log" "SIGTERM: logged"

done_testing
