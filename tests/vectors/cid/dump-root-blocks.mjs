import { importer } from 'ipfs-unixfs-importer'
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import { balanced } from 'ipfs-unixfs-importer/layout'
import { MemoryBlockstore } from 'blockstore-core/memory'
function pattern (n) { const out = new Uint8Array(n); let s = 0x12345678
  for (let i = 0; i < n; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; out[i] = s >>> 24 } return out }
const opts = { cidVersion: 1, rawLeaves: true, chunker: fixedSize({ chunkSize: 262144 }), layout: balanced({ maxChildrenPerNode: 174 }), reduceSingleLeafToSelf: true, fieldOrder: 'links-first' }
for (const n of [262145, 45613057]) {
  const bs = new MemoryBlockstore(); let last
  for await (const e of importer([{ content: pattern(n) }], bs, opts)) last = e
  const blk = await bs.get(last.cid)
  let b = blk; if (!(b instanceof Uint8Array)) { const parts=[]; for await (const c of blk) parts.push(c); b = Buffer.concat(parts) }
  console.log(n, last.cid.toString(), Buffer.from(b).toString('hex'))
}
