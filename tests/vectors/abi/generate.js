// Regenerates abi.json with ethers (node tests/vectors/abi/generate.js > tests/vectors/abi/abi.json).
// Values use the JSON form read by tests/unit/eth/test_abi.c: integers as decimal strings,
// bytes/bytesN/address as 0x-hex, strings as text, arrays and tuples as JSON arrays.
const path = require('path');
const { AbiCoder, Interface, Wallet, keccak256, toUtf8Bytes, hexlify, getBytes, TypedDataEncoder } =
  require(path.join(__dirname, '../../../tools/node/node_modules/ethers'));
const coder = AbiCoder.defaultAbiCoder();
const hx = (s) => hexlify(toUtf8Bytes(s));

function call(sig, types, values, json) {
  const iface = new Interface(['function ' + sig]);
  const name = sig.slice(0, sig.indexOf('('));
  return { signature: sig, values: json, calldata: iface.encodeFunctionData(name, values) };
}

const spec = [
  call('baz(uint32,bool)', null, [69, true], ['69', true]),
  call('bar(bytes3[2])', null, [[hx('abc'), hx('def')]], [[hx('abc'), hx('def')]]),
  call('sam(bytes,bool,uint256[])', null, [hx('dave'), true, [1, 2, 3]],
       [hx('dave'), true, ['1', '2', '3']]),
  call('f(uint256,uint32[],bytes10,bytes)', null,
       [0x123, [0x456, 0x789], hx('1234567890'), hx('Hello, world!')],
       ['291', ['1110', '1929'], hx('1234567890'), hx('Hello, world!')]),
  call('g(uint256[][],string[])', null, [[[1, 2], [3]], ['one', 'two', 'three']],
       [[['1', '2'], ['3']], ['one', 'two', 'three']]),
];

// PoCo matchOrders with four signed-looking orders (signatures are fixed bytes, not checked here).
const AO = '(address,uint256,uint256,bytes32,address,address,address,bytes32,bytes)';
const WO = '(address,uint256,uint256,bytes32,uint256,uint256,address,address,address,bytes32,bytes)';
const RO = '(address,uint256,address,uint256,address,uint256,address,uint256,bytes32,uint256,uint256,address,address,string,bytes32,bytes)';
const a = (n) => '0x' + n.repeat(40);
const b32 = (n) => '0x' + n.repeat(64);
const sig65 = (n) => '0x' + n.repeat(65);
const app = [a('a1'.slice(0,1)), '1000000000', '100', b32('0'), a('0'), a('0'), a('0'), b32('1'), sig65('ab')];
const dataset = [a('d'), '2500', '10', '0x0000000000000000000000000000000000000000000000000000000000000003', a('0'), a('0'), a('0'), b32('2'), sig65('cd')];
const pool = [a('e'), '300', '1000', '0x0000000000000000000000000000000000000000000000000000000000000001', '2', '1', a('0'), a('0'), a('0'), b32('3'), sig65('ef')];
const req = [a('a'), '1000000000', a('d'), '2500', a('0'), '300', a('c'), '1',
             '0x0000000000000000000000000000000000000000000000000000000000000001', '2', '1', a('c'), a('0'),
             '{"iexec_args":"--in alice.json","iexec_input_files":[]}', b32('4'), sig65('12')];
const matchSig = `matchOrders(${AO},${AO},${WO},${RO})`;
const poco = call(matchSig, null, [app, dataset, pool, req], [app, dataset, pool, req]);
poco.selector = new Interface(['function ' + matchSig]).getFunction('matchOrders').selector;

console.log(JSON.stringify({
  generator: 'ethers ' + require(path.join(__dirname, '../../../tools/node/node_modules/ethers/package.json')).version,
  calls: spec.concat([poco]),
}, null, 1));
