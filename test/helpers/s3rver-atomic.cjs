/**
 * Runs s3rver's own CLI with two corrections, so that a PUT becomes visible atomically
 * and only once it is complete, as on S3 (strong read-after-write consistency):
 * - s3rver 3.7.1 truncates the object file and streams into it in place, and answers
 *   before the bytes are flushed, so a concurrent GET could read half an object;
 * - its GET takes the length from one stat and the bytes from a later open, so a GET
 *   racing an overwrite read the new object cut at the old one's length.
 * Both are failures real S3 never produces and our readers must not be tested against.
 */
'use strict'
const crypto = require('node:crypto')
const fs = require('node:fs')
const path = require('node:path')
const {pipeline} = require('node:stream/promises')
const {Transform} = require('node:stream')
const FilesystemStore = require('s3rver/lib/stores/filesystem')
const S3Object = require('s3rver/lib/models/object')

FilesystemStore.prototype.putObject = async function putObject(object) {
  const objectPath = this.getResourcePath(object.bucket, object.key, 'object')
  await fs.promises.mkdir(path.dirname(objectPath), {recursive: true})
  const partial = path.join(path.dirname(objectPath), `.upload-${crypto.randomUUID()}`)
  const md5 = crypto.createHash('md5')
  let size = 0
  const source = Buffer.isBuffer(object.content) ? [object.content] : object.content
  try {
    await pipeline(
      source,
      new Transform({
        transform(chunk, encoding, callback) {
          md5.update(chunk)
          size += chunk.length
          callback(null, chunk)
        },
      }),
      fs.createWriteStream(partial),
    )
    await fs.promises.rename(partial, objectPath)
  } catch (error) {
    await fs.promises.rm(partial, {force: true})
    throw error
  }
  const digest = md5.digest('hex')
  await this.putMetadata(object.bucket, object.key, object.metadata, digest)
  return {size, md5: digest}
}

/** s3rver's getObject, with the length and the bytes taken from one open file: one version. */
FilesystemStore.prototype.getObject = async function getObject(bucket, key, options) {
  let handle
  try {
    handle = await fs.promises.open(this.getResourcePath(bucket, key, 'object'), 'r')
  } catch (error) {
    if (error.code === 'ENOENT') return null
    throw error
  }
  try {
    const metadata = await this.getMetadata(bucket, key)
    const {size} = await handle.stat()
    metadata['content-length'] = size
    const lastByte = Math.max(0, size - 1)
    const ranged = options && (options.start !== undefined || options.end)
    const range = {start: (options && options.start) || 0, end: Math.min((options && options.end) || Infinity, lastByte)}
    if (range.start < 0 || range.end < range.start) {
      await handle.close()
      const object = new S3Object(bucket, key, null, metadata)
      if (ranged) object.range = range
      return object
    }
    const object = new S3Object(bucket, key, handle.createReadStream({start: range.start, end: range.end}), metadata)
    if (ranged) object.range = range
    return object
  } catch (error) {
    await handle.close()
    if (error.code === 'ENOENT') return null
    throw error
  }
}

require('s3rver/bin/s3rver.js')
