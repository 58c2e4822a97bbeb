#!/usr/bin/env bash
# Start and stop a project-local anvil (installed by scripts/setup.sh) for tests.
#   scripts/anvil.sh start PORT PIDFILE [LOGFILE]   start on 127.0.0.1:PORT, wait until it answers
#   scripts/anvil.sh stop PIDFILE                   stop the anvil whose PID is in PIDFILE
#   scripts/anvil.sh path                           print the anvil binary's path
# anvil uses its default dev mnemonic: account 0 is 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266
# with the well-known private key 0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)

anvil_path() {
	local p
	for p in "$ROOT/tools/node/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil" \
		"$ROOT/tools/node/node_modules/.bin/anvil"; do
		if [ -x "$p" ]; then
			echo "$p"
			return 0
		fi
	done
	echo "anvil.sh: anvil is not installed under tools/node (run scripts/setup.sh)" >&2
	return 1
}

case "${1:-}" in
path)
	anvil_path
	;;
start)
	port=${2:?usage: anvil.sh start PORT PIDFILE [LOGFILE]}
	pidfile=${3:?usage: anvil.sh start PORT PIDFILE [LOGFILE]}
	log=${4:-/dev/null}
	bin=$(anvil_path)
	"$bin" --host 127.0.0.1 --port "$port" --silent >"$log" 2>&1 &
	pid=$!
	echo "$pid" >"$pidfile"
	for _ in $(seq 1 100); do
		if curl -s -m 1 -X POST -H 'Content-Type: application/json' \
			--data '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' \
			"http://127.0.0.1:$port" 2>/dev/null | grep -q '"result"'; then
			exit 0
		fi
		if ! kill -0 "$pid" 2>/dev/null; then
			echo "anvil.sh: anvil exited at start (port $port taken?)" >&2
			exit 1
		fi
		sleep 0.1
	done
	echo "anvil.sh: anvil did not answer on port $port within 10 s" >&2
	kill "$pid" 2>/dev/null || true
	exit 1
	;;
stop)
	pidfile=${2:?usage: anvil.sh stop PIDFILE}
	[ -f "$pidfile" ] || exit 0
	pid=$(cat "$pidfile")
	if kill "$pid" 2>/dev/null; then
		for _ in $(seq 1 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$pid" 2>/dev/null || true
	fi
	rm -f "$pidfile"
	;;
*)
	echo "usage: anvil.sh start PORT PIDFILE [LOGFILE] | stop PIDFILE | path" >&2
	exit 2
	;;
esac
