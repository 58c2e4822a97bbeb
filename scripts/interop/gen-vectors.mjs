#!/usr/bin/env node
// Generates tests/vectors/interop/ with ethers (the reference Ethereum library):
//   keystore.json / keystore.password / keystore.address  keystore v3 written by ethers
//   orders.json    four PoCo orders signed with signTypedData, their hashes and signers
//   typed-*.json   eth_signTypedData_v4 payloads (orders and a type-rich example) and digests
//   eip191.json    personal_sign (Wallet.signMessage) signatures
// Usage: node scripts/interop/gen-vectors.mjs [outdir]
// The private keys below are test keys derived from public strings; never fund them.
import fs from "fs";
import path from "path";
import { ethers, ethersVersion, root } from "./ethers.mjs";
import { ORDER_TYPES, pocoDomain, orderMessage } from "./poco-types.mjs";

const out = process.argv[2] || path.join(root, "tests", "vectors", "interop");
fs.mkdirSync(out, { recursive: true });
const write = (name, obj) =>
	fs.writeFileSync(path.join(out, name), typeof obj === "string" ? obj : JSON.stringify(obj, null, 2) + "\n");

const key = (label) => ethers.id(`decc interop: ${label}`);
const addr = (label) => ethers.getAddress(ethers.dataSlice(ethers.id(`decc interop address: ${label}`), 12));
const ZERO = ethers.ZeroAddress;
const tag = (n) => ethers.zeroPadValue(ethers.toBeHex(n), 32);

const chainId = 65535;
const hub = addr("hub");
const domain = pocoDomain(chainId, hub);

const appOwner = new ethers.Wallet(key("app owner"));
const datasetOwner = new ethers.Wallet(key("dataset owner"));
const poolOwner = new ethers.Wallet(key("workerpool owner"));
const requester = new ethers.Wallet(key("requester"));
const app = addr("app"), dataset = addr("dataset"), workerpool = addr("workerpool");

const orders = {
	app: {
		signer: appOwner,
		order: {
			app, appprice: "1000000000", volume: "1000000", tag: tag(3),
			datasetrestrict: ZERO, workerpoolrestrict: ZERO, requesterrestrict: ZERO,
			salt: ethers.id("salt: app"),
		},
	},
	dataset: {
		signer: datasetOwner,
		order: {
			dataset, datasetprice: "250000000", volume: "9007199254740991", tag: tag(1),
			apprestrict: app, workerpoolrestrict: ZERO, requesterrestrict: requester.address,
			salt: ethers.id("salt: dataset"),
		},
	},
	workerpool: {
		signer: poolOwner,
		order: {
			workerpool, workerpoolprice: "100000000", volume: "10", tag: tag(3),
			category: "2", trust: "1", apprestrict: ZERO, datasetrestrict: ZERO,
			requesterrestrict: ZERO, salt: ethers.id("salt: workerpool"),
		},
	},
	request: {
		signer: requester,
		order: {
			app, appmaxprice: "1000000000", dataset, datasetmaxprice: "250000000",
			workerpool, workerpoolmaxprice: "100000000", requester: requester.address,
			volume: "1", tag: tag(3), category: "2", trust: "1",
			beneficiary: requester.address, callback: ZERO,
			params: JSON.stringify({
				iexec_args: "--name \"Zoë\" 42",
				iexec_input_files: ["https://example.org/in.txt"],
				iexec_result_encryption: true,
				iexec_result_storage_provider: "ipfs",
				iexec_secrets: { "1": "api-key" },
			}),
			salt: ethers.id("salt: request"),
		},
	},
};

const typeName = { app: "AppOrder", dataset: "DatasetOrder", workerpool: "WorkerpoolOrder", request: "RequestOrder" };
const list = [];
for (const [type, { signer, order }] of Object.entries(orders)) {
	const types = ORDER_TYPES[type];
	const sign = await signer.signTypedData(domain, types, order);
	const orderHash = ethers.TypedDataEncoder.hash(domain, types, order);
	const structHash = ethers.TypedDataEncoder.from(types).hash(order);
	const name = typeName[type];
	const opTypes = {
		...types,
		[`${name}Operation`]: [
			{ name: "order", type: name },
			{ name: "operation", type: "uint256" },
		],
	};
	const closeHash = ethers.TypedDataEncoder.hash(domain, opTypes, { order, operation: 1 });
	const signOpHash = ethers.TypedDataEncoder.hash(domain, opTypes, { order, operation: 0 });
	if (ethers.verifyTypedData(domain, types, order, sign) !== signer.address)
		throw new Error(`self-check failed for ${type}`);
	list.push({
		type, signer: signer.address, privateKey: signer.privateKey, orderHash, structHash,
		signOperationHash: signOpHash, closeOperationHash: closeHash,
		compactSign: ethers.Signature.from(sign).compactSerialized,
		order: { ...order, sign },
	});
	write(`typed-${type}.json`, {
		...ethers.TypedDataEncoder.getPayload(domain, types, order),
		digest: orderHash,
	});
}
write("orders.json", {
	ethers: ethersVersion, chainId, hub,
	domainSeparator: ethers.TypedDataEncoder.hashDomain(domain),
	orders: list,
});

// A typed-data example that exercises every encoding rule ethers implements.
{
	const d = { name: "decc types", chainId: 1, verifyingContract: addr("verifier"), salt: ethers.id("domain salt") };
	const types = {
		Bag: [
			{ name: "owner", type: "address" },
			{ name: "items", type: "Item[]" },
			{ name: "grid", type: "uint16[2][]" },
			{ name: "ok", type: "bool" },
			{ name: "note", type: "string" },
			{ name: "big", type: "int256" },
			{ name: "zed", type: "Zed" },
		],
		Item: [
			{ name: "id", type: "uint8" },
			{ name: "delta", type: "int64" },
			{ name: "tags", type: "bytes4[]" },
			{ name: "blob", type: "bytes" },
			{ name: "zed", type: "Zed" },
		],
		Zed: [{ name: "a", type: "bytes32" }, { name: "b", type: "int8" }],
	};
	const value = {
		owner: addr("bag owner"),
		items: [
			{ id: 255, delta: "-9223372036854775808", tags: ["0xdeadbeef", "0x00000001"], blob: "0x", zed: { a: ethers.id("a1"), b: -128 } },
			{ id: 0, delta: 42, tags: [], blob: "0x0102030405", zed: { a: ethers.ZeroHash, b: 127 } },
		],
		grid: [[1, 65535], [0, 7]],
		ok: true,
		note: "héllo, 世界",
		big: "-57896044618658097711785492504343953926634992332820282019728792003956564819968",
		zed: { a: ethers.id("top"), b: -1 },
	};
	const wallet = new ethers.Wallet(key("typed signer"));
	write("typed-bag.json", {
		...ethers.TypedDataEncoder.getPayload(d, types, value),
		digest: ethers.TypedDataEncoder.hash(d, types, value),
		domainSeparator: ethers.TypedDataEncoder.hashDomain(d),
		structHash: ethers.TypedDataEncoder.from(types).hash(value),
		encodeType: ethers.TypedDataEncoder.from(types).encodeType("Bag"),
		signer: wallet.address,
		privateKey: wallet.privateKey,
		signature: await wallet.signTypedData(d, types, value),
	});
}

// EIP-191 personal messages.
{
	const w = new ethers.Wallet(key("eip191 signer"));
	const msgs = ["hello decc", "", "multi\nline ✓ message"];
	const sigs = [];
	for (const m of msgs)
		sigs.push({ message: m, hash: ethers.hashMessage(m), signature: await w.signMessage(m) });
	write("eip191.json", { ethers: ethersVersion, privateKey: w.privateKey, address: w.address, vectors: sigs });
}

// A keystore v3 written by ethers (scrypt N=4096 to keep tests fast).
{
	const w = new ethers.Wallet(key("keystore"));
	const password = "correct horse battery staple ✓";
	const json = ethers.encryptKeystoreJsonSync({ address: w.address, privateKey: w.privateKey }, password, {
		scrypt: { N: 4096 },
	});
	write("keystore.json", json + "\n");
	write("keystore.password", password);
	write("keystore.address", w.address + "\n");
}
console.log(`wrote vectors with ethers ${ethersVersion} to ${out}`);
