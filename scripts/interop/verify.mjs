#!/usr/bin/env node
// Checks, with ethers, what decc wrote. Exit 0 when every check passes, 1 when one fails,
// 2 on bad usage or when ethers is missing.
//
//   verify.mjs keystore --file KEYSTORE --password-file F --address ADDR
//       ethers.Wallet.fromEncryptedJson opens the file and finds ADDR.
//   verify.mjs order --type app|dataset|workerpool|request --file ORDER.json
//                    --chain-id N --hub ADDR --signer ADDR
//       ORDER.json is the SDK JSON form with "sign" and "orderHash" (what `decc order sign`
//       prints); TypedDataEncoder.hash must equal orderHash and verifyTypedData must give ADDR.
//   verify.mjs message --message TEXT --signature SIG --address ADDR
//       ethers.verifyMessage (EIP-191) must give ADDR.
import fs from "fs";
import { ethers } from "./ethers.mjs";
import { ORDER_TYPES, pocoDomain, orderMessage } from "./poco-types.mjs";

function usage(msg) {
	console.error(`verify.mjs: ${msg}`);
	process.exit(2);
}

function parseArgs(argv) {
	const opts = {};
	for (let i = 0; i < argv.length; i++) {
		if (!argv[i].startsWith("--") || i + 1 >= argv.length)
			usage(`unexpected argument ${argv[i]}`);
		opts[argv[i].slice(2)] = argv[++i];
	}
	return opts;
}

function need(opts, ...names) {
	for (const n of names)
		if (opts[n] === undefined)
			usage(`--${n} is required`);
}

function check(ok, what) {
	if (!ok) {
		console.error(`FAIL: ${what}`);
		process.exit(1);
	}
	console.log(`ok: ${what}`);
}

// The password file's first line, as the decc CLI reads it.
function readPassword(file) {
	return fs.readFileSync(file, "utf8").split(/\r?\n/)[0];
}

async function verifyKeystore(o) {
	need(o, "file", "password-file", "address");
	const json = fs.readFileSync(o.file, "utf8");
	const want = ethers.getAddress(o.address);
	let wallet;
	try {
		wallet = await ethers.Wallet.fromEncryptedJson(json, readPassword(o["password-file"]));
	} catch (e) {
		check(false, `ethers opens ${o.file}: ${e.message}`);
	}
	check(wallet.address === want, `keystore ${o.file} holds ${want} (ethers: ${wallet.address})`);
	const bad = await ethers.Wallet.fromEncryptedJson(json, "not the password").then(
		() => true,
		() => false,
	);
	check(!bad, "a wrong password is refused by ethers");
}

function verifyOrder(o) {
	need(o, "type", "file", "chain-id", "hub", "signer");
	const types = ORDER_TYPES[o.type];
	if (!types)
		usage(`unknown order type ${o.type}`);
	const doc = JSON.parse(fs.readFileSync(o.file, "utf8"));
	const { orderHash, ...order } = doc;
	const domain = pocoDomain(BigInt(o["chain-id"]), ethers.getAddress(o.hub));
	const message = orderMessage(order);
	const fields = Object.values(types)[0].map((f) => f.name);
	check(
		JSON.stringify(Object.keys(message)) === JSON.stringify(fields),
		`${o.type} order fields are the SDK's, in order (${Object.keys(message).join(",")})`,
	);
	const hash = ethers.TypedDataEncoder.hash(domain, types, message);
	check(orderHash === hash, `orderHash ${orderHash} == ethers TypedDataEncoder.hash ${hash}`);
	check(typeof order.sign === "string" && order.sign.length === 132, "sign is 65 bytes");
	const who = ethers.verifyTypedData(domain, types, message, order.sign);
	const want = ethers.getAddress(o.signer);
	check(who === want, `signature recovers ${want} (ethers: ${who})`);
	for (const f of fields)
		if (Object.values(types)[0].find((x) => x.name === f).type === "address")
			check(message[f] === ethers.getAddress(message[f]), `${f} is EIP-55 checksummed`);
}

function verifyMessage(o) {
	need(o, "message", "signature", "address");
	const who = ethers.verifyMessage(o.message, o.signature);
	check(who === ethers.getAddress(o.address), `EIP-191 signature recovers ${o.address} (ethers: ${who})`);
}

const [mode, ...rest] = process.argv.slice(2);
const opts = parseArgs(rest);
try {
	if (mode === "keystore")
		await verifyKeystore(opts);
	else if (mode === "order")
		verifyOrder(opts);
	else if (mode === "message")
		verifyMessage(opts);
	else
		usage("mode is keystore, order or message");
} catch (e) {
	check(false, `${mode}: ${e.message}`);
}
