/**
 * Streams a body of unknown length into one S3 object with lib-storage's `Upload`: a
 * single PutObject when it fits in one part, else a multipart upload of `queue` workers
 * pulling exactly-`partSize` parts (all but the last) from the stream. Real S3 refuses
 * parts under 5 MiB except the last (`EntityTooSmall` at Complete); s3rver accepts them,
 * so the part size is checked here, before any request.
 *
 * Memory: about (queue + 1) × partSize, whatever the size of the log. Parts are Buffers,
 * so the SDK never sends aws-chunked framing (which s3rver would store as content).
 * On any failure the in-flight parts settle, then Upload aborts the multipart upload so
 * no parts are stranded (gc also aborts leftovers).
 */
import type {S3Client} from '@aws-sdk/client-s3'
import {Readable} from 'node:stream'

export const MIN_PART_SIZE = 5 * 1024 * 1024
export const DEFAULT_PART_SIZE = 8 * 1024 * 1024
export const DEFAULT_QUEUE = 3

export interface StreamUploadOptions {
  client: S3Client
  bucket: string
  key: string
  body: Readable
  partSize?: number
  queue?: number
  contentType?: string
  /** Bytes sent so far, as parts complete. */
  onProgress?: (sent: number) => void
}

/** Uploads `body` and returns its size in bytes. */
export async function uploadStream({
  client,
  bucket,
  key,
  body,
  partSize = DEFAULT_PART_SIZE,
  queue = DEFAULT_QUEUE,
  contentType,
  onProgress,
}: StreamUploadOptions): Promise<number> {
  if (partSize < MIN_PART_SIZE) throw new RangeError(`S3 part size ${partSize} is under the 5 MiB minimum`)
  let size = 0
  // Counted as the stream is read, since Upload reports no total for a body of unknown length.
  const counted = Readable.from(
    (async function* () {
      for await (const chunk of body as AsyncIterable<Buffer | string>) {
        const data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
        size += data.length
        yield data
      }
    })(),
    {objectMode: false},
  )
  // Loaded by the first upload: commands that only read never need it.
  const {Upload} = await import('@aws-sdk/lib-storage')
  const upload = new Upload({client, params: {Bucket: bucket, Key: key, Body: counted, ContentType: contentType}, partSize, queueSize: queue})
  if (onProgress) upload.on('httpUploadProgress', ({loaded}) => loaded !== undefined && onProgress(loaded))
  try {
    await upload.done()
  } finally {
    counted.destroy()
  }
  return size
}
