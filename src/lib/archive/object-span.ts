/**
 * Bytes of an archive object by offset, across its parts (`key`, `key.001`, … of a backend
 * with a size cap, bucket.ts partKey): what a ranged read of the object as one gives.
 */
import {readBytes, type ObjectBucket} from '../store/object/bucket.js'

/** What the object holds of bytes [offset, offset + length): fewer at the end of a truncated one. */
export async function objectSpan(bucket: ObjectBucket, parts: Array<{key: string; size: number}>, offset: number, length: number): Promise<Buffer> {
  const chunks: Buffer[] = []
  let start = 0
  for (const part of parts) {
    const from = Math.max(offset, start)
    const to = Math.min(offset + length, start + part.size)
    start += part.size
    if (from >= to) continue
    const data = await readBytes(bucket, part.key, {offset: from - (start - part.size), length: to - from})
    if (!data) throw new Error(`its object ${bucket.urlOf(part.key)} is missing`)
    chunks.push(data)
    if (data.length < to - from) break
  }
  return Buffer.concat(chunks)
}
