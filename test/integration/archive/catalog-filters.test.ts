/**
 * Job filters in the catalog (src/lib/archive/catalog.ts, token-filter.ts foldFilters): a
 * query across archived jobs rules out the jobs that cannot hold a --grep literal without
 * a request per job — counted by the Supabase stand-in — and the filters survive
 * compaction and `--reindex`; a job archived again since its entry is never ruled out.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {BlobArchive} from '../../../src/lib/archive/blob-archive.js'
import {foldFilters, mayContain} from '../../../src/lib/archive/token-filter.js'
import {TrigramFilterBuilder} from '../../../src/lib/archive/token-filter.js'
import {entryFromBytes, type LogEntry} from '../../../src/lib/entry.js'
import {newJobMeta, type JobMeta} from '../../../src/lib/job.js'
import {compilePattern} from '../../../src/lib/pattern.js'
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

const open = (prefix: string): BlobArchive =>
  new BlobArchive({bucket: new SupabaseBucket(openSupabaseClient(new URL(`supabase://logs/${prefix}`), {from: 'test', what: 'archive', env: supabase.env()})), blockBytes: 2048})

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
    const builder = new TrigramFilterBuilder()
    const blocks = ['alpha beta gamma', 'delta epsilon needle-xyz', 'zeta eta theta'.repeat(40)].map((text) =>
      builder.build(Buffer.from(`{"seq":1,"line":${JSON.stringify(text)}}\n`)),
    )
    const folded = foldFilters(blocks)!
    expect(folded.length).toBe(Math.min(...blocks.map((b) => b.length)))
    for (const word of ['alpha', 'needle-xyz', 'theta', 'epsilon']) expect(mayContain(folded, Buffer.from(word)), word).toBe(true)
    expect(foldFilters([])).toBeUndefined()
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
