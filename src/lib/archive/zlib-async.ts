/**
 * gzip and gunzip of whole buffers, with node:zlib loaded by the first call: `ls` and every
 * reader import the archive's code, and most of them never decompress anything.
 */
import {promisify} from 'node:util'

let zlib: {gzip: (data: Buffer) => Promise<Buffer>; gunzip: (data: Buffer, options: {maxOutputLength?: number}) => Promise<Buffer>} | undefined

function loaded(): NonNullable<typeof zlib> {
  if (zlib) return zlib
  const {gzip, gunzip} = process.getBuiltinModule('node:zlib')
  return (zlib = {gzip: promisify(gzip), gunzip: promisify(gunzip)})
}

export const gzipAsync = (data: Buffer): Promise<Buffer> => loaded().gzip(data)
/** With `maxOutputLength`, rejects (ERR_BUFFER_TOO_LARGE) data that would inflate to more. */
export const gunzipAsync = (data: Buffer, maxOutputLength?: number): Promise<Buffer> => loaded().gunzip(data, maxOutputLength ? {maxOutputLength} : {})
