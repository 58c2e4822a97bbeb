# Shared by tests/integration/t02xx-node-*.sh: start/stop `decc node` on a random port.
# Not a test itself (the CTest glob takes only tNNNN-*.sh).
set -euo pipefail
: "${DECC_BIN:?DECC_BIN must point to the decc binary}"
: "${DECC_SRC:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${DECC_VECTORS:=$DECC_SRC/tests/vectors}"
GENESIS=$DECC_VECTORS/genesis/dev.json
export NODE_PATH=$DECC_SRC/tools/node/node_modules
TMP=$(mktemp -d)
NODE_PID=
cleanup() {
	if [ -n "$NODE_PID" ]; then kill "$NODE_PID" 2>/dev/null || true; wait "$NODE_PID" 2>/dev/null || true; fi
	rm -rf "$TMP"
}
trap cleanup EXIT

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# start_node DATA_DIR [extra args...]: sets NODE_PID, PORT, URL; waits for /healthz.
start_node() {
	local data=$1
	shift
	PORT=$(free_port)
	URL=http://127.0.0.1:$PORT
	"$DECC_BIN" node --genesis "$GENESIS" --data "$data" --listen 127.0.0.1:"$PORT" "$@" \
		2>>"$TMP/node.log" &
	NODE_PID=$!
	for _ in $(seq 1 100); do
		if curl -sf "$URL/healthz" >/dev/null 2>&1; then return 0; fi
		if ! kill -0 "$NODE_PID" 2>/dev/null; then cat "$TMP/node.log" >&2; echo "node died" >&2; exit 1; fi
		sleep 0.05
	done
	echo "node did not answer /healthz" >&2
	exit 1
}

stop_node() {
	kill "$NODE_PID"
	wait "$NODE_PID"
	NODE_PID=
}

# rpc METHOD PARAMS_JSON: prints the whole response
rpc() {
	curl -s -H 'Content-Type: application/json' \
		-d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$1\",\"params\":$2}" "$URL"
}

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

expect_eq() { # expect_eq GOT WANT WHAT
	[ "$1" = "$2" ] || fail "$3: got '$1', want '$2'"
}

# Dev account 0 (anvil/hardhat test mnemonic) and 1.
SK0=0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80
ADDR0=0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266
SK1=0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d
ADDR1=0x70997970C51812dc3A010C7d01b50e0d17dc79C8
