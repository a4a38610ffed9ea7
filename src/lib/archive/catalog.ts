/**
 * The catalog of archived jobs: what `ls` reads instead of one manifest per job.
 *
 *   .catalog/<time>-<random>.json.gz   gzip JSON {format, jobs: [{meta, url, size, sha256, manifestBytes, at, filter?, gramFilter?}]}
 *   .catalog/<time>-<random>.json.gz.filters   the jobs' token filters one after another
 *                                      (an entry's `filter` or `gramFilter` says where in it)
 *
 * Each archive run adds one object with the jobs it archived; names are unique and
 * written create-if-absent, so archivers on several hosts never overwrite each other.
 * When there are COMPACT_AT objects or more, a run merges them into pages of PAGE_JOBS
 * jobs and deletes what it merged. Readers take the union of every object (the newest
 * entry of a job wins), so two compactions racing lose nothing: an object is deleted
 * only by a compactor that has written its entries into an object of its own.
 *
 * The catalog is a cache, never the truth: `list()` checks it against a listing of the
 * manifests (one request per 1000 keys), reads the manifest of a job the catalog lacks
 * or holds an older version of, and drops entries whose manifest is gone. A missing or
 * stale catalog costs requests, never a job; `logs archive --reindex` rebuilds it.
 *
 * Job filters (./token-filter.ts foldFilters) let a query across jobs (`get 'build-*'
 * --grep X`) rule out jobs without a request per job; `ls` never reads them. A filter is
 * written before the page that points into it, and only used for an entry whose archived
 * object is the one the job's metadata names (same sha256).
 */
import type {ObjectBucket, StoredObject} from '../store/object/bucket.js'
import {readBytes} from '../store/object/bucket.js'
import type {ArchivedJob} from '../store/types.js'
import {forEachLimited} from './for-each-limited.js'
import {FILTER_KIND, TRIGRAM_KIND, type TokenFilter} from './token-filter.js'
import {CATALOG_DIR} from './layout.js'
import {gunzipAsync, gzipAsync} from './zlib-async.js'

export const CATALOG_FORMAT = 'logs-catalog/1'
const COMPACT_AT = 32
const PAGE_JOBS = 5000
const READ_CONCURRENCY = 16

export interface CatalogEntry extends ArchivedJob {
  /** Length of the manifest this entry was taken from: a listing showing another size means it changed. */
  manifestBytes: number
  /** When the entry was taken (ms): a manifest written later than this may have changed. */
  at: number
  /** [offset, length] of the job's token filter in the page's `.filters` object, if it has one of the trigram kind (objects written before 4-grams). */
  filter?: [number, number]
  /**
   * [offset, length, CRC-32] of the job's 4-gram token filter (token-filter.ts FILTER_KIND).
   * Not in `filter`, where a release before it would test trigrams against it, and checked:
   * such a release compacting the catalog keeps this field but writes a `.filters` object
   * without its bytes.
   */
  gramFilter?: [number, number, number]
}

/** An entry as read, with the catalog object it came from (where its filter is). */
export interface ReadEntry extends CatalogEntry {
  source: string
}

interface CatalogObject {
  format: typeof CATALOG_FORMAT
  jobs: CatalogEntry[]
}

export interface CatalogSnapshot {
  jobs: Map<string, ReadEntry>
  /** The catalog objects read (for compaction). */
  keys: string[]
}

export class Catalog {
  constructor(
    private readonly bucket: ObjectBucket,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Records archived jobs in a new catalog object (nothing for none), with the job filters given. */
  async add(entries: CatalogEntry[], filters: Map<string, TokenFilter> = new Map()): Promise<void> {
    for (let i = 0; i < entries.length; i += PAGE_JOBS) await this.write(entries.slice(i, i + PAGE_JOBS), filters)
  }

  /** Every entry of every catalog object; a damaged object is skipped (list() reads those manifests instead). */
  async read(): Promise<CatalogSnapshot> {
    const {keys, objects} = await this.readObjects()
    const jobs = new Map<string, ReadEntry>()
    for (const [key, entries] of objects) {
      for (const entry of entries) {
        const known = jobs.get(entry.meta.id)
        if (!known || entry.at > known.at) jobs.set(entry.meta.id, {...entry, source: key})
      }
    }
    return {jobs, keys}
  }

  /**
   * Deleted jobs leave nothing behind (their labels and counts among them): each catalog
   * object holding an entry of one is written again without it. A compaction racing this
   * may copy such an entry into its page; readers drop it (its manifest is gone).
   */
  async drop(ids: ReadonlySet<string>): Promise<void> {
    const {objects} = await this.readObjects()
    for (const [key, entries] of objects) {
      if (!entries.some((entry) => ids.has(entry.meta.id))) continue
      const kept = entries.filter((entry) => !ids.has(entry.meta.id))
      await this.add(kept, await this.filters(kept.map((entry) => ({...entry, source: key}))))
      await this.bucket.delete([key, filtersKey(key)])
    }
  }

  /** The entries of each catalog object by its key (a damaged one is left out), and the keys of all. */
  private async readObjects(): Promise<{keys: string[]; objects: Map<string, CatalogEntry[]>}> {
    const keys: string[] = []
    for await (const object of this.bucket.list(CATALOG_DIR)) if (object.key.endsWith('.json.gz')) keys.push(object.key)
    const objects = new Map<string, CatalogEntry[]>()
    await forEachLimited(keys, READ_CONCURRENCY, async (key) => {
      const data = await readBytes(this.bucket, key)
      if (!data) return
      let value: CatalogObject
      try {
        value = JSON.parse((await gunzipAsync(data)).toString('utf8')) as CatalogObject
      } catch {
        return
      }
      if (value.format === CATALOG_FORMAT && Array.isArray(value.jobs)) objects.set(key, value.jobs)
    })
    return {keys, objects}
  }

  /** Merges the catalog into pages when it has grown to COMPACT_AT objects (or always, with `force`). */
  async compact(options: {force?: boolean; entries?: CatalogEntry[]; filters?: Map<string, TokenFilter>} = {}): Promise<{objects: number; jobs: number}> {
    const snapshot = await this.read()
    if (!options.force && snapshot.keys.length < COMPACT_AT) return {objects: snapshot.keys.length, jobs: snapshot.jobs.size}
    const entries = options.entries ?? [...snapshot.jobs.values()].map(({source: _source, ...entry}) => entry)
    const filters = options.filters ?? (await this.filters([...snapshot.jobs.values()]))
    await this.add(entries, filters)
    await this.bucket.delete(snapshot.keys.flatMap((key) => [key, filtersKey(key)]))
    return {objects: Math.ceil(entries.length / PAGE_JOBS), jobs: entries.length}
  }

  /** The job filters of these entries, by job id (one ranged read per catalog object they come from). */
  async filters(entries: ReadEntry[]): Promise<Map<string, TokenFilter>> {
    const bySource = new Map<string, Array<{entry: ReadEntry; at: number; length: number}>>()
    for (const entry of entries) {
      const [at, length] = entry.gramFilter ?? entry.filter ?? []
      if (at === undefined || length === undefined) continue
      const group = bySource.get(entry.source)
      if (group) group.push({entry, at, length})
      else bySource.set(entry.source, [{entry, at, length}])
    }
    const found = new Map<string, TokenFilter>()
    await forEachLimited([...bySource], READ_CONCURRENCY, async ([source, group]) => {
      const start = Math.min(...group.map((e) => e.at))
      const end = Math.max(...group.map((e) => e.at + e.length))
      const data = await readBytes(this.bucket, filtersKey(source), {offset: start, length: end - start})
      if (!data || data.length !== end - start) return // missing or short: those jobs are read, not ruled out
      for (const {entry, at, length} of group) {
        const bytes = data.subarray(at - start, at - start + length)
        if (!entry.gramFilter || crc32(bytes) === entry.gramFilter[2]) found.set(entry.meta.id, {kind: filterKind(entry)!, data: bytes})
      }
    })
    return found
  }

  private async write(entries: CatalogEntry[], filters: Map<string, TokenFilter>): Promise<void> {
    const parts: Buffer[] = []
    let offset = 0
    const page = entries.map(({filter: _old, gramFilter: _older, ...entry}) => {
      const filter = filters.get(entry.meta.id)
      if (!filter) return entry
      parts.push(filter.data)
      offset += filter.data.length
      const at = offset - filter.data.length
      return filter.kind === FILTER_KIND
        ? {...entry, gramFilter: [at, filter.data.length, crc32(filter.data)] as [number, number, number]}
        : {...entry, filter: [at, filter.data.length] as [number, number]}
    })
    const body: CatalogObject = {format: CATALOG_FORMAT, jobs: page}
    const data = await gzipAsync(Buffer.from(JSON.stringify(body)))
    for (;;) {
      const key = `${CATALOG_DIR}${String(this.clock()).padStart(15, '0')}-${process.getBuiltinModule('node:crypto').randomBytes(6).toString('hex')}.json.gz`
      // Filters first: a page is never seen pointing into filters not yet written.
      if (parts.length > 0) await this.bucket.writeBytes(filtersKey(key), Buffer.concat(parts))
      if (await this.bucket.writeBytes(key, data, {exclusive: true})) return
    }
  }
}

/** The kind of an entry's job filter, if it has one. */
export function filterKind(entry: CatalogEntry): string | undefined {
  return entry.gramFilter ? FILTER_KIND : entry.filter ? TRIGRAM_KIND : undefined
}

const crc32 = (data: Buffer): number => process.getBuiltinModule('node:zlib').crc32(data)

function filtersKey(key: string): string {
  return `${key}.filters`
}

/** Whether a manifest seen in a listing is the one a catalog entry was taken from. */
export function isCurrent(entry: CatalogEntry, manifest: StoredObject): boolean {
  if (manifest.size !== entry.manifestBytes) return false
  // Listings give whole seconds on some stores; a rewrite within the same second with the same size is not caught.
  return manifest.modifiedAt === undefined || manifest.modifiedAt <= entry.at + 1000
}
