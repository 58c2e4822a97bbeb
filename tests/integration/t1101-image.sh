#!/usr/bin/env bash
# decc image build|digest|run and the demo iApp (examples/hello-iapp): deterministic builds,
# digests that match, a run with and without a DataProtector dataset, the digest check,
# arguments, the timeout, no network, read-only input, and usage errors.
. "$(dirname "$0")/lib.sh"

if [ ! -x /bin/busybox ] || ! command -v bwrap >/dev/null; then
	echo "skip: needs busybox-static and bubblewrap (scripts/setup.sh)"
	exit 0
fi
C="$T/cache"
B="$DECC_SRC/examples/hello-iapp/build.sh"

# --- build: deterministic, the digest printed is the one measured
DECC_BIN="$DECC_BIN" sh "$B" "$T/hello.tar" >"$T/d1"
DECC_BIN="$DECC_BIN" sh "$B" "$T/hello2.tar" >"$T/d2"
cmp -s "$T/hello.tar" "$T/hello2.tar" || fail "two builds differ"
expect_eq "$(cat "$T/d1")" "$(cat "$T/d2")" "same digest twice"
grep -Eq '^0x[0-9a-f]{64}$' "$T/d1" || fail "digest format: $(cat "$T/d1")"
ok "hello-iapp builds deterministically: $(cat "$T/d1")"
expect_ok decc image digest "$T/hello.tar" --cache "$C"
expect_eq "$(cat "$T/d1")" "$(cat "$T/out")" "image digest = build digest"
expect_ok decc image digest "$T/hello.tar" --cache "$C" --json
expect_eq "$(cat "$T/d1")" "$(jq -r .digest "$T/out")" "json digest"
ok "image digest matches the build"
# the archive is a plain OCI layout: tar lists it, and a digest is the sha256 of its blob
tar -tf "$T/hello.tar" >"$T/list"
expect_grep '^oci-layout$' "$T/list" "oci-layout in the archive"
expect_grep '^index.json$' "$T/list" "index.json in the archive"
mkdir "$T/lay" && tar -C "$T/lay" -xf "$T/hello.tar"
d=$(cut -c3- "$T/d1")
expect_eq "$d" "$(sha256sum "$T/lay/blobs/sha256/$d" | cut -c1-64)" "manifest blob hash"
expect_ok decc image digest "$T/lay" --cache "$C"
expect_eq "$(cat "$T/d1")" "$(cat "$T/out")" "layout dir digest"
ok "OCI layout checked by hand (sha256sum of the manifest blob)"

# --- a build with options, read back through the config
mkdir -p "$T/tree/bin"
cp /bin/busybox "$T/tree/bin/busybox"
ln -s busybox "$T/tree/bin/sh"
ln -s busybox "$T/tree/bin/env"
ln -s busybox "$T/tree/bin/pwd"
mkdir "$T/tree/w"
expect_ok decc image build "$T/tree" -o "$T/opt.tar" --entrypoint /bin/sh --entrypoint -c \
	--cmd 'echo cmd; pwd; env | sort' --env PATH=/bin --env A=1 --workdir /w --user 1000:1000
expect_ok decc image run "$T/opt.tar" --cache "$C" --out "$T/o1" --env B=2
expect_grep '^cmd$' "$T/out" "Cmd used without --args"
expect_grep '^/w$' "$T/out" "WorkingDir"
expect_grep '^A=1$' "$T/out" "image Env"
expect_grep '^B=2$' "$T/out" "extra env"
expect_ok decc image run "$T/opt.tar" --cache "$C" --out "$T/o1" --args "'echo from-args; id -u'"
expect_grep '^from-args$' "$T/out" "--args replace Cmd"
expect_grep '^1000$' "$T/out" "image user"
ok "build options (entrypoint, cmd, env, workdir, user) honoured by run"

# --- run without a dataset: greeting with the args, computed.json
expect_ok decc image run "$T/hello.tar" --cache "$C" --out "$T/out1" --args "Alice 'and Bob'" \
	--env IEXEC_OUT=/iexec_out
expect_grep '^exit code: 0$' "$T/out" "exit code shown"
expect_eq "Hello, Alice and Bob! (no protected data was given)" "$(cat "$T/out1/result.txt")" "greeting"
expect_eq '/iexec_out/result.txt' "$(jq -r '."deterministic-output-path"' "$T/out1/computed.json")" \
	"computed.json"
ok "hello-iapp without dataset"

# --- run with a DataProtector dataset
mkdir "$T/in"
expect_ok decc protect serialize --data '{"email":"alice.smith@example.org","age":42}' \
	--output "$T/in/protected.zip"
expect_ok decc image run "$T/hello.tar" --cache "$C" --in "$T/in" --out "$T/out2" \
	--env IEXEC_DATASET_FILENAME=protected.zip --env IEXEC_IN=/iexec_in --env IEXEC_OUT=/iexec_out \
	--digest "$(cat "$T/d1")" --json
expect_eq 0 "$(jq -r .exitCode "$T/out")" "json exit code"
expect_eq "Hello! I read a protected record; its email has 23 characters and ends in @example.org." \
	"$(cat "$T/out2/result.txt")" "result from the protected record"
grep -q 'alice.smith' "$T/out2/result.txt" && fail "the address leaked into the result"
grep -q 'alice.smith' "$T/out" && fail "the address leaked into the output"
ok "hello-iapp reads the email of a protected zip (decc protect serialize) without leaking it"
if command -v python3 >/dev/null; then
	# the same record with a deflated entry (zip tools other than DataProtector do that)
	python3 -c "
import struct, sys, zipfile
e = b'bob@deflate.example'
with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:
    z.writestr('email', struct.pack('<I', len(e)) + e)
" "$T/in/deflated.zip"
	expect_ok decc image run "$T/hello.tar" --cache "$C" --in "$T/in" --out "$T/out2d" \
		--env IEXEC_DATASET_FILENAME=deflated.zip
	expect_eq "Hello! I read a protected record; its email has 19 characters and ends in @deflate.example." \
		"$(cat "$T/out2d/result.txt")" "deflated entry read by busybox unzip"
	ok "a deflated email entry is read too"
fi
expect_fail 1 decc image run "$T/hello.tar" --cache "$C" --in "$T/in" --out "$T/out3" \
	--env IEXEC_DATASET_FILENAME=missing.zip
expect_grep 'exited with 1' "$T/err" "app failure reported"
ok "a missing dataset makes the app fail (exit 1)"

# --- digest check, timeout, sandbox properties
expect_fail 1 decc image run "$T/hello.tar" --cache "$C" --out "$T/out4" \
	--digest 0x0000000000000000000000000000000000000000000000000000000000000001
expect_grep 'not the expected' "$T/err" "digest mismatch message"
[ -e "$T/out4/computed.json" ] && fail "app ran despite the digest mismatch"
ok "wrong --digest refused before running"
expect_fail 1 decc image run "$T/opt.tar" --cache "$C" --out "$T/o2" --args "'sleep 100'" --timeout 1
expect_grep 'timed out' "$T/out" "timeout shown"
ok "timeout kills the app"
echo secret-host-file >"$T/in/plain.txt"
expect_ok decc image run "$T/opt.tar" --cache "$C" --in "$T/in" --out "$T/o3" --args \
	"'cat /iexec_in/plain.txt; echo x > /iexec_in/new || echo RO; ls /work /home 2>&1 || echo HIDDEN; echo x > /iexec_out/w && echo RW'"
expect_grep '^secret-host-file$' "$T/out" "input readable"
expect_grep '^RO$' "$T/out" "input read-only"
expect_grep '^HIDDEN$' "$T/out" "host dirs hidden"
expect_grep '^RW$' "$T/out" "output writable"
[ -e "$T/in/new" ] && fail "wrote into the input"
ok "input read-only, output writable, host hidden"
port=$(free_port)
(busybox nc -l -p "$port" -s 127.0.0.1 >"$T/nc.got" 2>/dev/null &
	echo $! >"$T/nc.pid")
sleep 0.3
ln -s busybox "$T/tree/bin/nc"
expect_ok decc image build "$T/tree" -o "$T/net.tar" --entrypoint /bin/sh --entrypoint -c --env PATH=/bin
expect_ok decc image run "$T/net.tar" --cache "$C" --out "$T/o4" --args "'echo leak | nc 127.0.0.1 $port; echo rc=\$?'"
expect_grep 'rc=1' "$T/out" "no network"
kill "$(cat "$T/nc.pid")" 2>/dev/null || true
[ -s "$T/nc.got" ] && fail "the app reached the host"
ok "no network by default"

# --- usage errors
expect_fail 2 decc image build "$T/tree"
expect_fail 2 decc image run "$T/hello.tar"
expect_fail 2 decc image run "$T/hello.tar" --out "$T/o5" --env NOEQUAL
expect_fail 2 decc image frobnicate
expect_fail 1 decc image digest "$T/nonexistent.tar" --cache "$C"
mkfifo "$T/tree/fifo"
expect_fail 1 decc image build "$T/tree" -o "$T/bad.tar"
ok "usage and input errors"
echo "t1101: $_nok checks passed"
