// Makes dataprotector.zip and dataprotector.schema.json with @iexec/dataprotector's own
// serializer (see README.md). Copy it into a directory where @iexec/dataprotector@2.0.0-beta.27 is
// installed (npm install @iexec/dataprotector@2.0.0-beta.27), then: node make.mjs OUTDIR
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createZipFromObject, extractDataSchema } from './node_modules/@iexec/dataprotector/dist/src/utils/data.js';

const out = process.argv[2] || '.';
const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]);
const data = {
  email: 'alice@example.org',
  age: 42,
  ratio: 0.1,
  vip: true,
  off: false,
  big: -170141183460469231731687303715884105728n,
  nested: { deeper: { note: 'héllo' }, score: 1.5 },
  2: 'two',
  1: 'one',
  pic: png,
  blob: new Uint8Array([1, 2, 3]),
  empty: '',
};
const schema = await extractDataSchema(data);
const zip = await createZipFromObject(data);
writeFileSync(join(out, 'dataprotector.zip'), zip);
writeFileSync(join(out, 'dataprotector.schema.json'), JSON.stringify(schema));
console.log(JSON.stringify(schema));
