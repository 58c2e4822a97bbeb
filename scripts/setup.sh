#!/usr/bin/env bash
# Installs everything decc needs on a fresh Debian 12 machine, idempotently:
#  - Debian packages (apt-get, as root; only the missing ones);
#  - Node packages into the project-local folder tools/node (never global):
#    ethers (interop checks), anvil (the scale-path chain), the PoCo 6.1.0 artifacts.
# Usage: scripts/setup.sh [--no-node]
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
	build-essential cmake ninja-build pkg-config clang clang-format
	libsecp256k1-dev libssl-dev openssl libsqlite3-dev
	libjansson-dev libcmocka-dev libzip-dev libarchive-dev libseccomp-dev
	bubblewrap busybox-static curl jq xxd
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done
# Node.js: the machine image ships it; Debian's packages are only a fallback.
if ! command -v npm >/dev/null 2>&1; then
	missing+=(nodejs npm)
fi
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup: installing ${missing[*]}"
	SUDO=""
	if [ "$(id -u)" -ne 0 ]; then
		SUDO=sudo
	fi
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ "${1:-}" = "--no-node" ]; then
	exit 0
fi

# Node packages, pinned in tools/node/package.json, installed into tools/node/node_modules.
NODE_DIR=tools/node
if [ ! -f "$NODE_DIR/node_modules/.decc-installed" ] ||
	[ "$NODE_DIR/package.json" -nt "$NODE_DIR/node_modules/.decc-installed" ]; then
	echo "setup: installing node packages into $NODE_DIR"
	(cd "$NODE_DIR" && npm install --no-audit --no-fund --loglevel=error 2>&1 |
		grep -v 'Unknown user config' || true)
	test -d "$NODE_DIR/node_modules/ethers" || { echo "setup: npm install failed" >&2; exit 1; }
	touch "$NODE_DIR/node_modules/.decc-installed"
fi

# PoCo artifacts: `npm install @iexec/poco` fails (git dependencies), `npm pack` works.
POCO_VERSION=6.1.0
POCO_DIR="$NODE_DIR/poco-$POCO_VERSION"
if [ ! -f "$POCO_DIR/package.json" ]; then
	echo "setup: fetching @iexec/poco@$POCO_VERSION artifacts"
	tmp=$(mktemp -d)
	(cd "$tmp" && npm pack "@iexec/poco@$POCO_VERSION" --loglevel=error 2>&1 |
		grep -v 'Unknown user config' || true)
	mkdir -p "$POCO_DIR"
	tar -xzf "$tmp"/iexec-poco-$POCO_VERSION.tgz -C "$POCO_DIR" --strip-components=1
	rm -rf "$tmp"
fi
echo "setup: ok"
