/**
 * The embedded live store (`file://DIR`), the default: no server.
 *
 *   DIR/jobs/<id>/log           the bytes as read (append-only); its size is the job's bytes
 *   DIR/jobs/<id>/idx           one fixed-size record per entry (index-record.ts); size/24 = lines
 *   DIR/jobs/<id>/stats         level counts and times, rewritten in place per append (job-stats.ts)
 *   DIR/jobs/<id>/meta.json     status, times, exit code, labels, location: replaced atomically
 *                               (write + rename) when they change, never per append
 *   DIR/jobs/<id>/writers/      last batch applied per writer (AppendToken), for idempotent
 *                               retries, rewritten in place (writer-tokens.ts)
 *   DIR/jobs/<id>/lock          held while appending or changing metadata
 *
 * The `jobs/` directory is the job index. Followers wake on inotify (fs.watch) of the
 * job's directory (follow-source.ts): an append touches `idx`, an end replaces `meta.json`.
 */
import {mkdirSync, readFileSync, renameSync, statSync, writeFileSync} from 'node:fs'
import {mkdir, readdir, rm, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {JobNotFoundError, OutOfOrderError, StoreUnavailableError} from '../../errors/index.js'
import type {LogEntry, NewEntry} from '../../entry.js'
import type {LineBatch} from '../../line-batch.js'
import type {LineMatcher} from '../../line-match.js'
import type {PackedEntries} from '../packed-entries.js'
import {checkJobId} from '../../job-id.js'
import {newJobMeta, type JobMeta, type JobStatus} from '../../job.js'
import type {
  AppendResult,
  AppendToken,
  MatchedBlock,
  RawBlock,
  RawMatchRange,
  RawRange,
  FollowEvent,
  FollowOptions,
  JobFilter,
  LiveStore,
  ReadRange,
  StartJobInit,
  StoredEntries,
} from '../types.js'
import {INDEX_FILE, JobLog, LOCK_FILE, LOG_FILE, type JobLogOwner} from './job-log.js'
import {JobLogWriter, type Appended} from './job-log-writer.js'
import {matchingRaw} from './matching-raw.js'
import {readStats} from './job-stats.js'
import {PackedReader} from './packed-reader.js'
import {RECORD_SIZE} from './index-record.js'
import {withLockSync} from './lock.js'
import {WriterToken} from './writer-tokens.js'
import {DirectoryWake} from './wake.js'
import {openFileFollowSource} from './follow-source.js'
import {followLoop} from '../follow-loop.js'
import {ensureDir, nearestDirectory} from '../ensure-dir.js'
import {fileUrlPath} from '../url.js'

const META_FILE = 'meta.json'
/** Records per block of a raw read: about 1 MiB of log at a typical 100-byte line. */
const RAW_STEP = 10_000

/** What meta.json holds: the counters live in `stats` and in the files' sizes. */
type StoredMeta = Omit<JobMeta, 'lines' | 'bytes' | 'levels' | 'firstTs' | 'lastTs' | 'masked'>

export class FileStore implements LiveStore {
  readonly local = true
  readonly name: string
  private readonly jobsDir: string
  private readonly recovered = new Set<string>()
  /** Open writers by job: a pushing process keeps its descriptors between batches. */
  private readonly writers = new Map<string, JobLogWriter>()

  constructor(
    readonly root: string,
    private readonly options: {readOnly?: boolean} = {},
  ) {
    this.name = `file://${root}`
    this.jobsDir = join(root, 'jobs')
  }

  async init(): Promise<this> {
    if (this.options.readOnly) return this // a reader creates nothing: a store not written yet is empty
    try {
      await ensureDir(this.jobsDir)
    } catch (error) {
      throw new StoreUnavailableError(this.name, (error as Error).message, error)
    }
    return this
  }

  private dir(id: string): string {
    return join(this.jobsDir, checkJobId(id, 'job id'))
  }

  async startJob(id: string, init: StartJobInit = {}): Promise<JobMeta> {
    const dir = this.dir(id)
    await mkdir(dir, {recursive: true})
    // Empty files first, so a reader never finds metadata without them.
    await Promise.all([LOG_FILE, INDEX_FILE].map((name) => writeFile(join(dir, name), '', {flag: 'a'})))
    return this.changeMeta(id, (meta, now) => {
      // A writer kept open for the job before it was removed writes to files no longer there.
      if (!meta) this.closeWriter(id)
      const next: StoredMeta = meta ?? withoutCounters(newJobMeta(id, now, init.labels))
      if (meta && init.labels) next.labels = {...meta.labels, ...init.labels}
      if (!meta && init.continues) next.continues = init.continues
      next.status = 'running'
      delete next.endedAt
      delete next.exitCode
      next.updatedAt = now
      return next
    })
  }

  async append(id: string, entries: NewEntry[], token?: AppendToken): Promise<AppendResult> {
    return this.appendWith(id, (writer) => writer.append(entries), token)
  }

  /** append() of the lines of batches (line-batch.ts), read from their columns: push's appends into this store. */
  async appendBatches(id: string, batches: readonly LineBatch[]): Promise<AppendResult> {
    return this.appendWith(id, (writer) => writer.appendBatches(batches))
  }

  /** append() of a packed batch (the relay's chunk bodies): the chunks' bytes written as they are, their indexes made records. */
  async appendPacked(id: string, packed: PackedEntries, token?: AppendToken): Promise<AppendResult> {
    return this.appendWith(id, (writer) => writer.appendPacked(packed), token)
  }

  private appendWith(id: string, write: (writer: JobLogWriter) => Appended, token?: AppendToken): AppendResult {
    // An open writer knows its paths: push appends once per read, and checking and joining them each time showed in its profile.
    const open = this.writers.get(id)
    const dir = open?.dir ?? this.dir(id)
    return withLockSync(open?.lock ?? join(dir, LOCK_FILE), () => {
      const recorded = token && new WriterToken(dir, token.writer)
      try {
        const applied = recorded && this.appliedBatch(id, recorded)
        if (token && (applied ?? -1) >= token.batch) return {first: 0, last: -1, duplicate: true}
        if (token?.after !== undefined && (applied ?? 0) !== token.after) throw OutOfOrderError.of(this.name, token, applied)
        const writer = this.writer(id)
        writer.recover()
        const appended = write(writer)
        if (token) recorded!.record(token.batch)
        return appended.last >= appended.first ? {first: appended.first, last: appended.last} : {first: 0, last: -1}
      } finally {
        recorded?.close()
      }
    })
  }

  private writer(id: string): JobLogWriter {
    let writer = this.writers.get(id)
    if (!writer) {
      if (!this.readMeta(id)) throw new JobNotFoundError(id, this.name)
      writer = new JobLogWriter(this.dir(id))
      this.writers.set(id, writer)
    }
    return writer
  }

  private appliedBatch(id: string, token: WriterToken): number | undefined {
    try {
      return token.applied()
    } catch (error) {
      throw new StoreUnavailableError(this.name, `cannot read the writer tokens of job ${id}: ${(error as Error).message}`, error)
    }
  }

  private closeWriter(id: string): void {
    this.writers.get(id)?.close()
    this.writers.delete(id)
  }

  async endJob(id: string, end: {status: JobStatus; exitCode?: number}): Promise<JobMeta> {
    this.closeWriter(id)
    return this.changeMeta(id, (meta, now) => {
      if (!meta) throw new JobNotFoundError(id, this.name)
      meta.status = end.status
      if (end.exitCode === undefined) delete meta.exitCode
      else meta.exitCode = end.exitCode
      meta.endedAt = now
      meta.updatedAt = now
      return meta
    })
  }

  async updateJob(id: string, patch: Partial<Omit<JobMeta, 'id'>>): Promise<JobMeta> {
    return this.changeMeta(id, (meta, now) => {
      if (!meta) throw new JobNotFoundError(id, this.name)
      return withoutCounters({...meta, updatedAt: now, ...patch})
    })
  }

  async getJob(id: string): Promise<JobMeta | undefined> {
    const meta = this.readMeta(id)
    if (!meta) return undefined
    const dir = this.dir(id)
    const stats = readStats(dir)
    // Synchronous, as the rest of this read: a shipper looks at its spool before each batch,
    // and a thread-pool round trip per stat was a wait on every line's way out.
    const idx = statSync(join(dir, INDEX_FILE), {throwIfNoEntry: false})
    const log = statSync(join(dir, LOG_FILE), {throwIfNoEntry: false})
    return {
      ...meta,
      lines: Math.floor((idx?.size ?? 0) / RECORD_SIZE),
      bytes: log?.size ?? 0,
      levels: stats.levels,
      firstTs: stats.firstTs,
      lastTs: stats.lastTs,
      updatedAt: Math.max(meta.updatedAt, stats.updatedAt ?? 0),
      ...(stats.masked ? {masked: stats.masked} : {}),
    }
  }

  async listJobs(filter: JobFilter = {}): Promise<JobMeta[]> {
    let names: string[]
    try {
      names = await readdir(this.jobsDir)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw new StoreUnavailableError(this.name, (error as Error).message, error)
    }
    const wanted = names.filter((name) => !name.startsWith('.') && (!filter.prefix || name.startsWith(filter.prefix)))
    const metas = await Promise.all(wanted.map((name) => this.getJob(name).catch(() => undefined)))
    return metas.filter((meta): meta is JobMeta => meta !== undefined && (!filter.status || meta.status === filter.status)).sort((a, b) => b.updatedAt - a.updatedAt)
  }

  async *read(id: string, range: ReadRange = {}): AsyncIterable<LogEntry> {
    for await (const batch of this.readBatches(id, range)) for (const entry of batch) yield entry
  }

  async *readBatches(id: string, range: ReadRange = {}): AsyncIterable<LogEntry[]> {
    yield* this.reading(id, async function* (log) {
      const bounds = await log.seqRange(range)
      if (!bounds) return
      const match = range.tail === undefined && range.limit === undefined ? range.match : undefined
      const {since, until} = range
      for await (const batch of log.entries(bounds.first, bounds.last, {signal: range.signal, match})) {
        yield since === undefined && until === undefined ? batch : batch.filter((e) => (until === undefined || e.ts < until) && (since === undefined || e.ts >= since))
      }
    })
  }

  /** Every entry of the job as stored: blocks of log bytes and index records, not decoded. */
  async *readStored(id: string): AsyncIterable<StoredEntries> {
    yield* this.reading(id, async function* (log) {
      // Read without waiting, not through libuv's pool, whose thread waits for a core the archive's keep busy.
      for await (const block of log.blocks(1, await log.count(), {syncBytes: Number.POSITIVE_INFINITY})) yield {kind: 'file' as const, ...block}
    })
  }

  /** The log's bytes for the range, read in blocks and copied as they are. */
  async *readRaw(id: string, range: RawRange): AsyncIterable<RawBlock> {
    yield* this.reading(id, async function* (log) {
      const bounds = await log.seqRange(range)
      if (!bounds) return
      for await (const block of log.blocks(bounds.first, bounds.last, {signal: range.signal, step: RAW_STEP})) {
        yield {first: block.from, last: block.from + block.count - 1, bytes: block.data}
      }
    })
  }

  /** The bytes of the range's lines that `matcher` takes, picked on their bytes (matching-raw.ts). */
  async *readRawMatching(id: string, range: RawMatchRange, matcher: LineMatcher): AsyncIterable<MatchedBlock> {
    yield* this.reading(id, async function* (log) {
      const bounds = await log.seqRange({...range, limit: undefined})
      if (bounds) yield* matchingRaw(log, bounds.first, bounds.last, range, matcher)
    })
  }

  /**
   * What `read` makes of the job's log, opened for it and closed after. Readers never write
   * (they work on full and read-only disks): bytes a killed writer left unindexed are indexed
   * by the job's next writer, and read from then on.
   */
  private async *reading<T>(id: string, read: (log: JobLog) => AsyncIterable<T>): AsyncIterable<T> {
    if (!this.readMeta(id)) throw new JobNotFoundError(id, this.name)
    const log = await JobLog.open(this.dir(id), this.owner(id))
    try {
      yield* read(log)
    } finally {
      await log.close()
    }
  }

  /**
   * A reader of the job's lines packed for shipping (packed-reader.ts): what a spool's
   * shipper sends on. `recover`: index first what a killed writer left unindexed — for a
   * spool whose writer is gone; never for one this process writes, whose writer does that
   * itself before each append (and may be in the middle of one, on another thread).
   */
  async openPacked(id: string, options: {recover: boolean}): Promise<PackedReader> {
    if (!this.readMeta(id)) throw new JobNotFoundError(id, this.name)
    if (options.recover) await this.recoverOnce(id)
    return PackedReader.open(this.dir(id))
  }

  async *follow(id: string, options: FollowOptions): AsyncIterable<FollowEvent> {
    const appeared = !this.readMeta(id)
    if (appeared) {
      if (options.waitForJob === false) throw new JobNotFoundError(id, this.name)
      await this.waitForJob(id, options.signal)
      if (options.signal?.aborted) return
    }
    const source = await openFileFollowSource({
      dir: this.dir(id),
      owner: this.owner(id),
      metaFile: META_FILE,
      meta: () => this.getJob(id),
      notFound: () => new JobNotFoundError(id, this.name),
    })
    // The job exists now: if it is gone at the first look, it was removed, not yet to come.
    yield* followLoop(source, {...options, waitForJob: false}, appeared)
  }

  async deleteJob(id: string): Promise<void> {
    this.closeWriter(id)
    await rm(this.dir(id), {recursive: true, force: true})
  }

  async close(): Promise<void> {
    for (const id of [...this.writers.keys()]) this.closeWriter(id)
  }

  /**
   * Waits for the job's metadata without writing anything (readers work on read-only
   * disks): watches the nearest directory that exists on the way to the job's — the job's
   * own, `jobs/`, or the store's root — and looks again at every change there.
   */
  private async waitForJob(id: string, signal?: AbortSignal): Promise<void> {
    const dir = this.dir(id)
    while (!signal?.aborted && !this.readMeta(id)) {
      const {existing} = await nearestDirectory(dir)
      if (!existing) throw new StoreUnavailableError(this.name, `no directory exists on the way to ${dir}`)
      let wake: DirectoryWake
      try {
        wake = new DirectoryWake(existing)
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue // removed before the watch began: look again
        throw new StoreUnavailableError(this.name, `cannot watch ${existing}: ${(error as Error).message}`, error)
      }
      try {
        // Looked at again once watched, so a change between the two looks is not missed.
        if (!this.readMeta(id) && (await nearestDirectory(dir)).existing === existing) await wake.next(signal)
      } finally {
        wake.close()
      }
    }
  }

  private owner(id: string): JobLogOwner {
    return {id, store: this.name}
  }

  /** Indexes bytes a killed writer left unindexed, once per job and process, before reading. */
  private async recoverOnce(id: string): Promise<void> {
    if (this.recovered.has(id)) return
    const dir = this.dir(id)
    const log = await JobLog.open(dir, this.owner(id))
    const needed = await log.needsRecovery().finally(() => log.close())
    if (needed) withLockSync(join(dir, LOCK_FILE), () => this.writer(id).recover())
    this.recovered.add(id)
  }

  private async changeMeta(id: string, change: (meta: StoredMeta | undefined, now: number) => StoredMeta): Promise<JobMeta> {
    const dir = this.dir(id)
    mkdirSync(dir, {recursive: true})
    withLockSync(join(dir, LOCK_FILE), () => writeJson(join(dir, META_FILE), change(this.readMeta(id), Date.now())))
    return (await this.getJob(id))!
  }

  private readMeta(id: string): StoredMeta | undefined {
    try {
      return JSON.parse(readFileSync(join(this.dir(id), META_FILE), 'utf8')) as StoredMeta
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw new StoreUnavailableError(this.name, `cannot read metadata of job ${id}: ${(error as Error).message}`, error)
    }
  }
}

/** Replaces a small JSON file atomically: readers see the old content or the new. */
function writeJson(path: string, value: unknown): void {
  const temporary = `${path}.${process.pid}.tmp`
  writeFileSync(temporary, JSON.stringify(value))
  renameSync(temporary, path)
}

function withoutCounters(meta: JobMeta | StoredMeta): StoredMeta {
  const {lines: _l, bytes: _b, levels: _v, firstTs: _f, lastTs: _t, masked: _m, ...rest} = meta as JobMeta
  return rest
}

export async function openFileStore(url: URL, options: {readOnly?: boolean} = {}): Promise<FileStore> {
  return new FileStore(fileUrlPath(url), {readOnly: options.readOnly}).init()
}
