/**
 * ArchiveStore over any ObjectBucket: the one implementation of the archive object,
 * its manifest, verification and reading; backends differ only in their bucket.
 *
 * put():  live entries → NDJSON blocks → zstd frames (./block-writer.ts) → (measure)
 *         → bucket.writeStream → read the stored bytes back and compare size + sha256
 *         → write the block index → write the manifest. `onProgress`: bytes encoded, parts stored, bytes read back.
 * read(): manifest → block index → the blocks the ReadRange needs (./block-reader.ts);
 *         objects without an index: their parts in order → decompress → entries → ReadRange.
 */
import {Readable, pipeline} from 'node:stream'
import {ArchiveIntegrityError, JobDeletedError, JobNotFoundError, type DamagedManifestError} from '../errors/index.js'
import {batched, flattened} from '../batched.js'
import type {LogEntry} from '../entry.js'
import type {JobMeta} from '../job.js'
import type {ArchiveItem, ArchiveStore, ArchivedJob, JobFilter, ReadRange} from '../store/types.js'
import {decodeIndexTable, encodeIndex, INDEX_FORMAT} from './block-index.js'
import {jsonLiteral, readIndexed} from './block-reader.js'
import {decodeLines, decodeSeqRange, digestOf, digestTap, matchingLines, parseLines} from './format.js'
import {idOfManifest, indexKey, manifestKey, objectKey, objectKeysOf} from './layout.js'
import {BucketLocks} from './locks.js'
import {MANIFEST_FORMAT, archivedOf, decodeManifest, encodeManifest, objectsOf, partsOf, type Manifest} from './manifest.js'
import {readBytes, type ObjectBucket, type StoredObject} from '../store/object/bucket.js'
import {applyRange} from './range.js'
import {remainingRange} from '../store/remaining-range.js'
import {Catalog, filterKind, isCurrent, type CatalogEntry} from './catalog.js'
import {forEachLimited} from './for-each-limited.js'
import {ManifestMemory} from './manifest-memory.js'
import type {CopiedBlock} from './block-copy.js'
import {canTest, foldFilters, mayContain, type TokenFilter} from './token-filter.js'
import type {Pattern} from '../pattern.js'
import {damagedTo} from './damaged-jobs.js'

export interface BlobArchiveOptions {
  bucket: ObjectBucket
  clock?: () => number
  /** NDJSON bytes per block of the objects it writes (tests use small blocks). */
  blockBytes?: number
  /**
   * The archive of one reading command (`get`, `tail`, `sections`; ../open/open-jobs.ts):
   * a job's manifest is read once, by whichever of head() and read() asks first, and the
   * rest of the command works from that one snapshot (./manifest-memory.ts). Listings read
   * afresh.
   */
  rememberManifests?: boolean
  /** A snapshot() of another archive: close() leaves the shared bucket open. */
  view?: boolean
}

const LIST_CONCURRENCY = 16

export class BlobArchive implements ArchiveStore {
  readonly bucket: ObjectBucket
  readonly locks: BucketLocks
  private readonly clock: () => number
  private readonly blockBytes: number | undefined
  readonly catalog: Catalog
  /** Catalog entries of the jobs this instance archived, until recordArchived() writes them. */
  private readonly written = new Map<string, CatalogEntry>()
  /** Their job filters (./token-filter.ts foldFilters), for the catalog. */
  private readonly writtenFilters = new Map<string, TokenFilter>()
  /** With rememberManifests: the manifests read so far and spans of their objects (./manifest-memory.ts). */
  private readonly memory: ManifestMemory | undefined
  private readonly view: boolean

  constructor({bucket, clock = Date.now, blockBytes, rememberManifests = false, view = false}: BlobArchiveOptions) {
    this.bucket = bucket
    // A server's view keeps no spans: each request in flight holding some would grow its memory with its clients.
    this.memory = rememberManifests ? new ManifestMemory(view ? 0 : undefined) : undefined
    this.view = view
    this.blockBytes = blockBytes
    this.catalog = new Catalog(bucket, clock)
    this.clock = clock
    this.locks = new BucketLocks(bucket, clock)
  }

  get name(): string {
    return this.bucket.name
  }

  async put(meta: JobMeta, entries: AsyncIterable<ArchiveItem>, {keep, onProgress}: {keep?: number; onProgress?: () => void} = {}): Promise<ArchivedJob> {
    const key = objectKey(meta.id)
    // Loaded here: the writer and its worker threads are not what a listing or a read needs.
    const {encodeBlocks} = await import('./block-writer.js')
    // The new object replaces the old one under the same key only once it is whole (a rename, a completed upload): kept blocks are read from the old one meanwhile.
    const kept = keep === undefined ? {entries} : await this.keptRun(meta.id, keep, entries)
    // Its lines are checked before the object is whole: a wrong one never takes the place of what the key held (the archived run it continues).
    const encoded = encodeBlocks(kept.entries, {blockBytes: this.blockBytes, sections: meta.sections, copied: kept.copied, expect: {id: meta.id, lines: meta.lines}})
    const {tap, digest} = digestTap(onProgress)
    const body = pipeline(encoded.stream, tap, () => undefined) as Readable
    const refused = (error: unknown) =>
      encoded.stats.then(
        () => error,
        (failure: unknown) => (failure instanceof ArchiveIntegrityError ? failure : error),
      )
    const objects = await this.bucket.writeStream(key, body, {onProgress}).catch(async (error: unknown) => Promise.reject(await refused(error)))
    const stats = await encoded.stats
    const sent = digest()
    const stored = await digestOf(
      this.partStreams(
        meta.id,
        objects.map((o) => o.key),
      ),
      onProgress,
    )
    if (stored.size !== sent.size || stored.sha256 !== sent.sha256) {
      throw new ArchiveIntegrityError(meta.id, `stored ${stored.size} bytes (sha256 ${stored.sha256.slice(0, 12)}…), sent ${sent.size} (sha256 ${sent.sha256.slice(0, 12)}…)`)
    }
    const index = encodeIndex({format: INDEX_FORMAT, id: meta.id, blocks: stats.blocks}, stats.filters)
    await this.bucket.writeBytes(indexKey(meta.id), index.data)
    const archivedAt = this.clock()
    const archivedMeta: JobMeta = {
      ...meta,
      firstTs: meta.firstTs ?? stats.firstTs,
      lastTs: meta.lastTs ?? stats.lastTs,
      location: {kind: 'archived', url: this.bucket.urlOf(key), size: sent.size, sha256: stats.sha256, archivedAt},
    }
    const manifest: Manifest = {
      format: MANIFEST_FORMAT,
      id: meta.id,
      parts: partsOf(objects),
      size: sent.size,
      compressedSha256: sent.sha256,
      sha256: stats.sha256,
      contentBytes: stats.contentBytes,
      lines: stats.lines,
      archivedAt,
      meta: archivedMeta,
      index: {
        key: indexKey(meta.id),
        size: index.data.length,
        tableBytes: index.tableBytes,
        blocks: stats.blocks.length,
        sha256: process.getBuiltinModule('node:crypto').createHash('sha256').update(index.data).digest('hex'),
      },
    }
    const manifestBytes = encodeManifest(manifest)
    this.memory?.forget(meta.id)
    await this.bucket.writeBytes(manifestKey(meta.id), manifestBytes)
    // A continued run written before as gzip: its object had another key, deleted once the manifest names the new one.
    const replaced = kept.before ? objectsOf(kept.before).filter((key) => !objectsOf(manifest).includes(key)) : []
    if (replaced.length > 0) await this.bucket.delete(replaced)
    const archived = archivedOf(manifest)
    this.written.set(meta.id, {...archived, manifestBytes: manifestBytes.length, at: this.clock()})
    const jobFilter = foldFilters(stats.blocks.map((block, n) => ({kind: block.filter.kind, data: stats.filters[n]})))
    if (jobFilter) this.writtenFilters.set(meta.id, jobFilter)
    return archived
  }

  /** A job's archived lines 1..keep, its object written again with more: its blocks as stored (./block-copy.ts), or an unindexed object's entries. */
  private async keptRun(
    id: string,
    keep: number,
    after: AsyncIterable<ArchiveItem>,
  ): Promise<{before?: Manifest; copied?: AsyncIterable<CopiedBlock>; entries: AsyncIterable<ArchiveItem>}> {
    const manifest = await this.manifest(id)
    if (!manifest || manifest.lines !== keep) {
      throw new ArchiveIntegrityError(id, `its archived run of ${keep} lines, which the live job continues, is ${manifest ? `now one of ${manifest.lines} lines` : 'gone'}`)
    }
    if (manifest.index) return {before: manifest, copied: (await import('./block-copy.js')).copiedBlocks(this.bucket, manifest), entries: after}
    const scan = this.scan(manifest, {})
    return {
      before: manifest,
      entries: (async function* () {
        yield* scan
        yield* after
      })(),
    }
  }

  /** The job's manifest as stored now (never one remembered). */
  async manifest(id: string): Promise<Manifest | undefined> {
    const data = await readBytes(this.bucket, manifestKey(id))
    return data ? decodeManifest(id, data, this.bucket.urlOf(manifestKey(id))) : undefined
  }

  /**
   * A view of this archive that reads each job's manifest at most once, for one request of
   * `logs serve` (store/jobs.ts snapshot): a server cannot remember manifests for its whole
   * life, which would serve them stale, but one request looking at a job and then reading it
   * should not read the manifest twice. It shares the bucket, which its close() leaves open.
   */
  snapshot(): BlobArchive {
    return new BlobArchive({bucket: this.bucket, clock: this.clock, blockBytes: this.blockBytes, rememberManifests: true, view: true})
  }

  /** The manifest head() and read() work from: the one remembered, with rememberManifests. */
  private snapshotOf(id: string): Promise<Manifest | undefined> {
    return this.memory ? this.memory.get(id, (job) => this.manifest(job)) : this.manifest(id)
  }

  async head(id: string, {fresh = false}: {fresh?: boolean} = {}): Promise<ArchivedJob | undefined> {
    const manifest = fresh ? await this.manifest(id) : await this.snapshotOf(id)
    if (fresh && manifest) this.memory?.replace(id, manifest)
    return manifest ? archivedOf(manifest) : undefined
  }

  /**
   * The entries of a range, from the manifest read first. A read that meets an object
   * missing or not as that manifest describes it reads the manifest again, once: a job
   * deleted since (`logs gc`, `logs rm`) is a JobDeletedError, not a stack of 404s; a job
   * archived again is read on from its new object after the last entry given (the seqs
   * are the same); an unchanged manifest means the object is damaged, reported as such.
   */
  read(id: string, range: ReadRange = {}): AsyncIterable<LogEntry> {
    return flattened(this.readBatches(id, range))
  }

  /** read() in the batches the archive reads (a block's entries): a step per batch, not per entry, for a big job. */
  async *readBatches(id: string, range: ReadRange = {}): AsyncIterable<LogEntry[]> {
    let manifest = await this.snapshotOf(id)
    if (!manifest) throw new JobNotFoundError(id, this.name)
    let last: number | undefined
    let count = 0
    for (;;) {
      try {
        for await (const batch of this.readSnapshot(manifest, remainingRange(range, last, count))) {
          last = batch.at(-1)?.seq ?? last
          count += batch.length
          yield batch
        }
        return
      } catch (error) {
        if (!(error instanceof ArchivedAgain)) throw error
        manifest = error.manifest
      }
    }
  }

  private readSnapshot(manifest: Manifest, range: ReadRange): AsyncIterable<LogEntry[]> {
    const recheck = this.recheck(manifest)
    const scan = (r: ReadRange) => this.scan(manifest, r, recheck)
    if (!manifest.index) return batched(scan(range))
    return readIndexed({bucket: this.bucket, manifest: {...manifest, index: manifest.index}, range, scan, recent: this.memory?.spans, recheck})
  }

  /** The check before a read reports its snapshot's objects missing or damaged: the manifest read again, at most once. */
  private recheck(snapshot: Manifest): () => Promise<void> {
    let checked: Promise<void> | undefined
    const check = async (): Promise<void> => {
      const now = await this.manifest(snapshot.id)
      if (now && now.archivedAt === snapshot.archivedAt && now.compressedSha256 === snapshot.compressedSha256) return
      if (!now) {
        this.memory?.forget(snapshot.id)
        throw new JobDeletedError(snapshot.id, this.name)
      }
      this.memory?.replace(snapshot.id, now)
      throw new ArchivedAgain(now)
    }
    return () => (checked ??= check())
  }

  /** Reads the object from the start (format 1, or an index that cannot be trusted). */
  private async *scan(manifest: Manifest, range: ReadRange, recheck?: () => Promise<void>): AsyncIterable<LogEntry> {
    const keys = manifest.parts.map((p) => p.key)
    const compressed = Readable.from(concat(this.partStreams(manifest.id, keys, recheck)))
    let lines = abortable(decodeLines(compressed), range.signal)
    // A hint (`get --grep`): lines that cannot match are dropped before they are parsed.
    if (range.match && range.tail === undefined && range.limit === undefined) lines = matchingLines(lines, range.match)
    if (range.since === undefined && range.until === undefined)
      yield* decodeSeqRange(lines, range) // parses only what it returns
    else yield* applyRange(parseLines(lines), range)
  }

  /**
   * The archived jobs: the manifests a listing finds, described by the catalog where it is
   * current and by the manifest itself where not (./catalog.ts).
   */
  async list(filter: JobFilter = {}): Promise<ArchivedJob[]> {
    const manifests = await this.manifests(filter.prefix ?? '')
    const catalog = manifests.size > 0 ? (await this.catalog.read()).jobs : new Map<string, CatalogEntry>()
    const jobs: ArchivedJob[] = []
    const unknown: string[] = []
    for (const [id, object] of manifests) {
      const entry = catalog.get(id)
      if (entry && isCurrent(entry, object)) jobs.push({meta: entry.meta, url: entry.url, size: entry.size, sha256: entry.sha256})
      else unknown.push(id)
    }
    await forEachLimited(unknown, LIST_CONCURRENCY, async (id) => {
      const manifest = await this.manifest(id).catch(damagedTo(filter.onDamaged))
      if (manifest) jobs.push(archivedOf(manifest))
    })
    return jobs.filter((job) => !filter.status || job.meta.status === filter.status).sort((a, b) => b.meta.updatedAt - a.meta.updatedAt)
  }

  /** Writes the catalog entries of jobs this instance archived (one object), then compacts the catalog if it has grown. */
  async recordArchived(ids: string[]): Promise<void> {
    const entries = ids.flatMap((id) => this.written.get(id) ?? [])
    const filters = new Map(ids.flatMap((id) => (this.writtenFilters.has(id) ? [[id, this.writtenFilters.get(id)!] as const] : [])))
    for (const id of ids) {
      this.written.delete(id)
      this.writtenFilters.delete(id)
    }
    if (entries.length === 0) return
    await this.catalog.add(entries, filters)
    await this.catalog.compact()
  }

  /** `logs archive --reindex`: the catalog rebuilt from every manifest. */
  async reindex(onDamaged?: (error: DamagedManifestError) => void): Promise<{jobs: number; objects: number}> {
    const manifests = await this.manifests('')
    const entries: CatalogEntry[] = []
    const filters = new Map<string, TokenFilter>()
    await forEachLimited([...manifests], LIST_CONCURRENCY, async ([id, object]) => {
      const manifest = await this.manifest(id).catch(damagedTo(onDamaged))
      if (!manifest) return
      entries.push({...archivedOf(manifest), manifestBytes: object.size, at: object.modifiedAt ?? this.clock()})
      const jobFilter = await this.jobFilterOf(manifest)
      if (jobFilter) filters.set(id, jobFilter)
    })
    return this.catalog.compact({force: true, entries, filters})
  }

  /**
   * Of these jobs, the archived ones whose catalog filter proves the pattern's required
   * literal absent: a query across jobs skips them without reading them.
   */
  async ruledOut(jobs: JobMeta[], pattern: Pattern): Promise<Set<string>> {
    const literal = jsonLiteral(pattern)
    const absent = new Set<string>()
    if (!literal || literal.length < 3 || !jobs.some((meta) => meta.location.kind === 'archived')) return absent
    const snapshot = await this.catalog.read()
    // Only entries of the very object the job's metadata names: a job archived again since is read.
    const entries = jobs.flatMap((meta) => {
      const entry = snapshot.jobs.get(meta.id)
      return entry && meta.location.kind === 'archived' && entry.meta.location.kind === 'archived' && entry.meta.location.sha256 === meta.location.sha256 ? [entry] : []
    })
    const testable = entries.filter((entry) => canTest(filterKind(entry), literal))
    for (const [id, filter] of await this.catalog.filters(testable)) if (!mayContain(filter.data, literal, filter.kind)) absent.add(id)
    return absent
  }

  /** A job's filter from its block index (for --reindex): its blocks' filters, folded. */
  private async jobFilterOf(manifest: Manifest): Promise<TokenFilter | undefined> {
    if (!manifest.index) return undefined
    const data = await readBytes(this.bucket, manifest.index.key)
    if (!data) return undefined
    const table = decodeIndexTable(data.subarray(0, manifest.index.tableBytes), {id: manifest.id, size: manifest.size, lines: manifest.lines})
    if (typeof table === 'string') return undefined
    const filters = data.subarray(manifest.index.tableBytes)
    return foldFilters(table.blocks.map(({filter}) => ({kind: filter.kind, data: filters.subarray(filter.offset, filter.offset + filter.size)})))
  }

  /**
   * Manifests under a prefix by job id. A bucket that does not exist is an error, never an
   * empty archive (a mistyped bucket would hide every job); a directory not created yet is empty.
   */
  private async manifests(prefix: string): Promise<Map<string, StoredObject>> {
    const found = new Map<string, StoredObject>()
    for await (const object of this.bucket.list(prefix)) {
      const id = idOfManifest(object.key)
      if (id) found.set(id, object)
    }
    return found
  }

  /** Each job's manifest first, so readers stop finding it before its object goes; then their catalog entries. */
  async delete(ids: string[]): Promise<void> {
    for (const id of ids) {
      this.memory?.forget(id)
      const manifest = await this.manifest(id).catch(() => undefined)
      await this.bucket.delete([manifestKey(id)])
      await this.bucket.delete(manifest ? objectsOf(manifest) : objectKeysOf(id))
    }
    if (ids.length > 0) await this.catalog.drop(new Set(ids))
  }

  async close(): Promise<void> {
    if (!this.view) await this.bucket.close()
  }

  private async *partStreams(id: string, keys: string[], recheck?: () => Promise<void>): AsyncIterable<Readable> {
    for (const key of keys) {
      const stream = await this.bucket.readStream(key)
      if (!stream) await recheck?.()
      if (!stream) throw new ArchiveIntegrityError(id, `its object ${this.bucket.urlOf(key)} is missing`)
      yield stream
    }
  }
}

/** The job was archived again since the manifest a read began with: it goes on from this one. */
class ArchivedAgain extends Error {
  constructor(readonly manifest: Manifest) {
    super(`job ${manifest.id} was archived again`)
  }
}

async function* abortable<T>(items: AsyncIterable<T>, signal?: AbortSignal): AsyncIterable<T> {
  for await (const item of items) {
    signal?.throwIfAborted()
    yield item
  }
}

async function* concat(streams: AsyncIterable<Readable>): AsyncIterable<Buffer> {
  for await (const stream of streams) yield* stream as AsyncIterable<Buffer>
}
