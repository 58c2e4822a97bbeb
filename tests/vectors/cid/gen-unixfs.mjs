// Generates CIDs with ipfs-unixfs-importer using kubo's `ipfs add --cid-version=1` defaults.
import { importer } from 'ipfs-unixfs-importer'
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import { balanced } from 'ipfs-unixfs-importer/layout'
import { MemoryBlockstore } from 'blockstore-core/memory'
import { readFileSync } from 'node:fs'

function pattern (n) {
  const out = new Uint8Array(n)
  let s = 0x12345678
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    out[i] = s >>> 24
  }
  return out
}

const opts = {
  cidVersion: 1,
  rawLeaves: true,
  chunker: fixedSize({ chunkSize: 262144 }),
  layout: balanced({ maxChildrenPerNode: 174 }),
  reduceSingleLeafToSelf: true,
  fieldOrder: 'links-first'
}

async function cidOf (bytes) {
  const bs = new MemoryBlockstore()
  let last
  for await (const e of importer([{ content: bytes }], bs, opts)) last = e
  return [last.cid.toString(), last.size.toString()]
}

const cases = [
  ['empty', new Uint8Array(0)],
  ['one-byte-a', new TextEncoder().encode('a')],
  ['hello-world', new TextEncoder().encode('hello world\n')],
]
for (const n of [1, 1000, 262143, 262144, 262145, 524288, 1048576, 45613056, 45613057, 52428800, 104857600]) {
  cases.push(['pattern-' + n, pattern(n)])
}
if (process.argv[2]) cases.push(['file', readFileSync(process.argv[2])])
for (const [name, bytes] of cases) {
  const [cid, size] = await cidOf(bytes)
  console.log(`${name} ${bytes.length} ${cid} ${size}`)
}
