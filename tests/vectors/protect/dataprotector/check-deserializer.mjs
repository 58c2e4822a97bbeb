// Reads a decc-made zip with @iexec/dataprotector-deserializer (tests/vectors/protect/README.md).
import { IExecDataProtectorDeserializer } from '@iexec/dataprotector-deserializer';
const d = new IExecDataProtectorDeserializer({ mode: process.argv[3] || 'optimistic', protectedDataPath: process.argv[2] });
const out = {
  email: await d.getValue('email', 'string'), age: await d.getValue('age', 'f64'),
  ratio: await d.getValue('ratio', 'f64'), vip: await d.getValue('vip', 'bool'),
  off: await d.getValue('off', 'bool'), big: (await d.getValue('big', 'i128')).toString(),
  note: await d.getValue('nested.deeper.note', 'string'), score: await d.getValue('nested.score', 'f64'),
  one: await d.getValue('1', 'string'), two: await d.getValue('2', 'string'),
  pic: Buffer.from(await d.getValue('pic', 'image/png')).toString('hex'),
  blob: Buffer.from(await d.getValue('blob', 'application/octet-stream')).toString('hex'),
  empty: await d.getValue('empty', 'string'),
};
console.log(JSON.stringify(out));
