// Known answers for the tee layer, computed with ethers (keccak256, sha256, signMessage) from
// the rules of reference/offchain.md §1.4 and §3, independently of decc's C code.
// Run: node tests/vectors/tee/gen.mjs > tests/vectors/tee/digest.json
import { ethers } from "../../../scripts/interop/ethers.mjs";

const sha = (s) => ethers.sha256(ethers.toUtf8Bytes(s));
const k = ethers.keccak256;
const cat = ethers.concat;

// A file result: sha256 of its bytes.
const file = { content: "hello decc\n", digest: sha("hello decc\n") };
// A directory result: direct children sorted by name, keccak over their sha256; the
// sub-directory "sub" contributes nothing.
const dir = {
	files: { "b.txt": "bravo", "a.txt": "alpha", "B.txt": "upper", "sub/x.txt": "ignored" },
	digest: k(cat([sha("upper"), sha("alpha"), sha("bravo")])), // "B.txt" < "a.txt" < "b.txt"
};
// Callback mode: keccak of the bytes.
const callback = { data: "0x000000000000000000000000000000000000000000000000000000000000002a" };
callback.digest = k(callback.data);

// The enclave signature over a web2 digest.
const enclaveKey = "0x" + "11".repeat(32);
const worker = "0x" + "ab".repeat(20);
const taskid = k(ethers.toUtf8Bytes("decc tee vector task"));
const resultHash = k(cat([taskid, file.digest]));
const resultSeal = k(cat([worker, taskid, file.digest]));
const wallet = new ethers.Wallet(enclaveKey);
const enclaveSign = await wallet.signMessage(ethers.getBytes(k(cat([resultHash, resultSeal]))));
console.log(JSON.stringify({
	file, dir, callback,
	sign: { enclaveKey, enclaveAddress: wallet.address, worker, taskid, digest: file.digest,
		resultHash, resultSeal, enclaveSign },
}, null, 2));
