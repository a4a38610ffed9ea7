/**
 * Job filters in the catalog (src/lib/archive/catalog.ts, token-filter.ts foldFilters): a
 * query across archived jobs rules out the jobs that cannot hold a --grep literal without
 * a request per job — counted by the Supabase stand-in — and the filters survive
 * compaction and `--reindex`; a job archived again since its entry is never ruled out.
 */
import {gunzipSync} from 'node:zlib'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {BlobArchive} from '../../../src/lib/archive/blob-archive.js'
import {FILTER_KIND, foldFilters, GramFilterBuilder, mayContain} from '../../../src/lib/archive/token-filter.js'
import {entryFromBytes, type LogEntry} from '../../../src/lib/entry.js'
import {newJobMeta, type JobMeta} from '../../../src/lib/job.js'
import {compilePattern} from '../../../src/lib/pattern.js'
import {readBytes} from '../../../src/lib/store/object/bucket.js'
import {SupabaseBucket, openSupabaseClient} from '../../../src/lib/store/object/supabase-bucket.js'
import {isolatedEnv, runCli, tempHome} from '../../helpers/cli.js'
import {iterate} from '../../helpers/iterables.js'
import {startSupabaseStandin, type SupabaseStandin} from '../../helpers/supabase-storage-standin.js'
import {withLive} from './archive-helpers.js'

let supabase: SupabaseStandin
let home: {home: string; cleanup: () => void}
beforeAll(async () => {
  supabase = await startSupabaseStandin()
  home = tempHome()
})
afterAll(async () => {
  await supabase?.stop()
  home?.cleanup()
})

const RARE = 'needle-5e1f0a'
const ids = Array.from({length: 30}, (_, i) => `job-${String(i).padStart(2, '0')}`)

function job(id: string): {meta: JobMeta; entries: LogEntry[]} {
  const entries = Array.from({length: 200}, (_, i) => entryFromBytes(i + 1, 1_000 + i, Buffer.from(id === 'job-17' && i === 99 ? `saw ${RARE}` : `${id} step ${i} ok`), true))
  return {meta: {...newJobMeta(id, 1_000), status: 'succeeded', endedAt: 2_000, updatedAt: 2_000, lines: 200, bytes: 4000}, entries}
}

// One block per job (about 14 KB of records): folded from the filters of several small blocks, a job's
// filter would have more bits set than it may (each block's own 4-grams fill a filter of its size).
const open = (prefix: string): BlobArchive =>
  new BlobArchive({bucket: new SupabaseBucket(openSupabaseClient(new URL(`supabase://logs/${prefix}`), {from: 'test', what: 'archive', env: supabase.env()})), blockBytes: 16384})

async function archiveRuns(archive: BlobArchive): Promise<JobMeta[]> {
  for (let run = 0; run < 3; run++) {
    const batch = ids.slice(run * 10, run * 10 + 10)
    for (const id of batch) await archive.put(job(id).meta, iterate(job(id).entries))
    await archive.recordArchived(batch)
  }
  return (await archive.list()).map((a) => a.meta)
}

const requestsFor = async <T>(fn: () => Promise<T>): Promise<{value: T; requests: number}> => {
  const before = supabase.requests.length
  const value = await fn()
  return {value, requests: supabase.requests.length - before}
}

describe('job filters', () => {
  it('fold block filters into one that answers like them (never a false "absent")', () => {
    const builder = new GramFilterBuilder()
    // Blocks of one log share most of their 4-grams, as here: each adds a few of its own.
    const words = 'alpha beta gamma delta zeta eta iota kappa lambda mu nu xi '
    const blocks = [`${words}needle-xyz`, `${words}epsilon`, `${words.repeat(3)}theta`].map((text) => ({
      kind: FILTER_KIND,
      data: builder.build(Buffer.from(`{"seq":1,"line":${JSON.stringify(text)}}\n`)),
    }))
    const folded = foldFilters(blocks)!
    expect(folded.kind).toBe(FILTER_KIND)
    // The smallest block's size, or a smaller power of two while at most half its bits are set.
    expect(folded.data.length).toBeLessThanOrEqual(Math.min(...blocks.map((b) => b.data.length)))
    expect(folded.data.length & (folded.data.length - 1)).toBe(0)
    for (const word of ['alpha', 'needle-xyz', 'theta', 'epsilon']) expect(mayContain(folded.data, Buffer.from(word)), word).toBe(true)
    expect(mayContain(folded.data, Buffer.from('omicron'))).toBe(false)
    expect(foldFilters([])).toBeUndefined()
    // Blocks of two kinds (a job written again keeps its older blocks' filters) answer no question together.
    expect(foldFilters([...blocks, {kind: 'line-trigram-bloom-2', data: blocks[0].data}])).toBeUndefined()
  })

  it('rule out the jobs whose filter proves the literal absent, with a few requests for 30 jobs', async () => {
    const archive = open('rule-out')
    const metas = await archiveRuns(archive)
    const {value: absent, requests} = await requestsFor(() => archive.ruledOut(metas, compilePattern(RARE, '--grep')))
    expect([...absent].sort()).toEqual(ids.filter((id) => id !== 'job-17'))
    // A listing of the catalog, its three pages and their three filter objects.
    expect(requests).toBeLessThanOrEqual(7)
    // A pattern without a literal of 3 bytes or more rules nothing out.
    expect((await archive.ruledOut(metas, compilePattern('n.e.d', '--grep'))).size).toBe(0)
    // Nor one of 3 bytes, which 4-gram filters cannot test: `saw` is in job-17 alone, and no job is ruled out for it.
    const {value: short, requests: shortRequests} = await requestsFor(() => archive.ruledOut(metas, compilePattern('saw', '--grep')))
    expect(short.size).toBe(0)
    // The catalog is read (a trigram filter of an older archive can test 3 bytes), none of its 4-gram filters.
    expect(shortRequests).toBeLessThan(requests)
  })

  it('survive compaction and --reindex; a job archived again is read, not ruled out', async () => {
    const archive = open('compact')
    const metas = await archiveRuns(archive)
    await archive.catalog.compact({force: true})
    const keys = (supabase.keys('logs') ?? []).filter((key) => key.startsWith('compact/.catalog/'))
    expect(keys.filter((key) => key.endsWith('.json.gz'))).toHaveLength(1)
    expect(keys.filter((key) => key.endsWith('.filters'))).toHaveLength(1)
    expect((await archive.ruledOut(metas, compilePattern(RARE, '--grep'))).size).toBe(29)

    await archive.bucket.delete(keys.map((key) => key.slice('compact/'.length)))
    expect((await archive.ruledOut(metas, compilePattern(RARE, '--grep'))).size).toBe(0) // no catalog: every job is read
    await archive.reindex()
    expect((await archive.ruledOut(metas, compilePattern(RARE, '--grep'))).size).toBe(29)

    const changed = metas.map((meta) => (meta.id === 'job-03' && meta.location.kind === 'archived' ? {...meta, location: {...meta.location, sha256: 'f'.repeat(64)}} : meta))
    expect((await archive.ruledOut(changed, compilePattern(RARE, '--grep'))).has('job-03')).toBe(false)
  })

  it('keep a 4-gram filter where a release that reads trigram filters does not look, and use it only while its bytes match their CRC-32', async () => {
    const archive = open('kinds')
    const metas = await archiveRuns(archive)
    await archive.catalog.compact({force: true})
    const keys = (supabase.keys('logs') ?? []).filter((key) => key.startsWith('kinds/.catalog/')).map((key) => key.slice('kinds/'.length))
    const page = keys.find((key) => key.endsWith('.json.gz'))!
    const filters = keys.find((key) => key.endsWith('.filters'))!
    const {jobs} = JSON.parse(gunzipSync((await readBytes(archive.bucket, page))!).toString()) as {jobs: Array<{filter?: unknown; gramFilter?: number[]}>}
    expect(jobs.every((entry) => entry.filter === undefined && entry.gramFilter?.length === 3)).toBe(true)
    expect((await archive.ruledOut(metas, compilePattern(RARE, '--grep'))).size).toBe(29)
    // As an older release's compaction leaves it: the entries kept, their .filters object written anew without these bytes.
    const stale = (await readBytes(archive.bucket, filters))!.fill(0)
    await archive.bucket.writeBytes(filters, stale)
    expect((await archive.ruledOut(metas, compilePattern(RARE, '--grep'))).size).toBe(0)
  })

  it('logs get over 30 archived jobs reads the one that may hold the literal', async () => {
    const env = isolatedEnv(home.home, {...supabase.env(), LOGS_STORE: `file://${home.home}/live`, LOGS_ARCHIVE: 'supabase://logs/cli'})
    await withLive(`file://${home.home}/live`, env, async (store) => {
      for (const id of ids) {
        await store.startJob(id)
        await store.append(
          id,
          job(id).entries.map((e) => ({ts: e.ts, bytes: Buffer.from(e.line), eol: true})),
        )
        await store.endJob(id, {status: 'succeeded', exitCode: 0})
      }
    })
    expect((await runCli(['archive'], {env})).code).toBe(0)
    const {value: result, requests} = await requestsFor(() => runCli(['get', 'job-*', '--grep', RARE], {env}))
    expect(result.stderr).toBe('')
    expect(result.stdout).toBe(`job-17 saw ${RARE}\n`)
    // Listings and the catalog, then job-17 alone (manifest, index, block) — not 30 jobs' worth.
    expect(requests).toBeLessThan(20)
  })
})
