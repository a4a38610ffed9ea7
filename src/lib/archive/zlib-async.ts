/**
 * gzip and gunzip of whole buffers, with node:zlib loaded by the first call: `ls` and every
 * reader import the archive's code, and most of them never decompress anything.
 */
import {promisify} from 'node:util'

let zlib: {gzip: (data: Buffer) => Promise<Buffer>; gunzip: (data: Buffer, options: {maxOutputLength?: number; chunkSize: number}) => Promise<Buffer>} | undefined

function loaded(): NonNullable<typeof zlib> {
  if (zlib) return zlib
  const {gzip, gunzip} = process.getBuiltinModule('node:zlib')
  return (zlib = {gzip: promisify(gzip), gunzip: promisify(gunzip)})
}

export const gzipAsync = (data: Buffer): Promise<Buffer> => loaded().gzip(data)
/** With `maxOutputLength`, rejects (ERR_BUFFER_TOO_LARGE) data that would inflate to more; `size`: what it inflates to, where known. */
export const gunzipAsync = (data: Buffer, maxOutputLength?: number, size?: number): Promise<Buffer> =>
  loaded().gunzip(data, {...(maxOutputLength ? {maxOutputLength} : {}), chunkSize: inflateChunkSize(data.length, size)})

/**
 * The `chunkSize` for inflating `compressed` bytes with node:zlib, which inflates into buffers of
 * that size, each a round trip to libuv's thread pool (16 KiB by default: 32 of them for a 512 KiB
 * block took 4× the time of one, Node 24). Of a known size, one buffer with room to see the end
 * (up to 8 MiB: a size read from a damaged index is not allocated whole); else some 16 times the
 * compressed bytes, between 64 KiB and 1 MiB.
 */
export function inflateChunkSize(compressed: number, size?: number): number {
  if (size !== undefined) return Math.min(size + 64, 8 << 20)
  return Math.min(1 << 20, Math.max(64 * 1024, 16 * compressed))
}
