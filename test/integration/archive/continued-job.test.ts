/**
 * A job pushed again after `logs archive` moved it (CLI.md: pushing to an existing job
 * appends; sequence numbers continue), as a user runs it: the built CLI as child processes,
 * the file store and redis-server as live stores, file:// and s3rver archives. The new run
 * continues the archived one; every reader sees one job across the seam; `archive` writes
 * one object of both runs; a kill -9 between that object and the live delete loses nothing.
 */
import {execFileSync} from 'node:child_process'
import {copyFileSync, mkdirSync, readdirSync, rmSync, utimesSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {ArchiveSummary} from '../../../src/lib/archive/archive-jobs.js'
import type {GcSummary} from '../../../src/lib/archive/gc.js'
import type {BlobArchive} from '../../../src/lib/archive/blob-archive.js'
import {encodeEntries} from '../../../src/lib/archive/format.js'
import {encodeManifest, MANIFEST_FORMAT} from '../../../src/lib/archive/manifest.js'
import {entryFromBytes} from '../../../src/lib/entry.js'
import {newJobMeta, type JobMeta} from '../../../src/lib/job.js'
import {openArchive} from '../../../src/lib/open/open-store.js'
import {DirectoryBucket} from '../../../src/lib/store/object/directory-bucket.js'
import {readBytes} from '../../../src/lib/store/object/bucket.js'
import {collect, isolatedEnv, runCli, startCli, tempHome} from '../../helpers/cli.js'
import {startRedis, type RedisServer} from '../../helpers/redis-server.js'
import {startS3Server, type S3Server} from '../../helpers/s3-server.js'
import {startSupabaseStandin, type SupabaseStandin} from '../../helpers/supabase-storage-standin.js'
import {parseSse, startServeCli, stopServeCli} from '../../helpers/relay.js'
import {waitUntil} from '../../helpers/wait.js'
import {iterate} from '../../helpers/iterables.js'
import {fixtureRaw, GZIP_FIXTURE, withLive, ZSTD_NODE24_FIXTURE} from './archive-helpers.js'
import {startTogether} from '../../helpers/start-together.js'

let home: {home: string; cleanup: () => void}
let s3: S3Server
let redis: RedisServer
let supabase: SupabaseStandin

beforeAll(async () => {
  home = tempHome()
  ;[s3, redis, supabase] = await startTogether([startS3Server(), startRedis(), startSupabaseStandin()])
  await s3.createBucket('continued')
})

afterAll(async () => {
  await Promise.all([s3?.destroy(), redis?.destroy(), supabase?.stop()])
  home?.cleanup()
})

const env = (): NodeJS.ProcessEnv => isolatedEnv(home.home, {...s3.env(), ...supabase.env(), AWS_EC2_METADATA_DISABLED: 'true'})

/** Run 1 has bytes no text decoder keeps (invalid UTF-8, NUL, ANSI, CRLF) and ends without a newline; run 2 adds an error and a section. */
const RUN1 = Buffer.concat([
  Buffer.from('one 1\nERROR first failure\n'),
  Buffer.from([0x66, 0xff, 0xfe, 0x00, 0x1b, 0x5b, 0x33, 0x31, 0x6d, 0x0d, 0x0a]),
  Buffer.from('one 4 no newline'),
])
const RUN2 = Buffer.from('two 5\n::group::deploy\ntwo 7\n::endgroup::\nERROR second failure\ntwo 10\n')
const RUN3 = Buffer.from('three 11\n')
const LINES = 10

type Case = [name: string, live: (n: string) => string, archive: (n: string) => string]
const CASES: Case[] = [
  ['file store, file archive', (n) => `file://${home.home}/live-${n}`, (n) => `file://${home.home}/archive-${n}`],
  ['redis, s3 archive', (n) => `${redis.url}?prefix=${n}:`, (n) => `s3://continued/${n}`],
  // Objects cut into parts of 64 bytes: the archived run's blocks are copied across parts.
  ['file store, supabase archive in parts', (n) => `file://${home.home}/live-${n}`, (n) => `supabase://continued/${n}?part-size=64`],
]

function cli(live: string, archive: string) {
  const run = (args: string[], input?: Buffer) => runCli([...args, '--store', live, '--archive', archive], {env: env(), input})
  return {
    run,
    push: (job: string, input: Buffer, ...args: string[]) => run(['push', '--job', job, ...args], input),
    raw: async (job: string, ...args: string[]) => (await run(['get', job, '-o', 'raw', ...args])).stdoutBytes,
    json: async (job: string, ...args: string[]) => {
      const result = await run(['get', job, '-o', 'json', ...args])
      expect(result.stderr).toBe('')
      return result.stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as {seq: number; line: string; level: string | null})
    },
    archive: async (...args: string[]) => {
      const result = await run(['archive', '--json', ...args])
      return {...result, summary: JSON.parse(result.stdout || '{}') as ArchiveSummary}
    },
    ls: async () => {
      const result = await run(['ls', '--json'])
      // CI once read an empty stdout here: say what ls said instead.
      expect(result.stdout, `ls --json exit ${result.code}: ${result.stderr}`).not.toBe('')
      return JSON.parse(result.stdout) as Array<{
        id: string
        lines: number
        bytes: number
        createdAt: number
        labels?: Record<string, string>
        levels: Record<string, number>
        location: {kind: string}
        continues?: {createdAt: number; lines: number}
      }>
    },
  }
}

async function archivedLines(archive: string, job: string): Promise<number | undefined> {
  const store = await openArchive({value: archive, from: 'test'}, env())
  try {
    return (await store.head(job))?.meta.lines
  } finally {
    await store.close()
  }
}

/** The job's archived object, all its parts (Supabase's ?part-size=) as one. */
async function archivedObject(archive: string, job: string): Promise<Buffer> {
  const store = (await openArchive({value: archive, from: 'test'}, env())) as BlobArchive
  try {
    const manifest = await store.manifest(job)
    return Buffer.concat(await Promise.all(manifest!.parts.map(async (part) => (await readBytes(store.bucket, part.key))!)))
  } finally {
    await store.close()
  }
}

const liveIds = (live: string): Promise<string[]> => withLive(live, env(), async (store) => (await store.listJobs()).map((job) => job.id))

describe.each(CASES)('a job pushed again after it was archived (%s)', (_name, liveUrl, archiveUrl) => {
  const slug = _name.replace(/[^a-z]+/g, '-')

  it('continues at the next seq; get, ls, -f and tail see one job across the seam; archive writes one object of both runs', async () => {
    const live = liveUrl(`seam-${slug}`)
    const archive = archiveUrl(`seam-${slug}`)
    const logs = cli(live, archive)
    expect((await logs.push('nightly', RUN1, '--label', 'team=a')).code).toBe(0)
    const first = await logs.archive()
    expect(first.summary.archived).toBe(1)
    const created = (await logs.ls())[0].createdAt
    expect((await logs.push('nightly', RUN2, '--label', 'try=2', '--exit-code', '1')).code).toBe(0)
    expect(await liveIds(live)).toEqual(['nightly'])

    // get: the archived lines, then the live ones, numbered on.
    expect((await logs.raw('nightly')).equals(Buffer.concat([RUN1, RUN2]))).toBe(true)
    const all = await logs.json('nightly')
    expect(all.map((e) => e.seq)).toEqual(Array.from({length: LINES}, (_, i) => i + 1))
    expect(all[4].line).toBe('two 5')
    expect((await logs.json('nightly', '--after', '3')).map((e) => e.seq)).toEqual([4, 5, 6, 7, 8, 9, 10])
    expect((await logs.raw('nightly', '--after', '4')).equals(RUN2)).toBe(true)
    // Raw bytes of ranges across the seam: the archived run's, then the live store's as stored.
    const firstOfRun2 = Buffer.from('two 5\n::group::deploy\n')
    expect((await logs.raw('nightly', '--head', '6')).equals(Buffer.concat([RUN1, firstOfRun2]))).toBe(true)
    expect((await logs.raw('nightly', '--after', '3', '--head', '3')).equals(Buffer.concat([Buffer.from('one 4 no newline'), firstOfRun2]))).toBe(true)
    expect((await logs.raw('nightly', '--head', '2')).equals(Buffer.from('one 1\nERROR first failure\n'))).toBe(true)
    expect((await logs.json('nightly', '-n', '8')).map((e) => e.seq)).toEqual([3, 4, 5, 6, 7, 8, 9, 10])
    expect((await logs.json('nightly', '--head', '6')).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6])
    expect((await logs.json('nightly', '--level', 'error')).map((e) => [e.seq, e.line])).toEqual([
      [2, 'ERROR first failure'],
      [9, 'ERROR second failure'],
    ])
    expect((await logs.json('nightly', '--grep', 'failure', '-n', '1')).map((e) => e.seq)).toEqual([9])
    expect((await logs.json('nightly', '--section', 'deploy')).map((e) => e.seq)).toEqual([6, 7, 8])
    expect((await logs.json('nightly', '--since', '1h', '-n', '7')).map((e) => e.seq)).toEqual([4, 5, 6, 7, 8, 9, 10])
    // A glob, and several ids (the same job twice is one job): the same lines, numbered the same.
    expect((await logs.json('night*', '--after', '8')).map((e) => [e.seq, e.line])).toEqual([
      [9, 'ERROR second failure'],
      [10, 'two 10'],
    ])
    expect((await logs.json('nightly', 'nightl?', '--level', 'error')).map((e) => e.seq)).toEqual([2, 9])
    const sections = await logs.run(['sections', 'nightly', '--json'])
    expect((JSON.parse(sections.stdout) as {sections: Array<{title: string; firstSeq: number; lastSeq: number}>}).sections.map((s) => [s.title, s.firstSeq, s.lastSeq])).toEqual([
      ['deploy', 6, 8],
    ])

    // ls: one job, its lines and counts those of both runs, created when the first run was.
    const [listed] = await logs.ls()
    expect(listed).toMatchObject({
      id: 'nightly',
      lines: LINES,
      bytes: RUN1.length + RUN2.length,
      createdAt: created,
      levels: {error: 2},
      labels: {team: 'a', try: '2'},
      location: {kind: 'live'},
    })
    expect(listed.continues).toEqual({createdAt: created, lines: 4})

    // get -f from line 3 of a job that ended, and tail in a pipe: all of it, then exit.
    const followed = await logs.run(['get', 'nightly', '-f', '--after', '2', '-o', 'json'])
    expect(followed.code).toBe(0)
    expect(
      followed.stdout
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as {seq: number}).seq),
    ).toEqual([3, 4, 5, 6, 7, 8, 9, 10])
    const tailed = await logs.run(['tail', 'nightly', '-n', '7'])
    expect(tailed.code).toBe(0)
    // Line 4 was read without a newline: tail prints it as it came, the next line right after it.
    expect(tailed.stdout.startsWith('one 4 no newlinetwo 5\n')).toBe(true)
    expect(tailed.stdout).toContain('ERROR second failure\ntwo 10\n')

    // archive again: one object of both runs, the live copy gone, the same bytes from the archive alone.
    const before = await archivedObject(archive, 'nightly')
    const second = await logs.archive()
    expect(second.summary).toMatchObject({archived: 1, failed: 0})
    expect(second.summary.jobs[0].lines).toBe(LINES)
    expect(await liveIds(live)).toEqual([])
    expect(await archivedLines(archive, 'nightly')).toBe(LINES)
    // The archived run's zstd frames were copied as they were stored, not compressed again.
    const after = await archivedObject(archive, 'nightly')
    expect(after.length).toBeGreaterThan(before.length)
    expect(after.subarray(0, before.length).equals(before)).toBe(true)
    expect((await logs.raw('nightly')).equals(Buffer.concat([RUN1, RUN2]))).toBe(true)
    expect((await logs.json('nightly', '--level', 'error')).map((e) => e.seq)).toEqual([2, 9])
    expect((await logs.json('nightly', '--grep', 'second')).map((e) => e.seq)).toEqual([9])
    const [archived] = await logs.ls()
    expect(archived).toMatchObject({lines: LINES, createdAt: created, labels: {team: 'a', try: '2'}, levels: {error: 2}, location: {kind: 'archived'}})
    expect(archived.continues).toBeUndefined()

    // A third run continues the object of both.
    expect((await logs.push('nightly', RUN3)).code).toBe(0)
    expect((await logs.json('nightly', '-n', '2')).map((e) => [e.seq, e.line])).toEqual([
      [10, 'two 10'],
      [11, 'three 11'],
    ])
    expect((await logs.archive()).summary.archived).toBe(1)
    expect((await logs.raw('nightly')).equals(Buffer.concat([RUN1, RUN2, RUN3]))).toBe(true)
  })

  it('a long new run (many stored chunks): get -o raw gives every byte of both runs, whole or from a seq', async () => {
    const live = liveUrl(`long-${slug}`)
    const archive = archiveUrl(`long-${slug}`)
    const logs = cli(live, archive)
    expect((await logs.push('long', RUN1)).code).toBe(0)
    expect((await logs.archive()).summary.archived).toBe(1)
    // Enough lines for several stream entries (Redis) and several raw reads (file store).
    const run2 = Buffer.from(Array.from({length: 200_000}, (_, i) => `run two line ${i + 5}\n`).join(''))
    expect((await logs.push('long', run2)).code).toBe(0)
    expect((await logs.raw('long')).equals(Buffer.concat([RUN1, run2]))).toBe(true)
    const fromSeq = (await logs.raw('long', '--after', '1000')).toString()
    expect(fromSeq.startsWith(`run two line 1001\n`)).toBe(true)
    expect(fromSeq.split('\n').filter(Boolean)).toHaveLength(200_000 + 4 - 1000)
  })

  it('a follower started on the archived run goes on into the live lines as they are pushed', async () => {
    const live = liveUrl(`follow-${slug}`)
    const archive = archiveUrl(`follow-${slug}`)
    const logs = cli(live, archive)
    expect((await logs.push('follow', RUN1)).code).toBe(0)
    expect((await logs.archive()).summary.archived).toBe(1)
    const push = startCli(['push', '--job', 'follow', '--store', live, '--archive', archive], {env: env()})
    const pushed = collect(push)
    push.stdin!.write('live 5\n')
    await waitUntil(async () => (await logs.json('follow')).length === 5, {what: 'the first live line'})
    const follower = startCli(['get', 'follow', '-f', '-o', 'json', '--after', '1', '--store', live, '--archive', archive], {env: env()})
    const followed = collect(follower)
    let seen = ''
    follower.stdout!.on('data', (chunk: Buffer) => (seen += chunk.toString()))
    await waitUntil(() => seen.includes('"seq":5'), {what: 'the follower at the live line'})
    push.stdin!.end('live 6\n')
    expect((await pushed).code).toBe(0)
    const result = await followed
    expect(result.code).toBe(0)
    expect(
      result.stdout
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as {seq: number; line: string}).seq),
    ).toEqual([2, 3, 4, 5, 6])
  })

  it('kill -9 of archive between the object of both runs and the live delete: every read stays whole, the next run finishes the move', async () => {
    const live = liveUrl(`kill-${slug}`)
    const archive = archiveUrl(`kill-${slug}`)
    const logs = cli(live, archive)
    expect((await logs.push('killed', RUN1)).code).toBe(0)
    expect((await logs.archive()).summary.archived).toBe(1)
    expect((await logs.push('killed', RUN2)).code).toBe(0)
    const killed = await runCli(['archive', '--store', live, '--archive', archive], {env: {...env(), LOGS_FAULT_INJECTION: 'archive-kill-after-upload:1'}})
    expect(killed.signal).toBe('SIGKILL')
    expect(await liveIds(live)).toEqual(['killed'])
    expect(await archivedLines(archive, 'killed')).toBe(LINES)
    expect((await logs.raw('killed')).equals(Buffer.concat([RUN1, RUN2]))).toBe(true)
    expect((await logs.json('killed', '-n', '7')).map((e) => e.seq)).toEqual([4, 5, 6, 7, 8, 9, 10])
    const rerun = await logs.archive()
    expect(rerun.code).toBe(0)
    expect(rerun.summary.jobs[0]).toMatchObject({result: 'archived', resumed: true, lines: LINES})
    expect(await liveIds(live)).toEqual([])
    expect((await logs.raw('killed')).equals(Buffer.concat([RUN1, RUN2]))).toBe(true)
  })

  it('two archivers at once on a continued job: one object of both runs, nothing lost', async () => {
    const live = liveUrl(`two-${slug}`)
    const archive = archiveUrl(`two-${slug}`)
    const logs = cli(live, archive)
    expect((await logs.push('twice', RUN1)).code).toBe(0)
    expect((await logs.archive()).summary.archived).toBe(1)
    expect((await logs.push('twice', RUN2)).code).toBe(0)
    const args = ['archive', '--json', '--store', live, '--archive', archive]
    const [a, b] = await Promise.all([collect(startCli(args, {env: env()})), collect(startCli(args, {env: env()}))])
    const outcomes = [a, b].flatMap((r) => (JSON.parse(r.stdout) as ArchiveSummary).jobs)
    expect(outcomes.filter((o) => o.result === 'archived')).toHaveLength(1)
    expect(
      outcomes.filter((o) => o.result === 'failed'),
      a.stderr + b.stderr,
    ).toEqual([])
    expect(await liveIds(live)).toEqual([])
    expect((await logs.raw('twice')).equals(Buffer.concat([RUN1, RUN2]))).toBe(true)
  })
})

describe('through a relay (logs serve)', () => {
  it('push --url continues the archived run; the history page, SSE and get --url see one job', async () => {
    const live = `file://${home.home}/live-relay`
    const archive = `file://${home.home}/archive-relay`
    const relay = await startServeCli(['--store', live, '--archive', archive], env())
    try {
      const viaRelay = (args: string[], input?: Buffer) => runCli([...args, '--url', relay.url], {env: env(), input})
      expect((await viaRelay(['push', '--job', 'relayed'], RUN1)).code).toBe(0)
      expect((await cli(live, archive).archive()).summary.archived).toBe(1)
      expect((await viaRelay(['push', '--job', 'relayed', '--exit-code', '0'], RUN2)).code).toBe(0)

      const page = (await (await fetch(`${relay.url}/v1/jobs/relayed/logs?after=2`)).json()) as {entries: Array<{seq: number; line: string}>}
      expect(page.entries.map((e) => e.seq)).toEqual([3, 4, 5, 6, 7, 8, 9, 10])
      expect(page.entries[2].line).toBe('two 5')
      const meta = (await (await fetch(`${relay.url}/v1/jobs/relayed`)).json()) as {lines: number; continues: {lines: number}}
      expect(meta).toMatchObject({lines: LINES, continues: {lines: 4}})

      const stream = await fetch(`${relay.url}/v1/jobs/relayed/logs/stream?after=3`)
      const events = parseSse(await stream.text())
      expect(events.filter((e) => e.event === 'log').map((e) => Number(e.id))).toEqual([4, 5, 6, 7, 8, 9, 10])
      expect(events.at(-1)!.event).toBe('end')

      expect((await viaRelay(['get', 'relayed', '-o', 'raw'])).stdoutBytes.equals(Buffer.concat([RUN1, RUN2]))).toBe(true)

      // ls --json says the same of the job through the relay as against the stores (before: no `continues` through the relay).
      const listed = async (result: Promise<{stdout: string}>) => ((JSON.parse((await result).stdout) as JobMeta[]).find((job) => job.id === 'relayed') ?? {}) as JobMeta
      const direct = await listed(runCli(['ls', '--json', '--store', live, '--archive', archive], {env: env()}))
      expect(direct).toMatchObject({lines: LINES, continues: {lines: 4}})
      const relayed = await listed(viaRelay(['ls', '--json']))
      expect({lines: relayed.lines, continues: relayed.continues}).toEqual({lines: direct.lines, continues: direct.continues})

      // An append through the API is answered in the job's numbers.
      const appended = await fetch(`${relay.url}/v1/jobs/relayed/logs?end=1`, {method: 'POST', body: RUN3})
      expect(await appended.json()).toMatchObject({first: LINES + 1, last: LINES + 1})
      const next = (await (await fetch(`${relay.url}/v1/jobs/relayed/logs?after=${LINES}`)).json()) as {entries: Array<{seq: number; line: string}>}
      expect(next.entries.map((e) => [e.seq, e.line])).toEqual([[LINES + 1, 'three 11']])
    } finally {
      await stopServeCli(relay)
    }
  })
})

describe('logs gc and logs rm of a continued job', () => {
  it('gc keeps the archived run while the live run is within retention, then deletes both; rm deletes both', async () => {
    const live = `file://${home.home}/live-gc`
    const archive = `file://${home.home}/archive-gc`
    const logs = cli(live, archive)
    const tenDaysAgo = Date.now() - 10 * 86_400_000
    const age = (job: string) => withLive(live, env(), (store) => store.updateJob(job, {endedAt: tenDaysAgo, updatedAt: tenDaysAgo}))
    expect((await logs.push('kept', RUN1)).code).toBe(0)
    await age('kept')
    expect((await logs.archive()).summary.archived).toBe(1)
    expect((await logs.push('kept', RUN2)).code).toBe(0)
    const gc = async () => (JSON.parse((await logs.run(['gc', '--json'])).stdout) as GcSummary).deleted.map((item) => `${item.kind}:${item.name}`).sort()

    // Its archived run ended ten days ago, but the job did not: nothing of it goes.
    expect(await gc()).toEqual([])
    expect((await logs.raw('kept')).equals(Buffer.concat([RUN1, RUN2]))).toBe(true)

    await age('kept')
    expect(await gc()).toEqual(['archived-job:kept', 'live-job:kept'])
    expect(await liveIds(live)).toEqual([])
    expect(await archivedLines(archive, 'kept')).toBeUndefined()

    expect((await logs.push('removed', RUN1)).code).toBe(0)
    expect((await logs.archive()).summary.archived).toBe(1)
    expect((await logs.push('removed', RUN2)).code).toBe(0)
    const removed = await logs.run(['rm', 'removed', '--json'])
    expect(JSON.parse(removed.stdout)).toMatchObject({removed: [{id: 'removed', from: [{store: 'live'}, {store: 'archive'}]}]})
    expect((await logs.run(['get', 'removed'])).code).toBe(1)
    expect(await archivedLines(archive, 'removed')).toBeUndefined()
  })
})

describe('sections of a job pushed again after it was archived', () => {
  it("the new run's groups are numbered after the archived run's, before and after the next archive", async () => {
    const logs = cli(`file://${home.home}/live-sections`, `file://${home.home}/archive-sections`)
    expect((await logs.push('grouped', Buffer.from('::group::Build\nbuilding\n::endgroup::\n'))).code).toBe(0)
    expect((await logs.archive()).summary.archived).toBe(1)
    expect((await logs.push('grouped', Buffer.from('::group::Build again\nrebuilding\n::endgroup::\n'))).code).toBe(0)
    const names = async () =>
      (JSON.parse((await logs.run(['sections', 'grouped', '--json'])).stdout) as {sections: Array<{name: string; title: string}>}).sections.map((s) => [s.name, s.title])
    const expected = [
      ['github-1', 'Build'],
      ['github-2', 'Build again'],
    ]
    expect(await names()).toEqual(expected)
    expect((await logs.json('grouped', '--section', 'github-2')).map((e) => e.line)).toEqual(['::group::Build again', 'rebuilding', '::endgroup::'])
    expect((await logs.archive()).summary.archived).toBe(1)
    expect(await names()).toEqual(expected)
  })
})

describe('a job archived by the old writer (format 1: one gzip stream, no block index)', () => {
  it('pushed again and archived: one object of both runs, the old run first', async () => {
    const archive = `file://${home.home}/archive-format1`
    const bucket = new DirectoryBucket(`${home.home}/archive-format1`)
    const old = Array.from({length: 3}, (_, i) => entryFromBytes(i + 1, 1000 + i, Buffer.from(`old ${i + 1}`), true))
    const encoded = encodeEntries(iterate(old))
    const objects = await bucket.writeStream('old.jsonl.gz', encoded.stream)
    const stats = await encoded.stats
    const meta = {...newJobMeta('old', 1000), status: 'succeeded' as const, exitCode: 0, endedAt: 2000, updatedAt: 2000, lines: 3, bytes: 15, firstTs: 1000, lastTs: 1002}
    const manifest = {
      format: MANIFEST_FORMAT,
      id: 'old',
      parts: objects,
      size: objects[0].size,
      compressedSha256: '',
      sha256: stats.sha256,
      contentBytes: stats.contentBytes,
      lines: 3,
      archivedAt: 2000,
      meta,
    }
    await bucket.writeBytes('old.meta.json', encodeManifest(manifest as Parameters<typeof encodeManifest>[0]))
    const logs = cli(`file://${home.home}/live-format1`, archive)
    expect((await logs.push('old', RUN2)).code).toBe(0)
    const archived = await logs.archive()
    expect(archived.summary).toMatchObject({archived: 1, failed: 0})
    expect((await logs.raw('old')).toString()).toBe(`old 1\nold 2\nold 3\n${RUN2.toString()}`)
    expect((await logs.json('old')).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9])
  })
})

describe('labels of a continued job', () => {
  it('ls -l selects the whole job by the labels of either run', async () => {
    const logs = cli(`file://${home.home}/live-labels`, `file://${home.home}/archive-labels`)
    expect((await logs.push('labelled', RUN1, '--label', 'team=a')).code).toBe(0)
    expect((await logs.archive()).summary.archived).toBe(1)
    expect((await logs.push('labelled', RUN2, '--label', 'env=prod')).code).toBe(0)
    for (const selector of ['team=a', 'env=prod', 'team=a,env=prod']) {
      const listed = JSON.parse((await logs.run(['ls', '--json', '-l', selector])).stdout)
      expect({selector, listed}).toEqual({
        selector,
        listed: [expect.objectContaining({id: 'labelled', lines: LINES, location: {kind: 'live'}, labels: {team: 'a', env: 'prod'}})],
      })
    }
    expect((await logs.run(['ls', '-l', 'team=b'])).stdout).toBe('')
  })
})

describe('a continued job whose live store gives fewer lines than it counts', () => {
  it('is not archived, and its archived run stays whole (the object of both runs is never put in its place)', async () => {
    const archive = `s3://continued/short`
    const logs = cli(`${redis.url}?prefix=short:`, archive)
    expect((await logs.push('short', RUN1)).code).toBe(0)
    expect((await logs.archive()).summary.archived).toBe(1)
    expect((await logs.push('short', RUN2)).code).toBe(0)
    const [id] = (await redis.cli('xrange', 'short:{short}:log', '-', '+', 'COUNT', '1')).split('\n')
    expect(await redis.cli('xdel', 'short:{short}:log', id)).toBe('1')
    const refused = await logs.archive()
    expect(refused.code).toBe(1)
    expect(refused.summary.jobs[0].reason).toMatch(/failed verification: the live store gave 4 entries \(seq 1\.\.4\), its metadata counts 10/)
    expect((await runCli(['get', 'short', '-o', 'raw', '--store', `file://${home.home}/live-none`, '--archive', archive], {env: env()})).stdoutBytes.equals(RUN1)).toBe(true)
  })
})

describe('a run pushed where push could not see the archive', () => {
  it('starts at line 1, and archive refuses it naming both runs and how to resolve it', async () => {
    const live = `file://${home.home}/live-blind`
    const archive = `file://${home.home}/archive-blind`
    const logs = cli(live, archive)
    expect((await logs.push('blind', RUN1)).code).toBe(0)
    expect((await logs.archive()).summary.archived).toBe(1)
    // Pushed with the default archive, not the one the job was archived to.
    expect((await runCli(['push', '--job', 'blind', '--store', live], {env: env(), input: RUN2})).code).toBe(0)
    const refused = await logs.archive()
    expect(refused.code).toBe(1)
    const reason = refused.summary.jobs[0].reason!
    expect(reason).toMatch(
      /job blind was not archived: the archive already holds another run of it \(created .*, 4 lines\), which this one \(created .*, 6 lines, numbered from 1\) would replace; both are kept/,
    )
    expect(reason).toContain(`push runs of the job with --archive ${archive} (or LOGS_ARCHIVE) and they continue it`)
    expect(reason).toContain(`logs rm blind --from live --store ${live}`)
    expect(await liveIds(live)).toEqual(['blind'])
    expect((await runCli(['get', 'blind', '-o', 'raw', '--store', `file://${home.home}/live-none`, '--archive', archive], {env: env()})).stdoutBytes.equals(RUN1)).toBe(true)

    // What the message says to do: this run under an id of its own, then dropped from the live store only.
    const copied = await runCli(['get', 'blind', '--store', live, '-o', 'raw'], {env: env()})
    expect((await runCli(['push', '--job', 'blind-2', '--store', live], {env: env(), input: copied.stdoutBytes})).code).toBe(0)
    const removed = await logs.run(['rm', 'blind', '--from', 'live', '--json'])
    expect(removed.code).toBe(0)
    expect(JSON.parse(removed.stdout)).toMatchObject({removed: [{id: 'blind', from: [{store: 'live'}]}]})
    expect((await logs.archive()).summary).toMatchObject({archived: 1, failed: 0})
    expect((await logs.raw('blind')).equals(RUN1)).toBe(true)
    expect((await logs.raw('blind-2')).equals(RUN2)).toBe(true)
    expect((await logs.run(['rm', 'blind', '--from', 'live'])).code).toBe(1) // no live copy left
  })
})

/** A copy of a fixture's archive in the test's home (archive-NAME), and the CLI over it with an empty live store. */
function fromFixture(fixture: string, name: string) {
  const root = `${home.home}/archive-${name}`
  mkdirSync(root, {recursive: true})
  for (const file of readdirSync(fixture)) copyFileSync(join(fixture, file), join(root, file))
  return {root, logs: cli(`file://${home.home}/live-${name}`, `file://${root}`)}
}

describe('a job archived on Node 24 in frames that declare no size (test/fixtures/archive-zstd-node24)', () => {
  it('is read on every Node, Node 20 (WebAssembly zstd) as well', async () => {
    const {root, logs} = fromFixture(ZSTD_NODE24_FIXTURE, 'zstd-node24')
    expect((await logs.ls()).map((job) => [job.id, job.location.kind])).toEqual([['node24-zstd', 'archived']])
    const raw = await logs.run(['get', 'node24-zstd', '--output', 'raw'])
    expect([raw.code, raw.stderr]).toEqual([0, ''])
    expect(raw.stdoutBytes.equals(fixtureRaw())).toBe(true)
    expect((await logs.json('node24-zstd', '--grep', 'step 4500 ')).map((e) => e.seq)).toEqual([4501])
    expect((await logs.json('node24-zstd', '--level', 'error')).map((e) => e.seq)).toEqual([1001, 2001, 3001, 4001, 5001, 6001])
    expect((await logs.json('node24-zstd', '-n', '1')).map((e) => e.line)).toEqual(['done'])
    // Without its index, the object is read from the start, frame by frame: the same bytes.
    rmSync(join(root, 'node24-zstd.jsonl.zst.idx'))
    const scanned = await logs.run(['get', 'node24-zstd', '--output', 'raw'])
    expect([scanned.code, scanned.stderr]).toEqual([0, ''])
    expect(scanned.stdoutBytes.equals(fixtureRaw())).toBe(true)
  })
})

describe('a job archived as gzip blocks (format 2 before zstd: test/fixtures/archive-gzip-v2)', () => {
  it('is read as it is, and pushed again and archived: one zstd object of both runs, the gzip one deleted', async () => {
    const {root, logs} = fromFixture(GZIP_FIXTURE, 'gzip-v2')
    const objects = () => readdirSync(root).filter((name) => name.startsWith('old-gzip'))
    expect((await logs.ls()).map((job) => [job.id, job.location.kind])).toEqual([['old-gzip', 'archived']])
    expect((await logs.raw('old-gzip')).equals(fixtureRaw())).toBe(true)
    expect((await logs.json('old-gzip', '--grep', 'step 4500 ')).map((e) => e.seq)).toEqual([4501])

    expect((await logs.push('old-gzip', RUN2)).code).toBe(0)
    expect((await logs.archive()).summary).toMatchObject({archived: 1, failed: 0})
    expect(objects()).toEqual(['old-gzip.jsonl.zst', 'old-gzip.jsonl.zst.idx', 'old-gzip.meta.json'])
    expect((await logs.raw('old-gzip')).equals(Buffer.concat([fixtureRaw(), RUN2]))).toBe(true)
    expect((await logs.json('old-gzip', '--level', 'error')).map((e) => e.seq)).toEqual([1001, 2001, 3001, 4001, 5001, 6001, 6008])
    expect((await logs.json('old-gzip', '--grep', 'step 4500 |second')).map((e) => e.seq)).toEqual([4501, 6008])
    // The standard tool alone reads the whole object: the gzip run's blocks were compressed again as zstd frames.
    const records = execFileSync('zstd', ['-dcq', join(root, 'old-gzip.jsonl.zst')])
      .toString()
      .trimEnd()
      .split('\n')
    expect(records.map((record) => (JSON.parse(record) as {line: string}).line)).toEqual(Buffer.concat([fixtureRaw(), RUN2]).toString().trimEnd().split('\n'))

    // An archive killed between the new manifest and deleting the gzip object leaves it behind: gc takes it, once a day old.
    copyFileSync(join(GZIP_FIXTURE, 'old-gzip.jsonl.gz'), join(root, 'old-gzip.jsonl.gz'))
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000)
    utimesSync(join(root, 'old-gzip.jsonl.gz'), twoDaysAgo, twoDaysAgo)
    const gc = JSON.parse((await logs.run(['gc', '--older-than', '1h', '--json'])).stdout) as GcSummary
    expect(gc.deleted.map((item) => [item.kind, item.name])).toEqual([['orphan-object', 'old-gzip.jsonl.gz']])
    expect(objects()).toEqual(['old-gzip.jsonl.zst', 'old-gzip.jsonl.zst.idx', 'old-gzip.meta.json'])
    expect((await logs.run(['archive', '--reindex'])).code).toBe(0)
    expect((await logs.run(['rm', 'old-gzip'])).code).toBe(0)
    expect(objects()).toEqual([])
  })
})
