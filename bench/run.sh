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
SECTIONS=(crypto)
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
