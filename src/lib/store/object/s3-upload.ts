/**
 * Streams a body of unknown length into one S3 object: a single PutObject when it fits
 * in one part, else a multipart upload whose parts are all exactly `partSize` bytes but
 * the last. Real S3 refuses parts under 5 MiB except the last (`EntityTooSmall` at
 * Complete); s3rver accepts them, so the rule is enforced here, before any request.
 *
 * Memory: about (queue + 1) × partSize, whatever the size of the log. Bodies are Buffers,
 * so the SDK never sends aws-chunked framing (which s3rver would store as content).
 * On any failure the in-flight parts settle, then the upload is aborted so no parts are
 * stranded; an abort that fails too is attached to the error (gc also aborts leftovers).
 */
import {AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, PutObjectCommand, UploadPartCommand, type CompletedPart, type S3Client} from '@aws-sdk/client-s3'
import type {Readable} from 'node:stream'

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
}

export async function uploadStream({client, bucket, key, body, partSize = DEFAULT_PART_SIZE, queue = DEFAULT_QUEUE, contentType}: StreamUploadOptions): Promise<number> {
  if (partSize < MIN_PART_SIZE) throw new RangeError(`S3 part size ${partSize} is under the 5 MiB minimum`)
  const parts = fixedSizeParts(body, partSize)[Symbol.asyncIterator]()
  const first = await parts.next()
  const firstPart = first.done ? Buffer.alloc(0) : first.value
  const second = first.done ? first : await parts.next()
  if (second.done) {
    await client.send(new PutObjectCommand({Bucket: bucket, Key: key, Body: firstPart, ContentLength: firstPart.length, ContentType: contentType}))
    return firstPart.length
  }
  const {UploadId} = await client.send(new CreateMultipartUploadCommand({Bucket: bucket, Key: key, ContentType: contentType}))
  if (!UploadId) throw new Error(`S3 gave no UploadId for ${key}`)
  const completed: CompletedPart[] = []
  const inFlight = new Set<Promise<void>>()
  let failure: unknown
  let total = 0
  const send = (data: Buffer, number: number, isLast: boolean): void => {
    if (!isLast && data.length < MIN_PART_SIZE) throw new RangeError(`part ${number} of ${key} has ${data.length} bytes: S3 needs 5 MiB for all parts but the last`)
    total += data.length
    const upload = client
      .send(new UploadPartCommand({Bucket: bucket, Key: key, UploadId, PartNumber: number, Body: data, ContentLength: data.length}))
      .then((answer) => void completed.push({PartNumber: number, ETag: answer.ETag}))
      .catch((error: unknown) => void (failure ??= error))
      .finally(() => inFlight.delete(upload))
    inFlight.add(upload)
  }
  try {
    let number = 1
    let current: Buffer = firstPart
    let next: IteratorResult<Buffer> = second
    while (!next.done) {
      send(current, number++, false)
      while (inFlight.size >= queue && failure === undefined) await Promise.race(inFlight)
      if (failure !== undefined) throw failure
      current = next.value
      next = await parts.next()
    }
    send(current, number, true)
    await Promise.all(inFlight)
    if (failure !== undefined) throw failure
    completed.sort((a, b) => (a.PartNumber ?? 0) - (b.PartNumber ?? 0))
    await client.send(new CompleteMultipartUploadCommand({Bucket: bucket, Key: key, UploadId, MultipartUpload: {Parts: completed}}))
    return total
  } catch (error) {
    await Promise.allSettled(inFlight)
    await parts.return?.()
    try {
      await client.send(new AbortMultipartUploadCommand({Bucket: bucket, Key: key, UploadId}))
    } catch (abortError) {
      if (error instanceof Error && error.cause === undefined) error.cause = abortError
    }
    throw error
  }
}

/** Re-cuts a stream into Buffers of exactly `size` bytes, the last one shorter. */
export async function* fixedSizeParts(body: AsyncIterable<Buffer | string>, size: number): AsyncIterable<Buffer> {
  let pending: Buffer[] = []
  let pendingBytes = 0
  for await (const chunk of body) {
    let data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
    while (pendingBytes + data.length >= size) {
      const take = size - pendingBytes
      pending.push(data.subarray(0, take))
      yield Buffer.concat(pending, size)
      data = data.subarray(take)
      pending = []
      pendingBytes = 0
    }
    if (data.length > 0) {
      pending.push(data)
      pendingBytes += data.length
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending, pendingBytes)
}
