/**
 * A LiveStore on an object store (`push --store s3://…`, `supabase://…` or `vercel-blob://…`), for users
 * without Redis. Object stores have no append, so:
 *
 *   push ─▶ local spool ─▶ shipper, every batchInterval (--flush-interval, default 10 s)
 *        ─▶ append(): one chunk object per call (.chunks/<job>/<first>-<last>.jsonl.gz)
 *   endJob(): chunks (after the earlier final object, if the job is being continued) are
 *        assembled and verified into <job>.jsonl.gz + <job>.meta.json — the archive
 *        layout — then the chunks are deleted.
 *
 * Appends are idempotent by AppendToken (the last batch per writer is kept in the
 * chunk metadata; a retried batch after a crash rewrites the same chunk name), and
 * serialised across processes by the archive's per-job lock, which appends queued back to
 * back share (held-locks.ts): a backlog costs a chunk and a metadata write per append. Readers read a running job
 * from its chunks; `follow` polls, adaptively (object-follow-source.ts).
 */
import {Readable} from 'node:stream'
import {BlobArchive} from './blob-archive.js'
import {chunkDir, chunkKey, chunkMetaKey, chunkRange} from './chunk-layout.js'
import {decodeEntries, encodeEntries} from './format.js'
import {manifestKey} from './layout.js'
import {encodeManifest} from './manifest.js'
import {partOf, readBytes, type ObjectBucket} from '../store/object/bucket.js'
import {applyRange} from './range.js'
import type {LogEntry, NewEntry} from '../entry.js'
import {LEVELS} from '../level.js'
import {packEntries, type PackedEntries} from '../store/packed-entries.js'
import {decodeChunk} from '../store/redis/codec.js'
import {JobNotFoundError, ObjectStoreError, OutOfOrderError, StoreUnavailableError} from '../errors/index.js'
import {followLoop} from '../store/follow-loop.js'
import {ObjectFollowSource} from './object-follow-source.js'
import {HeldLocks, type LockSession} from './held-locks.js'
import {newJobMeta, type JobMeta, type JobStatus} from '../job.js'
import type {AppendResult, AppendToken, FollowEvent, FollowOptions, JobFilter, LiveStore, ReadRange} from '../store/types.js'

export const DEFAULT_FLUSH_INTERVAL_MS = 10_000
/** A chunk object holds up to this many bytes of lines: a backlog ships in few, big chunks. */
const MAX_CHUNK_BYTES = 8 * 1024 * 1024
const LOCK_TTL_MS = 60_000
const LOCK_WAIT_MS = 30_000

interface ChunkMeta extends JobMeta {
  /** Last batch applied per writer (AppendToken.batch). */
  writers?: Record<string, number>
  /** Entries 1..base live in the final object of an earlier run of the job (pushing to an ended job appends). */
  base?: number
}

export class ObjectLiveStore implements LiveStore {
  readonly local = false
  readonly batchInterval: number
  readonly maxBatchBytes = MAX_CHUNK_BYTES
  /** The next append waits in the job's queue while one is written: it runs under the same lock (held-locks.ts). */
  readonly appendWindow = 2
  readonly archive: BlobArchive
  private readonly bucket: ObjectBucket
  private readonly held: HeldLocks

  constructor(options: {bucket: ObjectBucket; batchInterval?: number; clock?: () => number}) {
    this.bucket = options.bucket
    this.archive = new BlobArchive({bucket: options.bucket, clock: options.clock})
    this.batchInterval = options.batchInterval ?? DEFAULT_FLUSH_INTERVAL_MS
    this.held = new HeldLocks({locks: this.archive.locks, name: this.bucket.name, ttlMs: LOCK_TTL_MS, waitMs: LOCK_WAIT_MS})
  }

  get name(): string {
    return this.bucket.name
  }

  async startJob(id: string, init: {labels?: Record<string, string>} = {}): Promise<JobMeta> {
    return this.locked(id, async (session) => {
      const now = Date.now()
      let meta = await this.lockedMeta(id, session)
      if (!meta) {
        const finished = await this.archive.head(id)
        meta = finished ? {...finished.meta, base: finished.meta.lines} : newJobMeta(id, now, init.labels)
      }
      if (init.labels) meta.labels = {...meta.labels, ...init.labels}
      meta.status = 'running'
      meta.location = {kind: 'live'}
      delete meta.endedAt
      delete meta.exitCode
      meta.updatedAt = now
      await this.saveMeta(meta, session)
      return publicMeta(meta)
    })
  }

  async append(id: string, entries: NewEntry[], token?: AppendToken): Promise<AppendResult> {
    return this.appendPacked(id, packEntries(entries), token)
  }

  /**
   * One chunk object per call. The batch stays packed (a few buffers) while the lock and the
   * metadata are fetched; its entries are made one chunk of the codec at a time as the object
   * is encoded, so they die young instead of living through the round trips into the old
   * generation (which then held 40-60 MB of dead entries while a big log was shipped).
   */
  async appendPacked(id: string, packed: PackedEntries, token?: AppendToken, {onProgress}: {onProgress?: () => void} = {}): Promise<AppendResult> {
    return this.locked(id, async (session) => {
      const meta = await this.lockedMeta(id, session)
      if (!meta) throw new JobNotFoundError(id, this.name)
      if (token && (meta.writers?.[token.writer] ?? -1) >= token.batch) return {first: 0, last: -1, duplicate: true}
      if (token?.after !== undefined && (meta.writers?.[token.writer] ?? 0) !== token.after) throw OutOfOrderError.of(this.name, token, meta.writers?.[token.writer])
      if (packed.count === 0) return {first: 0, last: -1}
      const first = meta.lines + 1
      const last = meta.lines + packed.count
      const encoded = encodeEntries(packedLogEntries(packed, first))
      await this.bucket.writeStream(chunkKey(id, first, last), encoded.stream, {onProgress})
      meta.lines = last
      meta.bytes += packed.bytes
      packed.levels.forEach((n, i) => {
        if (n > 0) meta.levels[LEVELS[i]] = (meta.levels[LEVELS[i]] ?? 0) + n
      })
      if (packed.masked) meta.masked = (meta.masked ?? 0) + packed.masked
      meta.firstTs ??= packed.firstTs
      meta.lastTs = packed.lastTs
      meta.updatedAt = Date.now()
      if (token) meta.writers = {...meta.writers, [token.writer]: token.batch}
      await this.saveMeta(meta, session)
      return {first, last}
    })
  }

  /** Ends the job and assembles its chunks into the final object (verified), then deletes them. */
  async endJob(id: string, end: {status: JobStatus; exitCode?: number}, {onProgress}: {onProgress?: () => void} = {}): Promise<JobMeta> {
    return this.locked(id, async (session) => {
      const meta = await this.lockedMeta(id, session)
      if (!meta) {
        const finished = await this.archive.head(id)
        if (finished) return finished.meta
        throw new JobNotFoundError(id, this.name)
      }
      const now = Date.now()
      meta.status = end.status
      if (end.exitCode === undefined) delete meta.exitCode
      else meta.exitCode = end.exitCode
      meta.endedAt = now
      meta.updatedAt = now
      await this.saveMeta(meta, session) // a crash from here on leaves an ended job that `archive` finishes
      delete session.remembered // assembly deletes it
      return this.assemble(meta, onProgress)
    })
  }

  /** Patches the chunk metadata of a job in chunks, or the manifest of an assembled one (e.g. `archive` recording where it moved it). */
  async updateJob(id: string, patch: Partial<Omit<JobMeta, 'id'>>): Promise<JobMeta> {
    return this.locked(id, async (session) => {
      const meta = await this.lockedMeta(id, session)
      if (meta) {
        const next = {...meta, updatedAt: Date.now(), ...patch}
        await this.saveMeta(next, session)
        return publicMeta(next)
      }
      const manifest = await this.archive.manifest(id)
      if (!manifest) throw new JobNotFoundError(id, this.name)
      manifest.meta = {...manifest.meta, updatedAt: Date.now(), ...patch}
      await this.bucket.writeBytes(manifestKey(id), encodeManifest(manifest))
      return manifest.meta
    })
  }

  async getJob(id: string): Promise<JobMeta | undefined> {
    const meta = await this.chunkMeta(id)
    if (meta) return publicMeta(meta)
    return (await this.archive.head(id))?.meta
  }

  /** Jobs in chunks (running, or ended and not yet assembled) and assembled ones (located in this store's archive layout). */
  async listJobs(filter: JobFilter = {}): Promise<JobMeta[]> {
    const ids = new Set<string>()
    for await (const object of this.bucket.list(chunkDir(filter.prefix ?? '').replace(/\/$/, ''))) {
      const match = /^\.chunks\/([^/]+)\/meta\.json$/.exec(object.key)
      if (match) ids.add(match[1])
    }
    const chunked = await Promise.all([...ids].map((id) => this.getJob(id)))
    const assembled = (await this.archive.list({prefix: filter.prefix, onDamaged: filter.onDamaged})).map((job) => job.meta).filter((meta) => !ids.has(meta.id))
    return [...chunked, ...assembled].filter((m): m is JobMeta => m !== undefined && (!filter.status || m.status === filter.status)).sort((a, b) => b.updatedAt - a.updatedAt)
  }

  async *read(id: string, range: ReadRange = {}): AsyncIterable<LogEntry> {
    const meta = await this.chunkMeta(id)
    if (!meta) {
      if (!(await this.archive.head(id))) throw new JobNotFoundError(id, this.name)
      yield* this.archive.read(id, range)
      return
    }
    yield* applyRange(this.chunkEntries(meta, range.after ?? 0), range)
  }

  /** Polls, adaptively (object stores cannot notify): see object-follow-source.ts. */
  follow(id: string, options: FollowOptions): AsyncIterable<FollowEvent> {
    const source = new ObjectFollowSource({
      getJob: () => this.getJob(id),
      read: (range) => this.read(id, range),
      notFound: () => new JobNotFoundError(id, this.name),
      retry: this.bucket.retry,
      signal: options.signal,
    })
    return followLoop(source, options)
  }

  /** Deletes the job: chunks, chunk metadata and its assembled object. */
  async deleteJob(id: string): Promise<void> {
    await this.deleteChunks(id)
    await this.archive.delete([id])
  }

  private async deleteChunks(id: string): Promise<void> {
    const keys: string[] = []
    for await (const object of this.bucket.list(chunkDir(id))) keys.push(object.key)
    await this.bucket.delete(keys.filter((key) => key !== chunkMetaKey(id)))
    await this.bucket.delete([chunkMetaKey(id)])
  }

  async close(): Promise<void> {
    await this.bucket.close()
  }

  /** `onProgress`: told as each chunk is read, and as the object is uploaded and read back (blob-archive.ts put). */
  private async assemble(meta: ChunkMeta, onProgress?: () => void): Promise<JobMeta> {
    const stored = await this.archive.put(publicMeta(meta), this.chunkEntries(meta, 0, onProgress), {onProgress})
    await this.deleteChunks(meta.id)
    return stored.meta
  }

  /** Entries after `after`: from the earlier final object (1..base), then the chunks in seq order. */
  private async *chunkEntries(meta: ChunkMeta, after: number, onChunk?: () => void): AsyncIterable<LogEntry> {
    const base = meta.base ?? 0
    if (after < base) yield* this.archive.read(meta.id, {after})
    const chunks: Array<{key: string; first: number; last: number}> = []
    // A backend with a part size (Supabase's ?part-size=) may store a chunk as `key`, `key.001`, …
    const parts = new Map<string, Array<{key: string; n: number}>>()
    for await (const object of this.bucket.list(chunkDir(meta.id))) {
      const part = partOf(object.key)
      if (part) parts.set(part.key, [...(parts.get(part.key) ?? []), {key: object.key, n: part.n}])
      const range = part ? undefined : chunkRange(object.key)
      if (range && range.last > Math.max(after, base) && range.last <= meta.lines) chunks.push({key: object.key, ...range})
    }
    chunks.sort((a, b) => a.first - b.first)
    let expected = Math.max(after, base) + 1
    for (const chunk of chunks) {
      const rest = (parts.get(chunk.key) ?? []).sort((a, b) => a.n - b.n).map((p) => p.key)
      const stream = await this.chunkStream(chunk.key, rest)
      if (!stream) {
        yield* this.assembledAfter(meta, chunk.key, expected - 1)
        return
      }
      try {
        for await (const entry of decodeEntries(stream)) {
          if (entry.seq < expected) continue
          if (entry.seq !== expected) throw new StoreUnavailableError(this.name, `job ${meta.id} is missing entries ${expected}..${entry.seq - 1} in its chunks`)
          expected++
          yield entry
        }
        onChunk?.()
      } catch (error) {
        // A body cut mid-chunk is resumed; if the chunk is gone by then, the job was assembled meanwhile.
        if (!(error instanceof ObjectStoreError && error.kind === 'not-found')) throw error
        yield* this.assembledAfter(meta, chunk.key, expected - 1)
        return
      }
    }
  }

  /** A chunk object and the parts after its first, as one stream; undefined when the chunk is gone. */
  private async chunkStream(key: string, rest: string[]): Promise<Readable | undefined> {
    const first = await this.bucket.readStream(key)
    if (!first || rest.length === 0) return first
    const bucket = this.bucket
    return Readable.from(
      (async function* () {
        yield* first as AsyncIterable<Buffer>
        for (const part of rest) {
          const stream = await bucket.readStream(part)
          if (!stream) throw new ObjectStoreError('not-found', bucket.name, `${part} is missing`)
          yield* stream as AsyncIterable<Buffer>
        }
      })(),
    )
  }

  /** Assembled (and its chunks deleted) while we read: the rest is in the final object. */
  private async *assembledAfter(meta: ChunkMeta, chunkKey: string, after: number): AsyncIterable<LogEntry> {
    if (!(await this.archive.head(meta.id))) throw new StoreUnavailableError(this.name, `chunk ${chunkKey} of job ${meta.id} disappeared while being read`)
    for await (const entry of this.archive.read(meta.id, {after})) {
      if (entry.seq > meta.lines) return
      yield entry
    }
  }

  private async chunkMeta(id: string, session?: LockSession): Promise<ChunkMeta | undefined> {
    const data = await readBytes(this.bucket, chunkMetaKey(id))
    if (!data) return undefined
    const text = data.toString('utf8')
    try {
      const meta = JSON.parse(text) as ChunkMeta
      if (session) session.remembered = text
      return meta
    } catch (error) {
      throw new StoreUnavailableError(this.name, `the metadata of job ${id} (${chunkMetaKey(id)}) is not JSON: ${(error as Error).message}`)
    }
  }

  /** The metadata, read once per taking of the lock: while we hold it, no one else writes it. */
  private async lockedMeta(id: string, session: LockSession): Promise<ChunkMeta | undefined> {
    return session.remembered === undefined ? this.chunkMeta(id, session) : (JSON.parse(session.remembered) as ChunkMeta)
  }

  private async saveMeta(meta: ChunkMeta, session: LockSession): Promise<void> {
    const text = JSON.stringify(meta)
    await this.bucket.writeBytes(chunkMetaKey(meta.id), Buffer.from(text))
    session.remembered = text
  }

  /** Serialises writers of one job across processes with the archive's per-job lock (archive waits for an append and vice versa). */
  private locked<T>(id: string, work: (session: LockSession) => Promise<T>): Promise<T> {
    return this.held.run(id, work)
  }
}

function publicMeta(meta: ChunkMeta): JobMeta {
  const {writers: _writers, base: _base, ...rest} = meta
  return rest
}

/** The batch's entries as seq first, first+1, …, decoded one chunk of the codec at a time. */
async function* packedLogEntries(packed: PackedEntries, first: number): AsyncIterable<LogEntry> {
  let last = first - 1
  for (const chunk of packed.chunks) yield* decodeChunk((last += chunk.count), chunk.index, chunk.data)
}
