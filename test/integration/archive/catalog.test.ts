/**
 * The catalog of archived jobs (src/lib/archive/catalog.ts): listings cost a few requests
 * whatever the number of jobs (counted by the Supabase stand-in), stay exact when the
 * catalog is missing, stale or raced, and `logs archive --reindex` rebuilds it.
 */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {BlobArchive} from '../../../src/lib/archive/blob-archive.js'
import {encodeManifest} from '../../../src/lib/archive/manifest.js'
import {gunzipAsync} from '../../../src/lib/archive/zlib-async.js'
import {entryFromBytes, type LogEntry} from '../../../src/lib/entry.js'
import {newJobMeta, type JobMeta} from '../../../src/lib/job.js'
import {readBytes} from '../../../src/lib/store/object/bucket.js'
import {DirectoryBucket} from '../../../src/lib/store/object/directory-bucket.js'
import {SupabaseBucket, openSupabaseClient} from '../../../src/lib/store/object/supabase-bucket.js'
import {isolatedEnv, runCli} from '../../helpers/cli.js'
import {iterate} from '../../helpers/iterables.js'
import {startSupabaseStandin, type SupabaseStandin} from '../../helpers/supabase-storage-standin.js'

let supabase: SupabaseStandin
const dir = mkdtempSync(join(tmpdir(), 'logs-catalog-'))

beforeAll(async () => {
  supabase = await startSupabaseStandin()
})

afterAll(async () => {
  await supabase?.stop()
  rmSync(dir, {recursive: true, force: true})
})

function job(id: string, status: JobMeta['status'] = 'succeeded'): {meta: JobMeta; entries: LogEntry[]} {
  const entries = [1, 2, 3].map((seq) => entryFromBytes(seq, 1_000 + seq, Buffer.from(`${id} line ${seq}`), true))
  return {meta: {...newJobMeta(id, 1_000), status, endedAt: 2_000, updatedAt: 2_000, lines: 3, bytes: 42}, entries}
}

async function archiveRun(archive: BlobArchive, ids: string[]): Promise<void> {
  for (const id of ids) {
    const {meta, entries} = job(id)
    await archive.put(meta, iterate(entries))
  }
  await archive.recordArchived(ids)
}

const supabaseArchive = (prefix: string): BlobArchive =>
  new BlobArchive({bucket: new SupabaseBucket(openSupabaseClient(new URL(`supabase://logs/${prefix}`), {from: 'test', what: 'archive', env: supabase.env()}))})

const requestsFor = async <T>(fn: () => Promise<T>): Promise<{value: T; requests: number}> => {
  const before = supabase.requests.length
  const value = await fn()
  return {value, requests: supabase.requests.length - before}
}

describe('catalog of archived jobs', () => {
  it('lists 60 jobs archived in three runs with a few requests, not one per job', async () => {
    const archive = supabaseArchive('three-runs')
    const ids = Array.from({length: 60}, (_, i) => `job-${String(i).padStart(2, '0')}`)
    for (let run = 0; run < 3; run++) await archiveRun(archive, ids.slice(run * 20, run * 20 + 20))
    const {value: jobs, requests} = await requestsFor(() => archive.list())
    expect(jobs.map((j) => j.meta.id).sort()).toEqual(ids)
    expect(jobs.find((j) => j.meta.id === 'job-07')).toEqual(await archive.head('job-07'))
    // A listing of the manifests, one of the catalog, its three objects.
    expect(requests).toBeLessThanOrEqual(6)
    expect((await requestsFor(() => archive.list({prefix: 'job-1'}))).value).toHaveLength(10)
  })

  it('is never the truth: a job it lacks is listed from its manifest, a deleted one is gone, a rewritten manifest wins', async () => {
    const archive = supabaseArchive('stale')
    await archiveRun(archive, ['a', 'b', 'c'])
    const {meta, entries} = job('uncatalogued', 'failed')
    await archive.put(meta, iterate(entries)) // archived by a run killed before it wrote the catalog
    await archive.delete(['b'])
    const manifest = (await archive.manifest('c'))!
    await archive.bucket.writeBytes('c.meta.json', encodeManifest({...manifest, meta: {...manifest.meta, status: 'failed', exitCode: 1234}}))
    const {value: jobs, requests} = await requestsFor(() => archive.list())
    expect(jobs.map((j) => [j.meta.id, j.meta.status]).sort()).toEqual([
      ['a', 'succeeded'],
      ['c', 'failed'],
      ['uncatalogued', 'failed'],
    ])
    expect(requests).toBeLessThanOrEqual(6) // the catalog, plus the two manifests it could not vouch for
  })

  it('loses no entry when archivers on two hosts record and compact at once', async () => {
    const root = join(dir, 'race')
    const hosts = [new BlobArchive({bucket: new DirectoryBucket(root)}), new BlobArchive({bucket: new DirectoryBucket(root)})]
    // 2 × 25 runs of one job each: both cross the compaction threshold while the other writes.
    await Promise.all(
      hosts.map(async (archive, h) => {
        for (let i = 0; i < 25; i++) await archiveRun(archive, [`h${h}-${i}`])
      }),
    )
    const snapshot = await hosts[0].catalog.read()
    expect(snapshot.jobs.size).toBe(50)
    expect(snapshot.keys.length).toBeLessThan(50) // compacted
  })

  // Before, a deleted job's entry (labels, counts, sha256) stayed in the catalog for good: readers skipped it, compaction copied it on.
  it('`logs rm` and `logs gc` leave nothing of a deleted job in the catalog', async () => {
    const home = join(dir, 'home-rm')
    const archiveDir = join(dir, 'rm')
    const archive = new BlobArchive({bucket: new DirectoryBucket(archiveDir)})
    await archiveRun(archive, ['keep', 'gone-rm'])
    await archiveRun(archive, ['gone-gc'])
    const catalogText = async () => {
      const {keys} = await archive.catalog.read()
      const texts = await Promise.all(keys.map(async (key) => (await gunzipAsync((await readBytes(archive.bucket, key))!)).toString('utf8')))
      return texts.join('\n')
    }
    expect(await catalogText()).toMatch(/gone-rm[\s\S]*gone-gc|gone-gc[\s\S]*gone-rm/)
    const env = isolatedEnv(home, {LOGS_STORE: `file://${home}/live`, LOGS_ARCHIVE: `file://${archiveDir}`})
    const rm = await runCli(['rm', 'gone-rm'], {env})
    expect(rm.code, rm.stderr).toBe(0)
    expect(await catalogText()).not.toContain('gone-rm')
    expect(await catalogText()).toContain('gone-gc')
    // gc by a retention every job is past, but for the label selector picking one
    await archive.bucket.writeBytes(
      'gone-gc.meta.json',
      encodeManifest({...(await archive.manifest('gone-gc'))!, meta: {...(await archive.manifest('gone-gc'))!.meta, labels: {doomed: 'yes'}}}),
    )
    const gc = await runCli(['gc', '--older-than', '1ms', '-l', 'doomed=yes'], {env})
    expect(gc.code, gc.stderr).toBe(0)
    expect(await catalogText()).not.toContain('gone-gc')
    expect((await archive.list()).map((j) => j.meta.id)).toEqual(['keep'])
  })

  it('`logs archive --reindex` rebuilds a lost catalog from the manifests', async () => {
    const home = join(dir, 'home')
    const archiveDir = join(dir, 'reindex')
    const archive = new BlobArchive({bucket: new DirectoryBucket(archiveDir)})
    await archiveRun(archive, ['x1', 'x2', 'x3'])
    const {keys} = await archive.catalog.read()
    await archive.bucket.delete(keys)
    expect((await archive.catalog.read()).jobs.size).toBe(0)
    expect((await archive.list()).map((j) => j.meta.id).sort()).toEqual(['x1', 'x2', 'x3']) // from the manifests

    const env = isolatedEnv(home, {LOGS_STORE: `file://${home}/live`, LOGS_ARCHIVE: `file://${archiveDir}`})
    const result = await runCli(['archive', '--reindex'], {env})
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toBe('catalog rebuilt: 3 archived jobs in 1 catalog object\n')
    expect([...(await archive.catalog.read()).jobs.keys()].sort()).toEqual(['x1', 'x2', 'x3'])
    const ls = await runCli(['ls', '--json'], {env})
    expect(ls.code, ls.stderr).toBe(0)
    expect(ls.stdout).toMatch(/x1[\s\S]*x2|x2[\s\S]*x1/)
    expect((await runCli(['archive', '--reindex', '--job', 'x1'], {env})).code).toBe(2)
  })
})
