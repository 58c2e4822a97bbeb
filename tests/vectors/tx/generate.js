// Regenerates tx.json with ethers (node tests/vectors/tx/generate.js > tests/vectors/tx/tx.json).
const path = require('path');
const E = require(path.join(__dirname, '../../../tools/node/node_modules/ethers'));
const version = require(path.join(__dirname, '../../../tools/node/node_modules/ethers/package.json')).version;

async function main() {
  // EIP-155's own example; the expected values are those printed in the EIP text.
  const k155 = '0x' + '46'.repeat(32);
  const w155 = new E.Wallet(k155);
  const t155 = E.Transaction.from({ type: 0, nonce: 9, gasPrice: 20000000000n, gasLimit: 21000,
    to: '0x3535353535353535353535353535353535353535', value: 10n ** 18n, data: '0x', chainId: 1 });
  const raw155 = await w155.signTransaction(t155);

  // An EIP-1559 transaction with calldata and an access list.
  const k1559 = '0x' + '4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318';
  const w1559 = new E.Wallet(k1559);
  const t1559 = {
    type: 2, chainId: 134, nonce: 42, maxPriorityFeePerGas: 1500000000n, maxFeePerGas: 30000000000n,
    gasLimit: 250000, to: '0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f', value: 123456789n,
    data: '0xa9059cbb000000000000000000000000d8da6bf26964af9d7eed9e03e53415d37aa960450000000000000000000000000000000000000000000000000de0b6b3a7640000',
    accessList: [{ address: '0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f',
                   storageKeys: ['0x' + '00'.repeat(31) + '01', '0x' + 'ab'.repeat(32)] }],
  };
  const raw1559 = await w1559.signTransaction(t1559);
  // A contract creation (no "to"), EIP-1559, empty access list.
  const tCreate = { type: 2, chainId: 1, nonce: 0, maxPriorityFeePerGas: 0n, maxFeePerGas: 1n,
    gasLimit: 100000, value: 0n, data: '0x6080604052', accessList: [] };
  const rawCreate = await w1559.signTransaction(tCreate);
  // A pre-EIP-155 legacy transaction (v = 27/28).
  const tPre = E.Transaction.from({ type: 0, nonce: 0, gasPrice: 1n, gasLimit: 21000,
    to: '0x3535353535353535353535353535353535353535', value: 1n, data: '0x' });
  tPre.signature = w155.signingKey.sign(tPre.unsignedHash);
  const rawPre = tPre.serialized;

  const out = [];
  for (const [name, key, raw] of [['eip155-example', k155, raw155], ['eip1559', k1559, raw1559],
                                  ['eip1559-create', k1559, rawCreate], ['legacy-pre155', k155, rawPre]]) {
    const t = E.Transaction.from(raw);
    out.push({ name, key, raw, hash: t.hash, signing_hash: t.unsignedHash, sender: t.from,
      type: t.type, chain_id: t.chainId.toString(), nonce: t.nonce,
      gas_price: t.type === 0 ? t.gasPrice.toString() : null,
      max_priority_fee: t.type === 2 ? t.maxPriorityFeePerGas.toString() : null,
      max_fee: t.type === 2 ? t.maxFeePerGas.toString() : null,
      gas: t.gasLimit.toString(), to: t.to, value: t.value.toString(), data: t.data,
      y_parity: t.signature.yParity, r: t.signature.r, s: t.signature.s });
  }
  const creator = '0x6ac7ea33f8831ea9dcc53393aaa88b25a785dbf0';
  const creates = [0, 1].map((nonce) => ({ sender: creator, nonce,
    address: E.getCreateAddress({ from: creator, nonce }).toLowerCase() }));
  console.log(JSON.stringify({ generator: 'ethers ' + version, transactions: out, create: creates }, null, 1));
}
main();
