// Generates challenges.json: SMS push challenges and their EIP-191 signatures, computed with
// ethers v6 following reference/offchain.md §4.1 (the iexec SDK's concatenate-and-hash).
// Run: NODE_PATH=/work/main/tools/node/node_modules node gen-challenges.js > challenges.json
const { keccak256, toUtf8Bytes, concat, getBytes, Wallet } = require('ethers');

const DOMAIN = keccak256(toUtf8Bytes('IEXEC_SMS_DOMAIN'));
const ks = (s) => keccak256(toUtf8Bytes(s));
const keys = [
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
];
const cases = [
  { kind: 'web3', target: '0x5FbDB2315678afecb367f032d93F642f64180aa3', value: 'q2nV8RGlVZl4b0v0N8yQd9yUFTu0Ue6ZKkM3pRk1sYw=' },
  { kind: 'web3', target: '0x0000000000000000000000000000000000000001', value: 'x' },
  { kind: 'web2', target: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266', name: 'iexec-result-encryption-public-key', value: 'LS0tLS1CRUdJTiBQVUJMSUMgS0VZLS0tLS0K' },
  { kind: 'web2', target: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8', name: 'mot de passe é', value: 'clé: 秘密 🔑\nline 2' },
  { kind: 'app', target: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512', name: '1', value: 'app-developer-secret' },
  { kind: 'requester', target: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266', name: 'api-token_1', value: 'tok' },
  { kind: 'requester', target: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8', name: 'big', value: 'A'.repeat(4096) },
];

(async () => {
  const out = [];
  for (const [i, c] of cases.entries()) {
    const parts = [DOMAIN, c.target];
    if (c.kind !== 'web3') parts.push(ks(c.name));
    parts.push(ks(c.value));
    const challenge = keccak256(concat(parts));
    const w = new Wallet(keys[i % 2]);
    const signature = await w.signMessage(getBytes(challenge));
    out.push({ ...c, challenge, privateKey: keys[i % 2], signer: w.address, signature });
  }
  console.log(JSON.stringify({ domainHash: DOMAIN, vectors: out }, null, 2));
})();
