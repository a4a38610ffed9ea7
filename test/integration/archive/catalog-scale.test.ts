/**
 * The catalog holds 10⁵ archived jobs: `logs ls` (the built CLI) lists all of them from
 * catalog pages and the paged listing of the manifests — about one request per 1000 jobs,
 * none per job (counted by the Supabase stand-in) — and a prefix narrows the listing.
 *
 * 10⁵ archive runs would take hours, so the fixture is built as an archive run leaves it:
 * one manifest per job (seeded into the stand-in's memory, as uploads would store them) and
 * the catalog written through the library (Catalog.add, compacted into pages).
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {Catalog, type CatalogEntry} from '../../../src/lib/archive/catalog.js'
import {manifestKey, objectKey} from '../../../src/lib/archive/layout.js'
import {MANIFEST_FORMAT, encodeManifest} from '../../../src/lib/archive/manifest.js'
import {newJobMeta, type JobMeta} from '../../../src/lib/job.js'
import {SupabaseBucket, openSupabaseClient} from '../../../src/lib/store/object/supabase-bucket.js'
import {isolatedEnv, runCli, tempHome} from '../../helpers/cli.js'
import {startSupabaseStandin, type SupabaseStandin} from '../../helpers/supabase-storage-standin.js'

const JOBS = 100_000
let supabase: SupabaseStandin
let home: {home: string; cleanup: () => void}

beforeAll(async () => {
  supabase = await startSupabaseStandin()
  home = tempHome()
  const entries: CatalogEntry[] = []
  const manifests: Array<[string, Buffer]> = []
  for (let i = 0; i < JOBS; i++) {
    const id = `build-${String(i).padStart(6, '0')}`
    const url = `supabase://logs/scale/${objectKey(id)}`
    const meta: JobMeta = {
      ...newJobMeta(id, 1_700_000_000_000 + i * 1000),
      status: i % 10 === 0 ? 'failed' : 'succeeded',
      exitCode: i % 10 === 0 ? 1 : 0,
      endedAt: 1_700_000_000_500 + i * 1000,
      updatedAt: 1_700_000_000_500 + i * 1000,
      lines: 10,
      bytes: 500,
      location: {kind: 'archived', url, size: 200, sha256: 'a'.repeat(64), archivedAt: 1_800_000_000_000},
    }
    const data = encodeManifest({
      format: MANIFEST_FORMAT,
      id,
      parts: [{key: objectKey(id), size: 200}],
      size: 200,
      compressedSha256: 'b'.repeat(64),
      sha256: 'a'.repeat(64),
      contentBytes: 900,
      lines: 10,
      archivedAt: 1_800_000_000_000,
      meta,
    })
    manifests.push([`scale/${manifestKey(id)}`, data])
    entries.push({meta, url, size: 200, sha256: 'a'.repeat(64), manifestBytes: data.length, at: 0})
  }
  supabase.seed('logs', manifests)
  // Entries taken after the manifests were written (a later manifest would not be trusted).
  const at = Date.now() + 1000
  const bucket = new SupabaseBucket(openSupabaseClient(new URL('supabase://logs/scale'), {from: 'test', what: 'archive', env: supabase.env()}))
  await new Catalog(bucket).compact({force: true, entries: entries.map((entry) => ({...entry, at}))})
  await bucket.close()
}, 300_000)

afterAll(async () => {
  await supabase?.stop()
  home?.cleanup()
})

describe('a catalog of 10⁵ archived jobs', () => {
  it('ls lists every one with about one request per 1000 jobs, none per job', async () => {
    const env = isolatedEnv(home.home, {...supabase.env(), LOGS_STORE: `file://${home.home}/live`, LOGS_ARCHIVE: 'supabase://logs/scale'})
    const before = supabase.requests.length
    const result = await runCli(['ls', '--json'], {env, timeout: 240_000})
    const requests = supabase.requests.slice(before)
    expect(result.code, result.stderr).toBe(0)
    const jobs = JSON.parse(result.stdout) as Array<{id: string; status: string}>
    expect(jobs).toHaveLength(JOBS)
    expect(new Set(jobs.map((job) => job.id)).size).toBe(JOBS)
    expect(jobs.filter((job) => job.status === 'failed')).toHaveLength(JOBS / 10)
    // 100 pages of the manifests' listing, the catalog's listing and its 20 pages (5000 jobs each).
    expect(requests.filter((r) => r.startsWith('POST list')).length).toBeLessThanOrEqual(JOBS / 1000 + 3)
    expect(requests.filter((r) => r.startsWith('GET object')).length).toBeLessThanOrEqual(JOBS / 5000)
    expect(requests.length).toBeLessThanOrEqual(130)

    const narrowed = supabase.requests.length
    const prefixed = await runCli(['ls', '--json', '--prefix', 'build-0999'], {env})
    expect(prefixed.code, prefixed.stderr).toBe(0)
    expect((JSON.parse(prefixed.stdout) as unknown[]).length).toBe(100)
    expect(supabase.requests.slice(narrowed).filter((r) => r.startsWith('POST list')).length).toBeLessThanOrEqual(3)
  }, 300_000)
})
