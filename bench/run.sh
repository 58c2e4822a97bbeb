#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# bench/run.sh [BUILD_DIR] [SECTION...]
#
# Runs decc's benchmarks and prints one markdown table: metric, decc, reference, ratio, target.
# BUILD_DIR defaults to ./build (it must contain bench/bench-*). Sections default to all of
# SECTIONS below; each is a function section_<name> that appends rows with `row`. To add one,
# write section_<name> and add <name> to SECTIONS.
#
# Timings: every measurement is repeated $RUNS times (default 5) and the median is kept. Rates
# are per second of CPU time (user + system) of the measured process: the machines this runs on
# are shared, and CPU time keeps other people's load out of the figures (wall-clock medians of
# the external commands are printed as notes below the table).
set -euo pipefail

BUILD=${1:-build}
[ $# -gt 0 ] && shift
SECTIONS=(crypto node store protect compute)
[ $# -gt 0 ] && SECTIONS=("$@")
RUNS=${RUNS:-5}
BENCH=$BUILD/bench

TMP=$(mktemp -d "${TMPDIR:-/tmp}/decc-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

ROWS=()
NOTES=()

# row METRIC DECC REFERENCE RATIO TARGET
row() { ROWS+=("| $1 | $2 | $3 | $4 | $5 |"); }
note() { NOTES+=("$1"); }

# median of the numbers on stdin
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) exit 1; print v[int((NR + 1) / 2)] }'; }

# times CMD...: run once, print "wall cpu" seconds (cpu = user + sys), command output discarded
times_of() {
	local TIMEFORMAT='%R %U %S' t
	t=$({ time "$@" >/dev/null 2>"$TMP/err"; } 2>&1) || {
		echo "bench: command failed: $*" >&2
		cat "$TMP/err" >&2
		exit 1
	}
	awk '{ printf "%.4f %.4f\n", $1, $2 + $3 }' <<<"$t"
}

# value_of CMD...: run a bench program RUNS times, print the median of the number it prints
value_of() {
	for _ in $(seq "$RUNS"); do "$@" | awk '{ print $2 }'; done | median
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
fmt() { awk -v v="$1" -v d="${2:-0}" 'BEGIN { printf "%.*f", d, v }'; }
# verdict VALUE MIN: "met" or "MISSED"
verdict() { awk -v v="$1" -v m="$2" 'BEGIN { print (v >= m) ? "met" : "MISSED" }'; }

section_crypto() {
	local exe=$BENCH/bench-crypto
	[ -x "$exe" ] || { echo "bench: $exe not found (build first)" >&2; exit 1; }

	# Keccak-256: reference is OpenSSL's SHA3-256 (same permutation and rate, assembly code)
	local kec ossl
	kec=$(value_of "$exe" keccak)
	ossl=$(openssl speed -seconds 3 -bytes 16384 -evp sha3-256 2>/dev/null |
		awk '$1 == "sha3-256" { sub(/k$/, "", $2); printf "%.1f", $2 * 1000 / 1e6 }')
	row "Keccak-256, 64 MiB in memory (MB/s)" "$(fmt "$kec")" \
		"$(fmt "$ossl") (openssl sha3-256)" "$(ratio "$kec" "$ossl")" \
		">= 400 MB/s: $(verdict "$kec" 400)"

	local sign rec
	sign=$(value_of "$exe" sign)
	row "secp256k1 recoverable signatures (/s, one core)" "$(fmt "$sign")" "—" "—" "—"
	rec=$(value_of "$exe" recover)
	row "secp256k1 public key recoveries (/s, one core)" "$(fmt "$rec")" "—" "—" \
		">= 15,000/s: $(verdict "$rec" 15000)"

	# AES-256-CBC of a 256 MiB file, decc_aes_cbc_fd vs `openssl enc`, same key, IV, files
	local in=$TMP/aes.in key iv
	head -c $((256 << 20)) /dev/urandom >"$in"
	key=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
	iv=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
	sync
	cat "$in" >/dev/null # page cache
	: >"$TMP/aes.decc"
	: >"$TMP/aes.ossl"
	# each run starts with no output file and no dirty pages (writeback of an earlier run is
	# otherwise charged to whoever writes next), and the order alternates
	aes_decc() {
		rm -f "$TMP/aes.out.decc" && sync
		times_of "$exe" aes "$in" "$TMP/aes.out.decc" "$key" "$iv" >>"$TMP/aes.decc"
	}
	aes_ossl() {
		rm -f "$TMP/aes.out.ossl" && sync
		times_of openssl enc -aes-256-cbc -K "$key" -iv "$iv" -in "$in" \
			-out "$TMP/aes.out.ossl" >>"$TMP/aes.ossl"
	}
	for i in $(seq "$RUNS"); do
		if [ $((i % 2)) -eq 1 ]; then aes_decc; aes_ossl; else aes_ossl; aes_decc; fi
	done
	cmp -s "$TMP/aes.out.decc" "$TMP/aes.out.ossl" ||
		{ echo "bench: decc and openssl ciphertexts differ" >&2; exit 1; }
	local mb=$((256 * 1048576)) dcpu ocpu dwall owall dr or
	dcpu=$(awk '{ print $2 }' "$TMP/aes.decc" | median)
	ocpu=$(awk '{ print $2 }' "$TMP/aes.ossl" | median)
	dwall=$(awk '{ print $1 }' "$TMP/aes.decc" | median)
	owall=$(awk '{ print $1 }' "$TMP/aes.ossl" | median)
	dr=$(awk -v b=$mb -v t="$dcpu" 'BEGIN { print b / 1e6 / t }')
	or=$(awk -v b=$mb -v t="$ocpu" 'BEGIN { print b / 1e6 / t }')
	row "AES-256-CBC encrypt, 256 MiB file to file (MB/s)" "$(fmt "$dr")" \
		"$(fmt "$or") (openssl enc)" "$(ratio "$dr" "$or")" \
		">= 0.9x: $(verdict "$(ratio "$dr" "$or")" 0.9)"
	note "AES wall-clock medians: decc ${dwall} s, openssl enc ${owall} s (CPU: ${dcpu} s vs ${ocpu} s); outputs identical."
	rm -f "$in" "$TMP"/aes.out.*
}

# decc node: acknowledged transactions per second (each answered only once its block is
# durable, fsync'd) and eth_call latency, against a real `decc node` process on loopback.
# Wall-clock rates (the node is the measured process; the load generator shares the cores).
section_node() {
	local exe=$BENCH/bench-node decc=$BUILD/decc port url pid
	[ -x "$exe" ] && [ -x "$decc" ] || { echo "bench: $exe or $decc not found" >&2; exit 1; }
	"$exe" genesis 256 >"$TMP/node-genesis.json"
	node_up() { # node_up DIR [ARGS...]
		local dir=$1
		shift
		port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
		url=http://127.0.0.1:$port
		"$decc" node --genesis "$TMP/node-genesis.json" --data "$dir" \
			--listen 127.0.0.1:"$port" "$@" 2>>"$TMP/node.log" &
		pid=$!
		for _ in $(seq 100); do curl -sf "$url/healthz" >/dev/null 2>&1 && return 0; sleep 0.05; done
		echo "bench: decc node did not start" >&2
		cat "$TMP/node.log" >&2
		exit 1
	}
	node_down() { kill "$pid"; wait "$pid" || true; rm -rf "$TMP/node-data"; }
	# node_rate ARGS...: median over RUNS of a fresh node + one load run, tx/s
	node_rate() {
		local mode=$1 senders=$2 per=$3 batch=$4
		shift 4
		for _ in $(seq "$RUNS"); do
			node_up "$TMP/node-data" "$@"
			"$exe" tx "$url" "$senders" "$per" "$batch" 0 | awk '{ for (i = 1; i <= NF; i++)
				if ($i ~ /^acknowledged=/) { sub(/acknowledged=/, "", $i); print $i } }'
			node_down
		done | median
	}
	local auto batched bt btb
	auto=$(node_rate auto 64 60 1)
	row "node: acknowledged transfers/s, automine, 64 clients (one tx per request)" \
		"$(fmt "$auto")" "—" "—" ">= 1,000 tx/s: $(verdict "$auto" 1000)"
	batched=$(node_rate auto 16 500 50)
	row "node: acknowledged transfers/s, automine, 16 clients x batches of 50" \
		"$(fmt "$batched")" "—" "—" ">= 5,000 tx/s: $(verdict "$batched" 5000)"
	bt=$(node_rate bt 256 10 1 --block-time 100)
	row "node: acknowledged transfers/s, --block-time 100, 256 clients" "$(fmt "$bt")" \
		"—" "—" "—"
	btb=$(node_rate bt 64 200 50 --block-time 100)
	row "node: acknowledged transfers/s, --block-time 100, 64 clients x batches of 50" \
		"$(fmt "$btb")" "—" "—" "—"
	# eth_call: a view of the hub when the native PoCo contracts answer, else a plain account
	node_up "$TMP/node-data"
	local to=0x4242424242424242424242424242424242424242 data=0x
	local hub=${DECC_BENCH_HUB:-}
	if [ -n "$hub" ]; then to=$hub data=0x06fdde03; fi # name()
	local out p50 p99
	out=$("$exe" call "$url" 4 5000 "$to" "$data")
	node_down
	p50=$(sed -n 's/.*p50=\([0-9.]*\)ms.*/\1/p' <<<"$out")
	p99=$(sed -n 's/.*p99=\([0-9.]*\)ms.*/\1/p' <<<"$out")
	row "node: eth_call latency p50 / p99 (ms, 4 clients, to $to data $data)" "$p50 / $p99" \
		"—" "—" "p99 < 2 ms: $(awk -v v="$p99" 'BEGIN { print (v < 2) ? "met" : "MISSED" }')"
	note "node: every rate counts only transactions acknowledged after their block was fsync'd (synchronous=FULL); wall clock, load generator on the same 2 cores."
}

# decc store: 256 MiB add and cat through the HTTP API with the decc client, the daemon's peak
# RSS (VmHWM) afterwards. Wall-clock MB/s (daemon and client share the 2 cores).
section_store() {
	local decc=$BUILD/decc port data=$TMP/store-data in=$TMP/store.in out=$TMP/store.out
	[ -x "$decc" ] || { echo "bench: $decc not found (build first)" >&2; exit 1; }
	port=$((20000 + RANDOM % 40000))
	head -c $((256 << 20)) /dev/urandom >"$in"
	"$decc" store --data "$data" --listen "127.0.0.1:$port" 2>"$TMP/store.log" &
	local pid=$!
	for _ in $(seq 1 100); do
		curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
		sleep 0.05
	done
	local api="http://127.0.0.1:$port" add cat cid t hwm
	for _ in $(seq "$RUNS"); do
		t=$(times_of "$decc" store add "$in" --api "$api")
		awk '{ print $1 }' <<<"$t"
	done | median >"$TMP/store.add"
	cid=$("$decc" store add "$in" --api "$api")
	for _ in $(seq "$RUNS"); do
		t=$(times_of "$decc" store cat "$cid" --api "$api" --output "$out")
		awk '{ print $1 }' <<<"$t"
	done | median >"$TMP/store.cat"
	cmp -s "$in" "$out" || { echo "bench: store cat returned other bytes" >&2; exit 1; }
	hwm=$(awk '/VmHWM/ { print $2 }' "/proc/$pid/status")
	kill -TERM "$pid"
	wait "$pid" || true
	add=$(awk -v s="$(cat "$TMP/store.add")" 'BEGIN { printf "%.1f", 256 * 1.048576 / s }')
	cat=$(awk -v s="$(cat "$TMP/store.cat")" 'BEGIN { printf "%.1f", 256 * 1.048576 / s }')
	row "store: add 256 MiB via HTTP API, decc client (MB/s, wall)" "$add" "—" "—" "—"
	row "store: cat 256 MiB via HTTP API, verified by the client (MB/s, wall)" "$cat" "—" \
		"—" "—"
	row "store: daemon peak RSS after $((RUNS + 1)) adds and $RUNS cats of 256 MiB (MiB)" \
		"$(fmt "$(awk -v k="$hwm" 'BEGIN { print k / 1024 }')" 1)" "—" "—" \
		"< 64 MiB: $(awk -v k="$hwm" 'BEGIN { print (k < 65536) ? "met" : "MISSED" }')"
	note "store: an add is answered once its blocks are flushed to disk (syncfs) and moved in; the client re-derives the CID while downloading."
}

# decc protect: a file protected end to end minus the upload (serialize into the DataProtector
# zip, encrypt AES-256-CBC with the IV prepended, sha256 checksum) against `openssl enc
# -aes-256-cbc` + `sha256sum` on the same file; peak RSS of the decc processes. PROTECT_MB sets
# the file size (default 1024).
section_protect() {
	local decc=$BUILD/decc mb=${PROTECT_MB:-1024} in=$TMP/protect.in z=$TMP/protect.zip
	local key iv t d_wall d_cpu o_wall o_cpu rss=0 r
	[ -x "$decc" ] || { echo "bench: $decc not found (build first)" >&2; exit 1; }
	[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is needed for peak RSS" >&2; exit 1; }
	head -c $((mb << 20)) /dev/urandom >"$in"
	key=$(head -c 32 /dev/urandom | od -An -tx1 -v | tr -d ' \n')
	iv=$(head -c 16 /dev/urandom | od -An -tx1 -v | tr -d ' \n')
	for _ in $(seq "$RUNS"); do
		rm -f "$z" "$z.enc" "$z.enc.key"
		d_wall=0 d_cpu=0
		t=$(times_of /usr/bin/time -f %M -o "$TMP/rss1" "$decc" protect serialize --file "$in" --output "$z")
		d_wall=$(awk -v a="$d_wall" -v b="${t% *}" 'BEGIN { print a + b }')
		d_cpu=$(awk -v a="$d_cpu" -v b="${t#* }" 'BEGIN { print a + b }')
		t=$(times_of /usr/bin/time -f %M -o "$TMP/rss2" "$decc" dataset encrypt "$z")
		d_wall=$(awk -v a="$d_wall" -v b="${t% *}" 'BEGIN { print a + b }')
		d_cpu=$(awk -v a="$d_cpu" -v b="${t#* }" 'BEGIN { print a + b }')
		for r in $(cat "$TMP/rss1" "$TMP/rss2"); do [ "$r" -gt "$rss" ] && rss=$r; done
		rm -f "$TMP/protect.ossl"
		t=$(times_of openssl enc -aes-256-cbc -K "$key" -iv "$iv" -in "$in" -out "$TMP/protect.ossl")
		o_wall=${t% *} o_cpu=${t#* }
		t=$(times_of sha256sum "$TMP/protect.ossl")
		o_wall=$(awk -v a="$o_wall" -v b="${t% *}" 'BEGIN { print a + b }')
		o_cpu=$(awk -v a="$o_cpu" -v b="${t#* }" 'BEGIN { print a + b }')
		echo "$d_wall $d_cpu $o_wall $o_cpu" >>"$TMP/protect.runs"
	done
	# the checksum printed by decc is the sha256 of the file it wrote
	[ "$("$decc" protect checksum "$z.enc")" = "0x$(sha256sum "$z.enc" | cut -c1-64)" ] ||
		{ echo "bench: protect checksum mismatch" >&2; exit 1; }
	local dc oc dw ow
	dw=$(awk '{ print $1 }' "$TMP/protect.runs" | median)
	dc=$(awk '{ print $2 }' "$TMP/protect.runs" | median)
	ow=$(awk '{ print $3 }' "$TMP/protect.runs" | median)
	oc=$(awk '{ print $4 }' "$TMP/protect.runs" | median)
	row "protect: $mb MiB file, serialize + encrypt + checksum (s, CPU)" "$(fmt "$dc" 2)" \
		"$(fmt "$oc" 2) (openssl enc + sha256sum)" "$(ratio "$dc" "$oc")" \
		"<= 1.3x: $(awk -v a="$dc" -v b="$oc" 'BEGIN { print (a <= 1.3 * b) ? "met" : "MISSED" }')"
	row "protect: same, wall clock (s)" "$(fmt "$dw" 2)" "$(fmt "$ow" 2)" "$(ratio "$dw" "$ow")" \
		"<= 1.3x: $(awk -v a="$dw" -v b="$ow" 'BEGIN { print (a <= 1.3 * b) ? "met" : "MISSED" }')"
	row "protect: peak RSS of the decc processes (MiB)" \
		"$(fmt "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')" 1)" "—" "—" \
		"< 64 MiB: $(awk -v k="$rss" 'BEGIN { print (k < 65536) ? "met" : "MISSED" }')"
	note "protect: decc writes the zip (STORED, libzip, CRC-32) then reads it once to encrypt and hash (OpenSSL SHA-256); the reference makes no zip but hashes in a second read with coreutils' sha256sum. Outputs are not fsync'ed on either side."
	rm -f "$in" "$z" "$z.enc" "$z.enc.key" "$TMP/protect.ossl"
}

# decc compute: a `decc devnet` with 2 TEE workers (bench/bench_compute.sh): end-to-end latency
# of the demo's TEE task (match to decrypted result) over LAT_RUNS (default 20) runs, one deal of
# DEAL_VOLUME (200) tasks at trust 1 (match to the last COMPLETED), idle RSS of every devnet
# process. Wall clock; run once (not RUNS times): the latency runs are its repetitions.
section_compute() {
	local runs=${COMPUTE_RUNS:-$RUNS} i
	for i in $(seq "$runs"); do
		bash "$(dirname "$0")/bench_compute.sh" "$BUILD" >"$TMP/compute-$i.out" ||
			{ cat "$TMP/compute-$i.out" >&2; exit 1; }
	done
	# kv KEY: the value of each run, space separated; med KEY: their median
	kv() { for i in $(seq "$runs"); do sed -n "s/^$1=//p" "$TMP/compute-$i.out"; done | paste -sd' '; }
	med() { kv "$1" | tr ' ' '\n' | median; }
	local p50 tps rss pp50
	p50=$(med e2e_p50_ms) tps=$(med deal_tasks_per_s) pp50=$(med process_p50_ms)
	rss=$(awk -v k="$(med idle_rss_kib)" 'BEGIN { printf "%.1f", k / 1024 }')
	row "compute: TEE task end to end, match to decrypted result, p50 / p95 (ms, $(med e2e_runs) tasks a run)" \
		"$p50 / $(med e2e_p95_ms)" "—" "—" "p50 <= 300 ms: $(awk -v v="$p50" 'BEGIN { print (v <= 300) ? "met" : "MISSED" }')"
	row "compute: decc protect process end to end (market, match, TEE task, result decrypted), p50 / p95 (ms, $(med e2e_runs) a run)" \
		"$pp50 / $(med process_p95_ms)" "—" "—" "p50 <= 300 ms: $(awk -v v="$pp50" 'BEGIN { print (v <= 300) ? "met" : "MISSED" }')"
	row "compute: deal of $(med deal_volume) TEE tasks, trust 1, 2 workers x $(med slots) slots (tasks/s, match to last COMPLETED)" \
		"$tps" "—" "—" ">= 20 tasks/s: $(verdict "$tps" 20)"
	row "compute: idle RSS of the devnet, $(med processes) processes (MiB)" "$rss" "—" "—" \
		"< 60 MiB: $(awk -v v="$rss" 'BEGIN { print (v < 60) ? "met" : "MISSED" }')"
	note "compute: medians of $runs devnet runs (COMPUTE_RUNS, default RUNS); each run: p50 $(kv e2e_p50_ms) ms, process p50 $(kv process_p50_ms) ms, $(kv deal_tasks_per_s) tasks/s, idle RSS $(kv idle_rss_kib) KiB; load average before/after the first run: $(sed -n 's/^load_before=//p' "$TMP/compute-1.out") / $(sed -n 's/^load_after=//p' "$TMP/compute-1.out")."
	note "compute: idle PSS (shared pages split) $(awk -v k="$(med idle_pss_kib)" 'BEGIN { printf "%.1f", k / 1024 }') MiB; RSS after the runs $(awk -v k="$(med after_rss_kib)" 'BEGIN { printf "%.1f", k / 1024 }') MiB; latency min/max over all runs $(kv e2e_min_ms | tr ' ' '\n' | sort -g | head -1)/$(kv e2e_max_ms | tr ' ' '\n' | sort -g | tail -1) ms."
	note "compute: the deal, first run: CPU ms per task of each devnet process (with the children it waited for) $(sed -n 's/^deal_cpu_ms_per_task=//p' "$TMP/compute-1.out"); machine busy $(sed -n 's/^deal_machine_busy_pct=//p' "$TMP/compute-1.out")% of $(nproc) CPUs."
}

# PoCo mix (bench/bench_poco.c): createApp, deposit, matchOrders, initialize,
# contributeAndFinalize (TEE), pre-signed, N client threads with one sender each, against
# `decc node` (automine, --block-time 100, one tx per request or batches of 50; a fresh node
# per run; a transaction is acknowledged when its answer arrives, after its block was fsync'd).
# Wall clock, medians over RUNS; then eth_call viewDeal / viewAccount on the hub, 4 clients x
# 5000 calls. decc node against anvil + PoCo: section poco_anvil.
poco_setup() {
	exe=$BENCH/bench-poco decc=$BUILD/decc
	anvil_sh=$(dirname "$0")/../scripts/anvil.sh
	art=$(cd "$(dirname "$0")/.." && pwd)/tools/node/poco-6.1.0
	[ -x "$exe" ] && [ -x "$decc" ] && [ -x "$BENCH/bench-node" ] ||
		{ echo "bench: $exe, $BENCH/bench-node or $decc not found" >&2; exit 1; }
	[ -f "$TMP/poco-genesis.json" ] || "$BENCH/bench-node" genesis 256 >"$TMP/poco-genesis.json"
	head -1 "$(dirname "$0")/../tests/vectors/diff/anvil-keys.txt" >"$TMP/anvil-pk0"
	# a port outside the ephemeral range (a client connection's local port may hold one there)
	poco_port() {
		local lo p
		read -r lo _ </proc/sys/net/ipv4/ip_local_port_range
		for _ in $(seq 50); do
			p=$((20000 + RANDOM % (lo - 20000)))
			(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
		done
		echo "bench: no free port" >&2
		exit 1
	}
	# poco_node_up DATA_DIR [NODE ARGS...]
	poco_node_up() {
		local dir=$1
		shift
		port=$(poco_port) url=http://127.0.0.1:$port data=$dir
		rm -rf "$data"
		"$decc" node --genesis "$TMP/poco-genesis.json" --data "$data" \
			--listen 127.0.0.1:"$port" "$@" 2>"$TMP/poco-node.log" &
		pid=$!
		for _ in $(seq 100); do curl -sf -m 1 "$url/healthz" >/dev/null 2>&1 && break; sleep 0.05; done
		hub=$(grep -o 'PoCo hub 0x[0-9a-fA-F]*' "$TMP/poco-node.log" | head -1 | cut -d' ' -f3)
		[ -n "$hub" ] || { echo "bench: decc node did not start" >&2; cat "$TMP/poco-node.log" >&2; exit 1; }
	}
	poco_node_down() { kill "$pid"; wait "$pid" || true; rm -rf "$data"; }
	# anvil in memory: --prune-history 64 (64 past states in memory, none on disk: by default anvil writes them to
	# ~/.foundry/anvil/tmp past its in-memory limit, gigabytes for a few thousand PoCo
	# transactions), --gas-limit 1e9 (decc node does not cap a block's gas; with 30M a burst of
	# batches leaves transactions pending and some were lost, 2026-12-06)
	poco_anvil_up() {
		local bin i
		bin=$("$anvil_sh" path) || exit 1
		port=$(poco_port) url=http://127.0.0.1:$port
		"$bin" --host 127.0.0.1 --port "$port" --silent --prune-history 64 \
			--gas-limit 1000000000 >"$TMP/anvil.log" 2>&1 &
		pid=$!
		for i in $(seq 100); do
			curl -s -m 1 -X POST -H 'Content-Type: application/json' \
				--data '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' \
				"$url" 2>/dev/null | grep -q '"result"' && break
			kill -0 "$pid" 2>/dev/null || { echo "bench: anvil exited" >&2; cat "$TMP/anvil.log" >&2; exit 1; }
			sleep 0.1
		done
		"$decc" --json evm deploy-poco --rpc "$url" --private-key-file "$TMP/anvil-pk0" \
			--artifacts "$art" --native >"$TMP/anvil-deploy.json" ||
			{ poco_anvil_down; exit 1; }
		hub=$(sed -n 's/.*"hub":"\(0x[0-9a-fA-F]*\)".*/\1/p' "$TMP/anvil-deploy.json")
	}
	poco_anvil_down() { kill "$pid"; wait "$pid" 2>/dev/null || true; }
	# field NAME FILE: the median over the file's lines of NAME=VALUE
	field() { sed -n "s/.*[ :]$1=\([0-9.]*\).*/\1/p" "$2" | median; }
	# poco_runs TAG BACKEND "BENCH ARGS" [NODE ARGS...]: RUNS fresh backends, one mix each;
	# BACKEND: node (data under $TMP), node-tmpfs (data in /dev/shm) or anvil
	poco_runs() {
		local tag=$1 backend=$2 args=$3
		shift 3
		: >"$TMP/poco-$tag.mix"
		: >"$TMP/poco-$tag.calls"
		for _ in $(seq "$RUNS"); do
			case $backend in
			node) poco_node_up "$TMP/poco-node" "$@" ;;
			node-tmpfs) poco_node_up "/dev/shm/decc-bench-$$" "$@" ;;
			anvil) poco_anvil_up ;;
			esac
			# shellcheck disable=SC2086
			"$exe" mix "$url" "$hub" $args >"$TMP/poco.out" 2>"$TMP/poco.err" || {
				cat "$TMP/poco.out" "$TMP/poco.err" >&2
				echo "bench: bench-poco failed ($tag)" >&2
				if [ "$backend" = anvil ]; then poco_anvil_down; else poco_node_down; fi
				exit 1
			}
			grep '^poco mix' "$TMP/poco.out" >>"$TMP/poco-$tag.mix"
			grep '^poco eth_call' "$TMP/poco.out" >>"$TMP/poco-$tag.calls" || true
			if [ "$backend" = anvil ]; then poco_anvil_down; else poco_node_down; fi
		done
	}
}

section_poco() {
	local exe decc anvil_sh art port url pid hub data
	poco_setup
	local c="--calls 4 5000"
	poco_runs n-auto node "64 10 1 $c"
	poco_runs n-batch node "16 50 50"
	poco_runs n-bt node "256 2 1" --block-time 100
	poco_runs n-btb node "64 20 50" --block-time 100
	local t r rate_n_auto="" rate_n_batch="" rate_n_bt="" rate_n_btb=""
	for t in n-auto n-batch n-bt n-btb; do
		r=$(field acknowledged "$TMP/poco-$t.mix")
		eval "rate_${t/-/_}=$r"
	done
	row "node: PoCo mix acknowledged tx/s, automine, 64 clients (one tx per request)" \
		"$(fmt "$rate_n_auto")" "—" "—" ">= 1,000 tx/s: $(verdict "$rate_n_auto" 1000)"
	row "node: PoCo mix acknowledged tx/s, automine, 16 clients x batches of 50" \
		"$(fmt "$rate_n_batch")" "—" "—" ">= 5,000 tx/s: $(verdict "$rate_n_batch" 5000)"
	row "node: PoCo mix acknowledged tx/s, --block-time 100, 256 clients (one tx per request)" \
		"$(fmt "$rate_n_bt")" "—" "—" "—"
	row "node: PoCo mix acknowledged tx/s, --block-time 100, 64 clients x batches of 50" \
		"$(fmt "$rate_n_btb")" "—" "—" "—"
	local view p50 p99
	for view in viewDeal viewAccount; do
		grep "eth_call $view:" "$TMP/poco-n-auto.calls" >"$TMP/poco-v"
		p50=$(field p50 "$TMP/poco-v") p99=$(field p99 "$TMP/poco-v")
		row "node: eth_call $view on the hub, p50 / p99 (ms, 4 clients x 5000)" "$p50 / $p99" \
			"—" "—" "p99 < 2 ms: $(awk -v v="$p99" 'BEGIN { print (v < 2) ? "met" : "MISSED" }')"
	done
	note "poco: mix = createApp, deposit, matchOrders, initialize, contributeAndFinalize (TEE), one sender per client; every transaction of every run had receipt status 1 (checked after the timed phase); decc node answers after its block is committed with synchronous=FULL (fsync per block). Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
}

# decc node vs anvil + PoCo 6.1.0 (deployed in native mode by `decc evm deploy-poco`, like the
# differential test): the same bench-poco client and mix on both, a fresh backend per run,
# 16 clients x POCO_ROUNDS rounds (default 10: 800 transactions; anvil slows down as its state
# grows, so the ratio depends on it), one transaction per request or batches of 50;
# every transaction acknowledged when its receipt is there (--receipts, on both sides: decc node
# answers after the commit, so its first poll finds it). decc node twice: data on disk
# (synchronous=FULL, fsync per block) and data in /dev/shm (tmpfs: the fsync is a no-op and
# nothing survives a reboot, the durability of anvil, which keeps its state in memory).
# Then eth_call viewDeal / viewAccount, 4 clients x 5000, on both.
section_poco_anvil() {
	local exe decc anvil_sh art port url pid hub data
	poco_setup
	local r=${POCO_ROUNDS:-10}
	local m="16 $r 1 --receipts" b="16 $r 50 --receipts" c="--calls 4 5000"
	poco_runs d-one node "$m $c"
	poco_runs m-one node-tmpfs "$m"
	poco_runs a-one anvil "$m --fund $c"
	poco_runs d-batch node "$b"
	poco_runs m-batch node-tmpfs "$b"
	poco_runs a-batch anvil "$b --fund"
	local t r_d_one="" r_m_one="" r_a_one="" r_d_batch="" r_m_batch="" r_a_batch=""
	local l_d_one="" l_m_one="" l_a_one="" l_d_batch="" l_m_batch="" l_a_batch=""
	for t in d-one m-one a-one d-batch m-batch a-batch; do
		eval "r_${t/-/_}=$(field acknowledged "$TMP/poco-$t.mix")"
		eval "l_${t/-/_}=\"$(field p50 "$TMP/poco-$t.mix") / $(field p99 "$TMP/poco-$t.mix")\""
	done
	row "PoCo mix tx/s, automine, 16 clients, one tx per request, $((80 * r)) txs: decc node (fsync) vs anvil + PoCo (memory)" \
		"$(fmt "$r_d_one")" "$(fmt "$r_a_one")" "$(ratio "$r_d_one" "$r_a_one")" \
		">= 5x: $(verdict "$(ratio "$r_d_one" "$r_a_one")" 5)"
	row "same, decc node data on tmpfs (equal durability: memory)" \
		"$(fmt "$r_m_one")" "$(fmt "$r_a_one")" "$(ratio "$r_m_one" "$r_a_one")" \
		">= 5x: $(verdict "$(ratio "$r_m_one" "$r_a_one")" 5)"
	row "PoCo mix tx/s, automine, 16 clients x batches of 50, $((80 * r)) txs: decc node (fsync) vs anvil + PoCo (memory)" \
		"$(fmt "$r_d_batch")" "$(fmt "$r_a_batch")" "$(ratio "$r_d_batch" "$r_a_batch")" \
		">= 5x: $(verdict "$(ratio "$r_d_batch" "$r_a_batch")" 5)"
	row "same, decc node data on tmpfs (equal durability: memory)" \
		"$(fmt "$r_m_batch")" "$(fmt "$r_a_batch")" "$(ratio "$r_m_batch" "$r_a_batch")" \
		">= 5x: $(verdict "$(ratio "$r_m_batch" "$r_a_batch")" 5)"
	row "PoCo mix request latency p50 / p99 (ms), one tx per request: fsync / tmpfs vs anvil" \
		"$l_d_one / $l_m_one" "$l_a_one" "—" "—"
	row "PoCo mix request latency p50 / p99 (ms), batches of 50: fsync / tmpfs vs anvil" \
		"$l_d_batch / $l_m_batch" "$l_a_batch" "—" "—"
	local view dp50 ap50
	for view in viewDeal viewAccount; do
		grep "eth_call $view:" "$TMP/poco-d-one.calls" >"$TMP/poco-v"
		dp50=$(field p50 "$TMP/poco-v")
		local d99
		d99=$(field p99 "$TMP/poco-v")
		grep "eth_call $view:" "$TMP/poco-a-one.calls" >"$TMP/poco-v"
		ap50=$(field p50 "$TMP/poco-v")
		row "eth_call $view on the hub, p50 / p99 (ms, 4 clients x 5000): decc node vs anvil" \
			"$dp50 / $d99" "$ap50 / $(field p99 "$TMP/poco-v")" "$(ratio "$ap50" "$dp50") (p50)" "—"
	done
	note "poco_anvil: anvil $("$("$anvil_sh" path)" --version | head -1 | cut -d' ' -f3) started with --prune-history 64 --gas-limit 1000000000, senders funded with anvil_setBalance; decc node with its defaults (automine, WAL, synchronous=FULL) and --data on disk or in /dev/shm; every transaction of every run had receipt status 1. Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
}

for s in "${SECTIONS[@]}"; do
	"section_$s"
done

echo "| metric | decc | reference | ratio | target |"
echo "|---|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"
if [ ${#NOTES[@]} -gt 0 ]; then
	echo
	printf -- '- %s\n' "${NOTES[@]}"
fi
echo
echo "($RUNS runs each, medians; $(nproc) cores; $(date -u +%Y-%m-%d))"
