/**
 * Runs s3rver's own CLI with one correction: a PUT becomes visible atomically and only
 * once it is complete, as on S3 (strong read-after-write consistency). s3rver 3.7.1
 * truncates the object file and streams into it in place, and answers before the bytes
 * are flushed, so a concurrent GET could read half an object — a failure real S3 never
 * produces and our readers must not be tested against.
 */
'use strict'
const crypto = require('node:crypto')
const fs = require('node:fs')
const path = require('node:path')
const {pipeline} = require('node:stream/promises')
const {Transform} = require('node:stream')
const FilesystemStore = require('s3rver/lib/stores/filesystem')

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

require('s3rver/bin/s3rver.js')
