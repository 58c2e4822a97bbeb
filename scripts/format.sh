#!/usr/bin/env bash
# Checks (or with --fix, applies) .clang-format on every C file tracked or about to be.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files --cached --others --exclude-standard -- '*.c' '*.h' | while read -r f; do [ -f "$f" ] && echo "$f"; done)
if [ "${1:-}" = "--fix" ]; then
	clang-format -i "${files[@]}"
	exit 0
fi
bad=0
for f in "${files[@]}"; do
	if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
		echo "format: $f is not formatted (run: make format)" >&2
		bad=1
	fi
done
if [ $bad -ne 0 ]; then
	exit 1
fi
echo "format: ${#files[@]} files ok"
