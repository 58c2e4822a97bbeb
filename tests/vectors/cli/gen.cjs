// Generates the known answers of tests/integration/t0002-wallet.sh and t0003-order.sh with
// ethers (an independent implementation). Run once from the repository root:
//   NODE_PATH=tools/node/node_modules node tests/vectors/cli/gen.cjs tests/vectors/cli
const { Wallet, TypedDataEncoder, getBytes, getAddress } = require("ethers");
const fs = require("fs");
const path = require("path");
const out = process.argv[2];

// A fixed test key (Hardhat/anvil dev account #0; never use it for real funds).
const KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const w = new Wallet(KEY);
const write = (name, text) => fs.writeFileSync(path.join(out, name), text);

write("key.txt", KEY + "\n");
write("address.txt", w.address + "\n");

const messages = { "hello": "hello decc", "utf8": "prix: 5 € — ok", "empty": "" };
for (const [name, msg] of Object.entries(messages)) {
	write(`msg-${name}.txt`, msg);
	write(`msg-${name}.sig`, w.signMessageSync(msg) + "\n");
}

// An ethers-made keystore (light scrypt) whose password is "ethers-pw".
write("ethers-keystore.json", w.encryptSync("ethers-pw", { scrypt: { N: 4096 } }) + "\n");

const CHAIN = 134;
const HUB = "0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f";
const domain = { name: "iExecODB", version: "5.0.0", chainId: CHAIN, verifyingContract: HUB };
const Z = "0x0000000000000000000000000000000000000000";
const T = (s) => "0x" + s.padStart(64, "0");
const types = {
	app: { AppOrder: [
		["address", "app"], ["uint256", "appprice"], ["uint256", "volume"], ["bytes32", "tag"],
		["address", "datasetrestrict"], ["address", "workerpoolrestrict"],
		["address", "requesterrestrict"], ["bytes32", "salt"]] },
	dataset: { DatasetOrder: [
		["address", "dataset"], ["uint256", "datasetprice"], ["uint256", "volume"],
		["bytes32", "tag"], ["address", "apprestrict"], ["address", "workerpoolrestrict"],
		["address", "requesterrestrict"], ["bytes32", "salt"]] },
	workerpool: { WorkerpoolOrder: [
		["address", "workerpool"], ["uint256", "workerpoolprice"], ["uint256", "volume"],
		["bytes32", "tag"], ["uint256", "category"], ["uint256", "trust"],
		["address", "apprestrict"], ["address", "datasetrestrict"],
		["address", "requesterrestrict"], ["bytes32", "salt"]] },
	request: { RequestOrder: [
		["address", "app"], ["uint256", "appmaxprice"], ["address", "dataset"],
		["uint256", "datasetmaxprice"], ["address", "workerpool"],
		["uint256", "workerpoolmaxprice"], ["address", "requester"], ["uint256", "volume"],
		["bytes32", "tag"], ["uint256", "category"], ["uint256", "trust"],
		["address", "beneficiary"], ["address", "callback"], ["string", "params"],
		["bytes32", "salt"]] },
};
const APP = getAddress("0x4aa5b2e4f8e1c4a1b7c2d9fc3e1e8f6d4a2b7c91");
const DATASET = getAddress("0x9e3c7b1d2f8a4e6b5c0d1e2f3a4b5c6d7e8f9a0b");
const POOL = getAddress("0x0e7bc972c99187c191a17f3cae4a2711a4188c3f");
const orders = {
	app: { app: APP, appprice: "1000000000", volume: "1000000", tag: T("3"),
		datasetrestrict: Z, workerpoolrestrict: Z, requesterrestrict: Z,
		salt: "0x" + "11".repeat(32) },
	dataset: { dataset: DATASET, datasetprice: "25", volume: "10", tag: T("0"),
		apprestrict: APP, workerpoolrestrict: Z, requesterrestrict: w.address,
		salt: "0x" + "22".repeat(32) },
	workerpool: { workerpool: POOL, workerpoolprice: "115792089237316195423570985008687907853269984665640564039457584007913129639935",
		volume: "3", tag: T("3"), category: "2", trust: "1", apprestrict: Z,
		datasetrestrict: Z, requesterrestrict: Z, salt: "0x" + "33".repeat(32) },
	request: { app: APP, appmaxprice: "1000000000", dataset: DATASET, datasetmaxprice: "25",
		workerpool: Z, workerpoolmaxprice: "5000000000", requester: w.address, volume: "1",
		tag: T("3"), category: "0", trust: "0", beneficiary: w.address, callback: Z,
		params: "{\"iexec_args\":\"--in \\\"a b\\\" é\",\"iexec_input_files\":[]}",
		salt: "0x" + "44".repeat(32) },
};
for (const [type, order] of Object.entries(orders)) {
	const t = {};
	for (const [k, v] of Object.entries(types[type]))
		t[k] = v.map(([ty, name]) => ({ name, type: ty }));
	const hash = TypedDataEncoder.hash(domain, t, order);
	const sig = w.signingKey.sign(getBytes(hash)).serialized;
	write(`${type}order.json`, JSON.stringify(order, null, 2) + "\n");
	write(`${type}order.hash`, hash + "\n");
	write(`${type}order.sign`, sig + "\n");
}
