// Regenerates rlp.json (node tests/vectors/rlp/generate.js > tests/vectors/rlp/rlp.json).
// Inputs are the classic examples of the Ethereum wiki's RLP page and of ethereum/tests
// RLPTests/rlptest.json; "out" is computed by ethers' encodeRlp, an independent implementation.
// JSON form of "in": a string is its UTF-8 bytes, "#N" the integer N, an array a list.
const path = require('path');
const E = require(path.join(__dirname, '../../../tools/node/node_modules/ethers'));
const version = require(path.join(__dirname, '../../../tools/node/node_modules/ethers/package.json')).version;

function conv(x) {
  if (Array.isArray(x)) return x.map(conv);
  if (x.startsWith('#')) { const n = BigInt(x.slice(1)); return n === 0n ? '0x' : E.toBeHex(n); }
  return E.hexlify(E.toUtf8Bytes(x));
}
const cases = {
  emptystring: '', bytestring00: '\u0000', bytestring01: '\u0001', bytestring7F: '\u007f',
  dog: 'dog',
  shortstring2: 'Lorem ipsum dolor sit amet, consectetur adipisicing eli',
  longstring: 'Lorem ipsum dolor sit amet, consectetur adipisicing elit',
  longstring2: 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. Curabitur mauris magna, suscipit sed vehicula non, iaculis faucibus tortor. Proin suscipit ultricies malesuada. Duis tortor elit, dictum quis tristique eu, ultrices at risus. Morbi a est imperdiet mi ullamcorper aliquet suscipit nec lorem. Aenean quis leo mollis, vulputate elit varius, consequat enim. Nulla ultrices turpis justo, et posuere urna consectetur nec. Proin non convallis metus. Donec tempor ipsum in mauris congue sollicitudin. Vestibulum ante ipsum primis in faucibus orci luctus et ultrices posuere cubilia Curae; Suspendisse convallis sem vel massa faucibus, eget lacinia lacus tempor. Nulla quis ultricies purus. Proin auctor rhoncus nibh condimentum mollis. Aliquam consequat enim at metus luctus, a eleifend purus egestas. Curabitur at nibh metus. Nam bibendum, neque at auctor tristique, lorem libero aliquet arcu, non interdum tellus lectus sit amet eros. Cras rhoncus, metus ac ornare cursus, dolor justo ultrices metus, at ullamcorper volutpat',
  zero: '#0', smallint: '#1', smallint2: '#16', smallint3: '#79', smallint4: '#127',
  mediumint1: '#128', mediumint2: '#1000', mediumint3: '#100000',
  mediumint4: '#83729609699884896815286331701780722',
  maxuint256: '#115792089237316195423570985008687907853269984665640564039457584007913129639935',
  emptylist: [], catdog: ['cat', 'dog'], stringlist: ['dog', 'god', 'cat'],
  multilist: ['zw', ['#4'], '#1'],
  shortListMax1: ['asdf', 'qwer', 'zxcv', 'asdf', 'qwer', 'zxcv', 'asdf', 'qwer', 'zxcv', 'asdf', 'qwer'],
  longList1: [['asdf', 'qwer', 'zxcv'], ['asdf', 'qwer', 'zxcv'], ['asdf', 'qwer', 'zxcv'], ['asdf', 'qwer', 'zxcv']],
  listsoflists: [[[], []], []],
  listsoflists2: [[], [[]], [[], [[]]]],
  dictTest1: [['key1', 'val1'], ['key2', 'val2'], ['key3', 'val3'], ['key4', 'val4']],
};
const out = [];
for (const [name, v] of Object.entries(cases)) out.push({ name, in: v, out: E.encodeRlp(conv(v)) });
console.log(JSON.stringify({ generator: 'ethers ' + version, valid: out }, null, 1));
