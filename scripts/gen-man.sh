#!/bin/sh
# Renders the command pages docs/cmd/decc-*.md as roff man pages (section 1) into OUTDIR
# (default: docs/man). Needs only awk: no pandoc.
# Usage: scripts/gen-man.sh [OUTDIR [PAGE.md...]]
set -eu
here=$(dirname "$0")
root=$(cd "$here/.." && pwd)
outdir=${1:-$root/docs/man}
[ $# -gt 0 ] && shift
if [ $# -eq 0 ]; then
	set -- "$root"/docs/cmd/decc*.md
fi
version=$(sed -n 's/^#define DECC_VERSION "\(.*\)"$/\1/p' "$root/include/decc/common.h")
mkdir -p "$outdir"
for md in "$@"; do
	base=$(basename "$md" .md)
	awk -v mode=man -v version="$version" -f "$here/md2doc.awk" "$md" >"$outdir/$base.1.tmp"
	mv "$outdir/$base.1.tmp" "$outdir/$base.1"
done
