/**
 * gzip and gunzip of whole buffers, with node:zlib loaded by the first call: `ls` and every
 * reader import the archive's code, and most of them never decompress anything.
 */
import {promisify} from 'node:util'

let zlib: {gzip: (data: Buffer) => Promise<Buffer>; gunzip: (data: Buffer) => Promise<Buffer>} | undefined

function loaded(): NonNullable<typeof zlib> {
  if (zlib) return zlib
  const {gzip, gunzip} = process.getBuiltinModule('node:zlib')
  return (zlib = {gzip: promisify(gzip), gunzip: promisify(gunzip)})
}

export const gzipAsync = (data: Buffer): Promise<Buffer> => loaded().gzip(data)
export const gunzipAsync = (data: Buffer): Promise<Buffer> => loaded().gunzip(data)
