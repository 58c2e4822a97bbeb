#!/usr/bin/env bash
# A client library's transactions are accepted: ethers v6 Wallets send ether transfers
# (EIP-1559 and legacy) to `decc node` and read receipts, blocks and balances back.
. "$(dirname "$0")/node-lib.sh"
[ -d "$NODE_PATH/ethers" ] || { echo "SKIP: ethers not installed (scripts/setup.sh)"; exit 0; }
start_node "$TMP/data"

cat >"$TMP/send.cjs" <<'JS'
const { ethers } = require("ethers");
const [url, sk0, addr1] = process.argv.slice(2);
function check(c, what) { if (!c) { console.error("FAIL: " + what); process.exit(1); } }
(async () => {
	const provider = new ethers.JsonRpcProvider(url, undefined, { staticNetwork: true });
	const net = await provider.getNetwork();
	check(net.chainId === 65535n, "chain id " + net.chainId);
	const w = new ethers.Wallet(sk0, provider);
	const before = await provider.getBalance(addr1);
	const tx = await w.sendTransaction({ to: addr1, value: ethers.parseEther("1.5") });
	const rc = await tx.wait();
	check(rc.status === 1, "status " + rc.status);
	check(rc.gasUsed === 21000n, "gasUsed " + rc.gasUsed);
	check(rc.hash === tx.hash, "receipt hash");
	check(rc.type === 2, "type " + rc.type);
	const after = await provider.getBalance(addr1);
	check(after - before === ethers.parseEther("1.5"), "recipient balance");
	const legacy = await w.sendTransaction({ to: addr1, value: 7n, type: 0, gasPrice: 2000000000n });
	const rc2 = await legacy.wait();
	check(rc2.status === 1 && rc2.type === 0, "legacy receipt");
	check(rc2.blockNumber > rc.blockNumber, "block numbers increase");
	const got = await provider.getTransaction(legacy.hash);
	check(got.from === w.address && got.value === 7n && got.nonce === 1, "getTransaction");
	const blk = await provider.getBlock(rc2.blockNumber, true);
	check(blk.transactions.includes(legacy.hash), "block has the transaction");
	check((await provider.getTransactionCount(w.address)) === 2, "nonce");
	// a rejected transaction: nonce reuse
	let err = null;
	try {
		const t = await w.populateTransaction({ to: addr1, value: 1n, nonce: 0 });
		await provider.broadcastTransaction(await w.signTransaction(t));
	} catch (e) { err = e; }
	check(err && /nonce/.test(String(err.message)), "nonce reuse rejected: " + (err && err.message));
	console.log("ok", tx.hash, legacy.hash);
})().catch((e) => { console.error("FAIL:", e); process.exit(1); });
JS
node "$TMP/send.cjs" "$URL" "$SK0" "$ADDR1"
echo "t0202: ok"
