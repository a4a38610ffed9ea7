/**
 * `logs archive` and `logs gc` as a user runs them (the built CLI as a child process)
 * against real servers: the file store, redis-server, s3rver and the Supabase stand-in.
 */
import {mkdirSync, readdirSync, writeFileSync} from 'node:fs'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {ArchiveSummary} from '../../../src/lib/archive/archive-jobs.js'
import type {GcSummary} from '../../../src/lib/archive/gc.js'
import {openArchive} from '../../../src/lib/open/open-store.js'
import {collect, isolatedEnv, runCli, startCli, tempHome} from '../../helpers/cli.js'
import {startRedis, type RedisServer} from '../../helpers/redis-server.js'
import {startS3Server, type S3Server} from '../../helpers/s3-server.js'
import {startSupabaseStandin, type SupabaseStandin} from '../../helpers/supabase-storage-standin.js'
import {startVercelBlobStandin, type VercelBlobStandin} from '../../helpers/vercel-blob-standin.js'
import {waitUntil} from '../../helpers/wait.js'
import {readAllRaw, seedJobs, withLive} from './archive-helpers.js'
import {startTogether} from '../../helpers/start-together.js'

let home: {home: string; cleanup: () => void}
let s3: S3Server
let supabase: SupabaseStandin
let redis: RedisServer
let blob: VercelBlobStandin

beforeAll(async () => {
  home = tempHome()
  ;[s3, supabase, redis, blob] = await startTogether([startS3Server(), startSupabaseStandin(), startRedis(), startVercelBlobStandin()])
  Object.assign(process.env, blob.env()) // the SDK reads its API base from the process environment (readAllRaw runs in this process)
  await s3.createBucket('archive')
})

afterAll(async () => {
  await Promise.all([s3?.destroy(), supabase?.stop(), redis?.destroy(), blob?.stop()])
  home?.cleanup()
})

const env = (): NodeJS.ProcessEnv => isolatedEnv(home.home, {...s3.env(), ...supabase.env(), ...blob.env(), AWS_EC2_METADATA_DISABLED: 'true'})
const fileLive = (name: string): string => `file://${home.home}/live-${name}`
const fileArchive = (name: string): string => `file://${home.home}/archive-${name}`

async function archiveCli(live: string, archive: string, ...args: string[]): Promise<{code: number | null; summary: ArchiveSummary; stderr: string}> {
  const result = await runCli(['archive', '--store', live, '--archive', archive, '--json', ...args], {env: env()})
  return {code: result.code, stderr: result.stderr, summary: JSON.parse(result.stdout || '{}') as ArchiveSummary}
}

async function archivedIds(archive: string): Promise<string[]> {
  const store = await openArchive({value: archive, from: 'test'}, env())
  try {
    return (await store.list()).map((job) => job.meta.id).sort()
  } finally {
    await store.close()
  }
}

const liveIds = (url: string): Promise<string[]> => withLive(url, env(), async (live) => (await live.listJobs()).map((j) => j.id).sort())

describe('logs archive: 50 jobs into each archive backend', () => {
  const cases: Array<[string, () => string, () => string]> = [
    ['file → file', () => fileLive('ff'), () => fileArchive('ff')],
    ['file → s3', () => fileLive('fs'), () => 's3://archive/from-file'],
    ['file → supabase', () => fileLive('fu'), () => 'supabase://archive/from-file'],
    ['file → vercel blob', () => fileLive('fv'), () => 'vercel-blob://archive/from-file'],
    ['redis → s3', () => `${redis.url}?prefix=arch:`, () => 's3://archive/from-redis'],
  ]
  it.each(cases)('%s: moves every job, byte for byte, live copies gone, metadata pointing at the objects', async (_name, liveUrl, archiveUrl) => {
    const live = liveUrl()
    const archive = archiveUrl()
    const expected = await seedJobs(live, env(), 'job', 50)
    const {code, summary, stderr} = await archiveCli(live, archive, '--concurrency', '8')
    expect(stderr).toBe('')
    expect(code).toBe(0)
    expect([summary.archived, summary.failed, summary.skipped]).toEqual([50, 0, 0])
    expect(await liveIds(live)).toEqual([])
    const ids = [...expected.keys()].sort()
    expect(await archivedIds(archive)).toEqual(ids)
    const back = await readAllRaw(live, archive, env(), ids)
    for (const id of ids) expect(back.get(id)?.equals(expected.get(id)!), id).toBe(true)
    for (const id of ['job-1', 'job-50']) {
      const got = await runCli(['get', id, '--output', 'raw', '--store', live, '--archive', archive], {env: env()})
      expect(got.code).toBe(0)
      expect(got.stdoutBytes.equals(expected.get(id)!)).toBe(true)
    }
    const listed = await runCli(['ls', '--json', '--store', live, '--archive', archive], {env: env()})
    const metas = JSON.parse(listed.stdout) as Array<{id: string; status: string; location: {kind: string; url: string; sha256: string}}>
    expect(metas).toHaveLength(50)
    const fifth = metas.find((m) => m.id === 'job-5')!
    expect(fifth.status).toBe('failed')
    expect(fifth.location.kind).toBe('archived')
    expect(fifth.location.url).toBe(`${archive.replace(/^file:\/\//, 'file://')}/job-5.jsonl.zst`)
    expect(fifth.location.sha256).toMatch(/^[0-9a-f]{64}$/)
  })
})

describe('logs archive: failures and concurrency', () => {
  it.each([
    ['s3', 's3://archive/crash'],
    ['vercel blob', 'vercel-blob://archive/crash'],
  ])('crash between upload and delete (kill -9) into %s, then a re-run: nothing lost, nothing duplicated', async (name, archive) => {
    const live = fileLive(`crash-${name.replace(' ', '-')}`)
    const expected = await seedJobs(live, env(), 'crash', 8)
    const killed = await runCli(['archive', '--store', live, '--archive', archive, '--concurrency', '1'], {env: {...env(), LOGS_FAULT_INJECTION: 'archive-kill-after-upload:3'}})
    expect(killed.signal).toBe('SIGKILL')
    expect((await liveIds(live)).length).toBe(6) // two moved, the third uploaded but still live
    const rerun = await archiveCli(live, archive)
    expect(rerun.code).toBe(0)
    expect(rerun.summary.archived).toBe(6)
    expect(rerun.summary.jobs.filter((j) => j.resumed)).toHaveLength(1)
    expect(await liveIds(live)).toEqual([])
    const ids = [...expected.keys()].sort()
    expect(await archivedIds(archive)).toEqual(ids)
    const back = await readAllRaw(live, archive, env(), ids)
    for (const id of ids) expect(back.get(id)?.equals(expected.get(id)!), id).toBe(true)
  })

  it.each([
    ['file', () => fileArchive('two')],
    ['supabase', () => 'supabase://archive/two'],
    ['vercel blob', () => 'vercel-blob://archive/two'],
  ])('two archive processes at once (%s archive): each job archived exactly once', async (_name, archiveUrl) => {
    const live = fileLive(`two-${_name}`)
    const archive = archiveUrl()
    const expected = await seedJobs(live, env(), 'two', 30)
    const args = ['archive', '--store', live, '--archive', archive, '--json', '--concurrency', '4']
    const [a, b] = await Promise.all([collect(startCli(args, {env: env()})), collect(startCli(args, {env: env()}))])
    expect([a.code, b.code]).toEqual([0, 0])
    const done = (r: typeof a): string[] => (JSON.parse(r.stdout) as ArchiveSummary).jobs.filter((j) => j.result === 'archived').map((j) => j.id)
    const both = [...done(a), ...done(b)].sort()
    expect(both).toEqual([...expected.keys()].sort())
    expect(await liveIds(live)).toEqual([])
    const back = await readAllRaw(live, archive, env(), [...expected.keys()])
    for (const [id, bytes] of expected) expect(back.get(id)?.equals(bytes), id).toBe(true)
  })

  it.each([
    ['as many lines as the archived run', 'b1\nb2\n'],
    ['more lines than the archived run', 'b1\nb2\nb3\n'],
  ])('a job pushed again from the start after it was archived (%s) is not archived over the earlier run: both are kept, exit 1', async (_name, again) => {
    const live = fileLive(`again-${again.length}`)
    const archive = fileArchive(`again-${again.length}`)
    const push = (input: string) => runCli(['push', '--job', 'nightly', '--store', live], {env: env(), input})
    expect((await push('a1\na2\n')).code).toBe(0)
    expect((await archiveCli(live, archive)).summary.archived).toBe(1)
    expect((await push(again)).code).toBe(0)
    const second = await archiveCli(live, archive)
    expect(second.code).toBe(1)
    expect(second.summary).toMatchObject({archived: 0, failed: 1})
    expect(second.summary.jobs[0].reason).toMatch(/job nightly was not archived: the archive already holds another run of it \(created .*, 2 lines\)/)
    expect(await liveIds(live)).toEqual(['nightly'])
    const archived = await runCli(['get', 'nightly', '--store', fileLive('none'), '--archive', archive, '--output', 'raw'], {env: env()})
    expect(archived.stdout).toBe('a1\na2\n')
    expect((await runCli(['get', 'nightly', '--store', live, '--archive', archive, '--output', 'raw'], {env: env()})).stdout).toBe(again)
  })

  it('object store down: nothing deleted, a clear error, exit 1; back up, the next run completes', async () => {
    const live = fileLive('down')
    const archive = 's3://archive/down?retry-for=1s'
    const expected = await seedJobs(live, env(), 'down', 4)
    await s3.stop()
    let failed
    try {
      failed = await runCli(['archive', '--store', live, '--archive', archive], {env: env()})
    } finally {
      await s3.start()
    }
    expect(failed.code).toBe(1)
    expect(failed.stdout).toMatch(/FAILED +down-1 +s3:\/\/archive\/down: cannot .*ECONNREFUSED/)
    expect(failed.stderr).toContain('4 jobs were not archived; they stay in the live store')
    expect(await liveIds(live)).toEqual([...expected.keys()].sort())
    const rerun = await archiveCli(live, archive)
    expect(rerun.code).toBe(0)
    expect(rerun.summary.archived).toBe(4)
    expect(await liveIds(live)).toEqual([])
  })

  it('skips running jobs unless --idle says their writer is gone, then marks them abandoned', async () => {
    const live = fileLive('idle')
    const archive = fileArchive('idle')
    await withLive(live, env(), async (store) => {
      await store.startJob('still-running')
      await store.append('still-running', [{ts: Date.now(), bytes: Buffer.from('x'), eol: true}])
    })
    const first = await archiveCli(live, archive, '--job', 'still-running')
    expect(first.summary.jobs[0]).toMatchObject({id: 'still-running', result: 'skipped'})
    const dry = await archiveCli(live, archive, '--idle', '0s', '--dry-run')
    expect(dry.summary.jobs[0]).toMatchObject({id: 'still-running', result: 'would-archive'})
    expect(await liveIds(live)).toEqual(['still-running'])
    const idle = await archiveCli(live, archive, '--idle', '0s')
    expect(idle.summary.archived).toBe(1)
    const shown = await runCli(['ls', '--json', '--store', live, '--archive', archive], {env: env()})
    expect(JSON.parse(shown.stdout)[0]).toMatchObject({id: 'still-running', status: 'abandoned'})
  })

  // Redis: the push's spool is delivered by a shipping thread, which asks the main thread for the archived run.
  const writers: Array<[string, () => string]> = [
    ['the file store (written directly)', () => fileLive('idle-writer')],
    ['Redis (through the spool)', () => `${redis.url}?prefix=idle-writer:`],
  ]
  for (const [store, liveOf] of writers) {
    it(`a job --idle archives while its push into ${store} is still writing it: the push continues it, no line lost, and ends it as it ends`, async () => {
      const live = liveOf()
      const archive = fileArchive(`idle-writer-${store.split(' ')[1]}`)
      const push = startCli(['push', '--job', 'quiet', '--exit-code', '3', '--store', live, '--archive', archive], {env: env()})
      const pushed = collect(push)
      push.stdin!.write('before 1\nbefore 2\n')
      const get = (...args: string[]) => runCli(['get', 'quiet', '--store', live, '--archive', archive, ...args], {env: env()})
      await waitUntil(async () => (await get()).stdout === 'before 1\nbefore 2\n', {what: 'the first lines stored'})
      const idle = await archiveCli(live, archive, '--idle', '0s', '--job', 'quiet')
      expect(idle.summary.jobs[0]).toMatchObject({id: 'quiet', result: 'archived'})
      // Before, into the file store: push failed on its next append (ENOENT), exit 1, and these lines were lost.
      // Into Redis: the rest made a new run numbered from 1, which hid the archived lines and which archive then refused.
      push.stdin!.end('after 1\nafter 2\n')
      const result = await pushed
      expect(result.code, result.stderr).toBe(0)
      expect(result.stderr).toBe('')
      expect((await get()).stdout).toBe('before 1\nbefore 2\nafter 1\nafter 2\n')
      const shown = await runCli(['ls', '--json', '--store', live, '--archive', archive], {env: env()})
      expect(JSON.parse(shown.stdout)).toEqual([expect.objectContaining({id: 'quiet', status: 'failed', exitCode: 3, lines: 4})])
      const again = await archiveCli(live, archive, '--job', 'quiet')
      expect(again.summary.jobs[0], again.stderr).toMatchObject({id: 'quiet', result: 'archived'})
      expect(
        (await get('-o', 'json')).stdout
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line).seq),
      ).toEqual([1, 2, 3, 4])
    })
  }

  it('--job of an id found in neither store fails the run (exit 1), as a typo in a cron line must', async () => {
    const live = fileLive('typo')
    const archive = fileArchive('typo')
    await seedJobs(live, env(), 'typo', 1)
    const typo = await archiveCli(live, archive, '--job', 'typo-l', '--job', 'typo-1')
    expect(typo.code).toBe(1)
    expect(typo.summary.jobs).toEqual([
      expect.objectContaining({id: 'typo-1', result: 'archived'}),
      {id: 'typo-l', result: 'failed', reason: `not found in ${live} or ${archive}`, missing: true},
    ])
    // Before: "1 job was not archived; it stays in the live store", of a job in no store.
    expect(typo.stderr).toBe('logs: 1 job to archive was found in neither the live store nor the archive\n')
    // Archived already: skipped, not failed.
    expect((await archiveCli(live, archive, '--job', 'typo-1')).code).toBe(0)
  })

  it('--job takes globs as get does: the ended jobs a glob matches, beside plain ids; a running one only with --idle; a bad glob is a usage error', async () => {
    const live = fileLive('globs')
    const archive = fileArchive('globs')
    const push = (job: string, ...args: string[]) => runCli(['push', '--job', job, '--store', live, ...args], {env: env(), input: `${job} line\n`})
    for (const job of ['build-1', 'build-2', 'deploy-1', 'nightly-7']) expect((await push(job)).code).toBe(0)
    // A running job: its push is still reading stdin.
    const running = startCli(['push', '--job', 'build-3', '--store', live], {env: env()})
    const ended = collect(running)
    running.stdin!.write('still going\n')
    await waitUntil(async () => (await liveIds(live)).includes('build-3'))

    const run = await archiveCli(live, archive, '--job', 'build-*', '--job', 'nightly-7')
    expect(run.code).toBe(0)
    expect(run.summary.jobs.map((job) => [job.id, job.result])).toEqual([
      ['build-1', 'archived'],
      ['build-2', 'archived'],
      ['nightly-7', 'archived'],
    ])
    expect(await liveIds(live)).toEqual(['build-3', 'deploy-1'])
    // A glob that matches nothing archives nothing, and is no failure.
    expect((await archiveCli(live, archive, '--job', 'release-*')).summary).toMatchObject({archived: 0, failed: 0, jobs: []})

    const idle = await archiveCli(live, archive, '--job', 'build-?', '--idle', '0s')
    expect(idle.summary.jobs.map((job) => [job.id, job.result])).toEqual([['build-3', 'archived']])
    running.stdin!.end()
    expect((await ended).code).toBe(0)

    const bad = await runCli(['archive', '--store', live, '--archive', archive, '--job', 'build/*'], {env: env()})
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('invalid job id pattern "build/*" (--job)')
    expect(await archivedIds(archive)).toEqual(['build-1', 'build-2', 'build-3', 'nightly-7'])
  })

  // Before: "1 lines".
  it('counts lines and jobs in the singular when there is one', async () => {
    const live = fileLive('one')
    expect((await runCli(['push', '--job', 'one-line', '--store', live, '--exit-code', '0'], {env: env(), input: 'only\n'})).code).toBe(0)
    const dry = await runCli(['archive', '--store', live, '--archive', fileArchive('one'), '--dry-run'], {env: env()})
    expect(dry.stdout).toMatch(/^would archive {2}one-line {2}1 line\n/)
    const result = await runCli(['archive', '--store', live, '--archive', fileArchive('one')], {env: env()})
    expect(result.stdout).toMatch(/^archived {2}one-line {2}1 line, \d+ B → /)
    const reindexed = await runCli(['archive', '--archive', fileArchive('one'), '--reindex'], {env: env()})
    expect(reindexed.stdout).toBe('catalog rebuilt: 1 archived job in 1 catalog object\n')
  })

  it('says which variable is missing for an S3 or Supabase archive without credentials (exit 2)', async () => {
    const bare = isolatedEnv(home.home, {AWS_EC2_METADATA_DISABLED: 'true', AWS_ENDPOINT_URL: s3.endpoint})
    const live = fileLive('creds')
    await seedJobs(live, env(), 'creds', 1)
    const noAws = await runCli(['archive', '--store', live, '--archive', 's3://archive/x'], {env: bare})
    expect(noAws.code).toBe(2)
    expect(noAws.stderr).toMatch(/S3 store s3:\/\/archive\/x \(from --archive\) needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or AWS_PROFILE/)
    expect(await liveIds(live)).toEqual(['creds-1'])
    const noSupabase = await runCli(['archive', '--store', live, '--archive', 'supabase://archive/x'], {env: bare})
    expect(noSupabase.code).toBe(2)
    expect(noSupabase.stderr).toMatch(/--archive.*needs SUPABASE_URL to be set/)
  })
})

describe('logs gc', () => {
  it('deletes what is past retention, keeps the rest, and --dry-run changes nothing', async () => {
    const live = fileLive('gc')
    const archive = 's3://archive/gc'
    const tenDaysAgo = Date.now() - 10 * 86_400_000
    await seedJobs(live, env(), 'old', 3, {endedAt: tenDaysAgo})
    await seedJobs(live, env(), 'new', 2)
    const archived = await archiveCli(live, archive, '--job', 'old-1', '--job', 'old-2', '--job', 'new-1')
    expect(archived.summary.archived).toBe(3)
    const gc = (...args: string[]) => runCli(['gc', '--store', live, '--archive', archive, '--json', ...args], {env: env()})

    const dry = await gc('--dry-run')
    expect(dry.code).toBe(0)
    // s3rver answers 501 to ListMultipartUploads: reported, not fatal (real S3 lists them; see s3-archive.test.ts)
    expect(dry.stderr).toMatch(/warning: incomplete multipart uploads were not checked/)
    const planned = JSON.parse(dry.stdout) as GcSummary
    expect(planned.deleted.map((i) => `${i.kind}:${i.name}`).sort()).toEqual(['archived-job:old-1', 'archived-job:old-2', 'live-job:old-3'])
    expect(await archivedIds(archive)).toEqual(['new-1', 'old-1', 'old-2'])
    expect(await liveIds(live)).toEqual(['new-2', 'old-3'])

    const applied = JSON.parse((await gc()).stdout) as GcSummary
    expect(applied.deleted).toHaveLength(3)
    expect(await archivedIds(archive)).toEqual(['new-1'])
    expect(await liveIds(live)).toEqual(['new-2'])
    const gone = await runCli(['get', 'old-1', '--store', live, '--archive', archive], {env: env()})
    expect(gone.code).toBe(1)

    const longer = JSON.parse((await gc('--older-than', '30d')).stdout) as GcSummary
    expect(longer.deleted).toEqual([])
  })

  it('deletes expired locks and waiting markers of the archive, and keeps live ones', async () => {
    const archive = fileArchive('gc-locks')
    const dir = `${home.home}/archive-gc-locks/.locks`
    mkdirSync(dir, {recursive: true})
    const record = (owner: string, expiresAt: number) => JSON.stringify({owner, host: 'elsewhere', pid: 1, expiresAt})
    writeFileSync(`${dir}/old.0a.claim`, record('a', Date.now() - 60_000))
    writeFileSync(`${dir}/old.waiting`, record('b', Date.now() - 60_000))
    writeFileSync(`${dir}/older.lock`, record('e', Date.now() - 60_000)) // a lock of versions before claims
    writeFileSync(`${dir}/held.0b.claim`, record('c', Date.now() + 3_600_000))
    writeFileSync(`${dir}/held.waiting`, record('d', Date.now() + 3_600_000))
    const result = await runCli(['gc', '--store', fileLive('gc-locks'), '--archive', archive, '--json'], {env: env()})
    expect(result.code).toBe(0)
    const summary = JSON.parse(result.stdout) as GcSummary
    expect(summary.deleted.map((i) => `${i.kind}:${i.name}`).sort()).toEqual(['lock:.locks/old.0a.claim', 'lock:.locks/old.waiting', 'lock:.locks/older.lock'])
    expect(readdirSync(dir).sort()).toEqual(['held.0b.claim', 'held.waiting'])
  })

  // s3rver answers 501 to the lifecycle calls. Before, the hint was "use --apply-lifecycle or clean up with its own tools": the flag that had just failed.
  // Before, the rule was asked for last: the run had already deleted what was past retention, and said nothing of it.
  it('--apply-lifecycle against a service without lifecycle rules: exit 1 before deleting anything, and a hint to run gc from cron instead', async () => {
    const live = fileLive('gc-lc')
    const archive = 's3://archive/gc-lc'
    await seedJobs(live, env(), 'old', 2, {endedAt: Date.now() - 10 * 86_400_000})
    expect((await archiveCli(live, archive, '--job', 'old-1')).summary.archived).toBe(1)
    const result = await runCli(['gc', '--store', live, '--archive', archive, '--apply-lifecycle'], {env: env()})
    expect(result.code).toBe(1)
    expect(result.stdout).toBe('')
    expect(await archivedIds(archive)).toEqual(['old-1'])
    expect(await liveIds(live)).toEqual(['old-2'])
    expect(result.stderr).toMatch(/^logs: s3:\/\/archive\/gc-lc: cannot .*lifecycle.*501/m)
    expect(result.stderr).toContain(
      '  hint: this S3-compatible service does not support lifecycle rules: run `logs gc` without --apply-lifecycle from cron instead; it deletes what is past retention itself\n',
    )
    expect(result.stderr).not.toContain('use --apply-lifecycle')
  })

  it('--apply-lifecycle on a non-S3 archive is a usage error (exit 2)', async () => {
    const result = await runCli(['gc', '--store', fileLive('gc2'), '--archive', fileArchive('gc2'), '--apply-lifecycle'], {env: env()})
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/--apply-lifecycle needs an s3:\/\/ archive/)
  })
})
