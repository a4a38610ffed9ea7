/**
 * The catalog of archived jobs: what `ls` reads instead of one manifest per job.
 *
 *   .catalog/<time>-<random>.json.gz   gzip JSON {format, jobs: [{meta, url, size, sha256, manifestBytes, at}]}
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
 */
import {randomBytes} from 'node:crypto'
import {promisify} from 'node:util'
import {gunzip, gzip} from 'node:zlib'
import type {ObjectBucket, StoredObject} from '../store/object/bucket.js'
import {readBytes} from '../store/object/bucket.js'
import type {ArchivedJob} from '../store/types.js'
import {forEachLimited} from './for-each-limited.js'
import {CATALOG_DIR} from './layout.js'

export const CATALOG_FORMAT = 'logs-catalog/1'
const COMPACT_AT = 32
const PAGE_JOBS = 5000
const READ_CONCURRENCY = 16
const gzipAsync = promisify(gzip)
const gunzipAsync = promisify(gunzip)

export interface CatalogEntry extends ArchivedJob {
  /** Length of the manifest this entry was taken from: a listing showing another size means it changed. */
  manifestBytes: number
  /** When the entry was taken (ms): a manifest written later than this may have changed. */
  at: number
}

interface CatalogObject {
  format: typeof CATALOG_FORMAT
  jobs: CatalogEntry[]
}

export interface CatalogSnapshot {
  jobs: Map<string, CatalogEntry>
  /** The catalog objects read (for compaction). */
  keys: string[]
}

export class Catalog {
  constructor(
    private readonly bucket: ObjectBucket,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Records archived jobs in a new catalog object (nothing for none). */
  async add(entries: CatalogEntry[]): Promise<void> {
    for (let i = 0; i < entries.length; i += PAGE_JOBS) await this.write(entries.slice(i, i + PAGE_JOBS))
  }

  /** Every entry of every catalog object; a damaged object is skipped (list() reads those manifests instead). */
  async read(): Promise<CatalogSnapshot> {
    const keys: string[] = []
    for await (const object of this.bucket.list(CATALOG_DIR)) if (object.key.endsWith('.json.gz')) keys.push(object.key)
    const jobs = new Map<string, CatalogEntry>()
    await forEachLimited(keys, READ_CONCURRENCY, async (key) => {
      const data = await readBytes(this.bucket, key)
      if (!data) return
      let value: CatalogObject
      try {
        value = JSON.parse((await gunzipAsync(data)).toString('utf8')) as CatalogObject
      } catch {
        return
      }
      if (value.format !== CATALOG_FORMAT || !Array.isArray(value.jobs)) return
      for (const entry of value.jobs) {
        const known = jobs.get(entry.meta.id)
        if (!known || entry.at > known.at) jobs.set(entry.meta.id, entry)
      }
    })
    return {jobs, keys}
  }

  /** Merges the catalog into pages when it has grown to COMPACT_AT objects (or always, with `force`). */
  async compact(options: {force?: boolean; entries?: CatalogEntry[]} = {}): Promise<{objects: number; jobs: number}> {
    const snapshot = await this.read()
    if (!options.force && snapshot.keys.length < COMPACT_AT) return {objects: snapshot.keys.length, jobs: snapshot.jobs.size}
    const entries = options.entries ?? [...snapshot.jobs.values()]
    await this.add(entries)
    await this.bucket.delete(snapshot.keys)
    return {objects: Math.ceil(entries.length / PAGE_JOBS), jobs: entries.length}
  }

  private async write(entries: CatalogEntry[]): Promise<void> {
    const body: CatalogObject = {format: CATALOG_FORMAT, jobs: entries}
    const data = await gzipAsync(Buffer.from(JSON.stringify(body)))
    for (;;) {
      const key = `${CATALOG_DIR}${String(this.clock()).padStart(15, '0')}-${randomBytes(6).toString('hex')}.json.gz`
      if (await this.bucket.writeBytes(key, data, {exclusive: true})) return
    }
  }
}

/** Whether a manifest seen in a listing is the one a catalog entry was taken from. */
export function isCurrent(entry: CatalogEntry, manifest: StoredObject): boolean {
  if (manifest.size !== entry.manifestBytes) return false
  // Listings give whole seconds on some stores; a rewrite within the same second with the same size is not caught.
  return manifest.modifiedAt === undefined || manifest.modifiedAt <= entry.at + 1000
}
