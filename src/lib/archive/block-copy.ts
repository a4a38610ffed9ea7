/**
 * The blocks of a job's archived object as they are stored — zstd frames with their index
 * entries and token filters — for `logs archive` of a live job that continues that run
 * (store/continued-job.ts): the job's object is written again with these blocks first,
 * copied by ranged reads of a run of neighbours at a time (./block-runs.ts), never
 * recompressed nor filtered again. Each member is still inflated once, to check it against
 * its index entry and to hash the NDJSON (the manifest's sha256 is of all of it).
 */
import {ArchiveIntegrityError} from '../errors/index.js'
import {readBytes, type ObjectBucket} from '../store/object/bucket.js'
import {decodeIndexTable, type BlockInfo} from './block-index.js'
import {runsOf} from './block-runs.js'
import type {Manifest} from './manifest.js'
import {objectSpan} from './object-span.js'
import {compressBlockData, inflateBlock, isZstdFrame} from './block-codec.js'

export interface CopiedBlock {
  /** Its index entry; offsets are the old object's. */
  info: BlockInfo
  /** The zstd frame as stored (a gzip member of an older object: compressed again, so the object is all zstd). */
  compressed: Buffer
  /** Its NDJSON. */
  ndjson: Buffer
  filter: Buffer
}

/** The object's blocks in order; an object without a trustworthy index is refused (the caller reads its entries instead). */
export async function* copiedBlocks(bucket: ObjectBucket, manifest: Manifest): AsyncIterable<CopiedBlock> {
  const {id, index} = manifest
  const fail = (why: string) => new ArchiveIntegrityError(id, `its archived run cannot be copied: ${why}`)
  if (!index) throw fail('its object has no block index')
  const head = await readBytes(bucket, index.key, {offset: 0, length: index.tableBytes})
  const table = head ? decodeIndexTable(head, {id, size: manifest.size, lines: manifest.lines}) : `its block index ${bucket.urlOf(index.key)} is missing`
  if (typeof table === 'string') throw fail(table)
  for (const run of runsOf(table.blocks)) {
    const first = run[0]
    const last = run.at(-1)!
    const [compressed, filters] = await Promise.all([objectSpan(bucket, manifest.parts, first.offset, last.offset + last.size - first.offset), filterSpan(bucket, index, run)])
    if (!filters) throw fail(`the token filters of blocks at ${first.offset}.. are not all stored`)
    if (compressed.length !== last.offset + last.size - first.offset) throw fail(`only ${compressed.length} bytes of blocks at ${first.offset}.. are stored`)
    for (const info of run) {
      const member = compressed.subarray(info.offset - first.offset, info.offset - first.offset + info.size)
      const ndjson = await inflateBlock(member, info.bytes)
      if (ndjson.length !== info.bytes) throw fail(`block seq ${info.firstSeq}..${info.lastSeq} holds ${ndjson.length} bytes, its index says ${info.bytes}`)
      const at = info.filter.offset - run[0].filter.offset
      yield {info, compressed: isZstdFrame(member) ? member : await compressBlockData(ndjson), ndjson, filter: filters.subarray(at, at + info.filter.size)}
    }
  }
}

/** The token filters of a run of blocks, which lie back to back in the index object. */
async function filterSpan(bucket: ObjectBucket, index: NonNullable<Manifest['index']>, run: BlockInfo[]): Promise<Buffer | undefined> {
  const start = run[0].filter.offset
  const end = run.at(-1)!.filter.offset + run.at(-1)!.filter.size
  if (end <= start) return Buffer.alloc(0)
  const data = await readBytes(bucket, index.key, {offset: index.tableBytes + start, length: end - start})
  return data?.length === end - start ? data : undefined
}
