/**
 * The few primitives every object store offers (a directory, S3, Supabase Storage). The
 * archive format, manifests, locks and retention are written once on top of these
 * (src/lib/archive/blob-archive.ts); each backend in this folder only implements this.
 *
 * Keys are relative to the URL's prefix (`s3://bucket/prefix` → `prefix/<key>`).
 */
import type {Readable} from 'node:stream'
import {withRetry, type RetryPolicy} from '../retry.js'
import {classifyForRetry} from './failure.js'

export interface StoredObject {
  key: string
  size: number
  /** ms since epoch, when the backend says. */
  modifiedAt?: number
}

/** A run of bytes of an object; it lies within the object. */
export interface ByteRange {
  offset: number
  length: number
}

/** The key of an object's part n: the key itself for the first (n = 0), then `key.001`, `key.002`, … */
export function partKey(key: string, n: number): string {
  return n === 0 ? key : `${key}.${String(n).padStart(3, '0')}`
}

/** The key a later part (`key.001`, …) belongs to, and its number; undefined for any other key. */
export function partOf(key: string): {key: string; n: number} | undefined {
  const match = /^(.+)\.(\d{3,})$/.exec(key)
  return match ? {key: match[1], n: Number(match[2])} : undefined
}

export interface WriteStreamOptions {
  onProgress?: () => void
}

export interface ObjectBucket {
  /** The bucket/prefix URL without secrets, for messages. */
  readonly name: string
  /** The policy its requests retry under; loops over several requests (followers) use it too. */
  readonly retry?: RetryPolicy
  /** Full URL of a key, recorded in job metadata. */
  urlOf(key: string): string
  /**
   * Stores a stream of unknown length. Backends with a per-object size cap split it into
   * `key`, `key.001`, `key.002`, … (partKey): consecutive pieces of one gzip stream, so
   * `cat key key.0* | zcat` still reads it. Returns the objects written, in order.
   * On failure nothing partial is left behind where the backend allows it (multipart abort).
   * `onProgress` is told each time the store has taken a part (or a write, for a directory):
   * an upload that keeps going is progress for push's --drain-timeout, however long it takes.
   */
  writeStream(key: string, body: Readable, options?: WriteStreamOptions): Promise<StoredObject[]>
  /** Stores a small object. With `exclusive`, returns false instead of overwriting an existing one. */
  writeBytes(key: string, data: Buffer, options?: {exclusive?: boolean}): Promise<boolean>
  /**
   * undefined when the object does not exist. With `range`, only bytes
   * [offset, offset + length) — S3 and Supabase `Range`, a positioned read of a file —
   * so a reader of an indexed archive fetches the blocks it needs and nothing else.
   */
  readStream(key: string, range?: ByteRange): Promise<Readable | undefined>
  stat(key: string): Promise<StoredObject | undefined>
  /** Every object whose key starts with `prefix`, recursively, in any order. */
  list(prefix: string): AsyncIterable<StoredObject>
  /** Deletes; keys that are already gone are not an error. */
  delete(keys: string[]): Promise<void>
  close(): Promise<void>
}

/** Housekeeping only some backends can do (S3): used by `logs gc`. */
export interface BucketMaintenance {
  /** Multipart uploads started before `startedBefore` and never completed. */
  staleUploads(startedBefore: number): Promise<Array<{key: string; uploadId: string; startedAt: number}>>
  abortUpload(key: string, uploadId: string): Promise<void>
  /** Installs a rule: objects under the prefix expire after `days`; incomplete uploads abort after one day. */
  applyLifecycle(days: number): Promise<string>
}

export function hasMaintenance(bucket: ObjectBucket): bucket is ObjectBucket & BucketMaintenance {
  return typeof (bucket as Partial<BucketMaintenance>).staleUploads === 'function'
}

/**
 * A small object (metadata, a manifest, a lock) or a range of one, whole. Read again from
 * the start when the connection is cut, so a mutable object is never stitched from two versions.
 */
export async function readBytes(bucket: ObjectBucket, key: string, range?: ByteRange): Promise<Buffer | undefined> {
  return withRetry(
    async () => {
      const stream = await bucket.readStream(key, range)
      if (!stream) return undefined
      const chunks: Buffer[] = []
      for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk)
      return Buffer.concat(chunks)
    },
    {policy: bucket.retry, classify: classifyForRetry},
  )
}

/** The Range header for what is left of `range` (or of the whole object) after `delivered` bytes. */
export function restOf(range: ByteRange | undefined, delivered: number): string {
  const from = (range?.offset ?? 0) + delivered
  return `bytes=${from}-${range ? range.offset + range.length - 1 : ''}`
}

/** An HTTP `Range` header value for a ByteRange (bytes=first-last, inclusive). */
export function httpRange(range: ByteRange): string {
  return `bytes=${range.offset}-${range.offset + range.length - 1}`
}
