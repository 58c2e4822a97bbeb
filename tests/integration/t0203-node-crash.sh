#!/usr/bin/env bash
# kill -9 during a load of transactions, restart: every acknowledged transaction has a
# receipt, and balances and nonces equal a replay of the transactions the chain holds
# (acknowledged ones plus any committed whose answer was lost in the kill).
. "$(dirname "$0")/node-lib.sh"
[ -d "$NODE_PATH/ethers" ] || { echo "SKIP: ethers not installed (scripts/setup.sh)"; exit 0; }
start_node "$TMP/data"

cat >"$TMP/load.cjs" <<'JS'
// Four senders in parallel, each sending transfers in nonce order until the node dies.
const { ethers } = require("ethers");
const fs = require("fs");
const [url, out] = process.argv.slice(2);
const keys = [
	"0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
	"0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
	"0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
	"0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
];
const to = ["0x1000000000000000000000000000000000000001", "0x1000000000000000000000000000000000000002",
	"0x1000000000000000000000000000000000000003"];
const provider = new ethers.JsonRpcProvider(url, undefined, { staticNetwork: true, batchMaxCount: 1 });
async function run(k, idx) {
	const w = new ethers.Wallet(k);
	for (let nonce = 0; ; nonce++) {
		const tx = { to: to[nonce % 3], value: BigInt(1000 + idx * 7 + nonce), nonce, gasLimit: 21000n,
			chainId: 65535n, maxFeePerGas: 3000000000n, maxPriorityFeePerGas: 1000000000n, type: 2 };
		const raw = await w.signTransaction(tx);
		const hash = ethers.keccak256(raw);
		fs.appendFileSync(out + ".sent", `${hash} ${w.address} ${nonce}\n`);
		let h;
		try { h = await provider.send("eth_sendRawTransaction", [raw]); } catch (e) { return; }
		if (h !== hash) { console.error("hash mismatch", h, hash); process.exit(1); }
		fs.appendFileSync(out + ".acked", `${hash}\n`);
	}
}
Promise.all(keys.map(run)).then(() => process.exit(0));
JS
node "$TMP/load.cjs" "$URL" "$TMP/txs" 2>/dev/null &
LOAD=$!
sleep 2.5
kill -9 "$NODE_PID"
wait "$NODE_PID" 2>/dev/null || true
NODE_PID=
wait "$LOAD" || true
nacked=$(wc -l <"$TMP/txs.acked")
[ "$nacked" -gt 20 ] || fail "only $nacked transactions acknowledged before the kill"

start_node "$TMP/data"
cat >"$TMP/check.cjs" <<'JS'
const { ethers } = require("ethers");
const fs = require("fs");
const [url, base, genesisPath] = process.argv.slice(2);
function check(c, what) { if (!c) { console.error("FAIL: " + what); process.exit(1); } }
(async () => {
	const p = new ethers.JsonRpcProvider(url, undefined, { staticNetwork: true });
	const genesis = JSON.parse(fs.readFileSync(genesisPath));
	const acked = new Set(fs.readFileSync(base + ".acked", "utf8").trim().split("\n"));
	const sent = fs.readFileSync(base + ".sent", "utf8").trim().split("\n").map((l) => l.split(" "));
	const expect = new Map(); // address (lowercase) -> balance delta
	const add = (a, v) => expect.set(a.toLowerCase(), (expect.get(a.toLowerCase()) || 0n) + v);
	const nonces = new Map();
	let present = 0;
	const rcs = await Promise.all(sent.map(([h]) => p.getTransactionReceipt(h)));
	const txs = await Promise.all(sent.map(([h], i) => (rcs[i] ? p.getTransaction(h) : null)));
	for (const [i, [hash, from, nonce]] of sent.entries()) {
		const rc = rcs[i];
		if (acked.has(hash)) check(rc !== null, "acknowledged " + hash + " lost");
		const n = nonces.get(from) ?? 0;
		if (!rc) continue;
		check(Number(nonce) === n, `nonce gap for ${from}: ${nonce} after ${n}`);
		nonces.set(from, n + 1);
		check(rc.status === 1, "status of " + hash);
		const tx = txs[i];
		const fee = rc.gasUsed * rc.gasPrice;
		add(from, -(tx.value + fee));
		add(tx.to, tx.value);
		add(ethers.ZeroAddress, fee);
		present++;
	}
	for (const [a, n] of nonces)
		check((await p.getTransactionCount(a)) === n, `nonce of ${a}`);
	for (const [a, d] of expect) {
		const g = Object.entries(genesis.accounts).find(([k]) => k.toLowerCase() === a);
		const want = (g ? BigInt(g[1].balance) : 0n) + d;
		check((await p.getBalance(a)) === want, `balance of ${a}`);
	}
	console.log(`ok: ${acked.size} acknowledged, ${present} in the chain, ${sent.length} sent`);
})().catch((e) => { console.error("FAIL:", e); process.exit(1); });
JS
node "$TMP/check.cjs" "$URL" "$TMP/txs" "$GENESIS"
echo "t0203: ok"
