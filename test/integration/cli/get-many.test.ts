/**
 * `logs get a b 'glob-*'`: several jobs, live and archived alike, merged by time (ties by
 * job, then seq) or --by-job, every filter across them — the built CLI against the file
 * store, redis-server, s3rver and the Supabase stand-in.
 */
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {NewEntry} from '../../../src/lib/entry.js'
import {collect, isolatedEnv, runCli, startCli, tempHome} from '../../helpers/cli.js'
import {startRedis, type RedisServer} from '../../helpers/redis-server.js'
import {startS3Server, type S3Server} from '../../helpers/s3-server.js'
import {startSupabaseStandin, type SupabaseStandin} from '../../helpers/supabase-storage-standin.js'
import {withLive} from '../archive/archive-helpers.js'
import {waitUntil} from '../../helpers/wait.js'
import {startTogether} from '../../helpers/start-together.js'

let home: {home: string; cleanup: () => void}
let s3: S3Server
let supabase: SupabaseStandin
let redis: RedisServer

beforeAll(async () => {
  home = tempHome()
  ;[s3, supabase, redis] = await startTogether([startS3Server(), startSupabaseStandin(), startRedis()])
  await s3.createBucket('archive')
})

afterAll(async () => {
  await Promise.all([s3?.destroy(), supabase?.stop(), redis?.destroy()])
  home?.cleanup()
})

const env = (): NodeJS.ProcessEnv => isolatedEnv(home.home, {...s3.env(), ...supabase.env(), AWS_EC2_METADATA_DISABLED: 'true'})
const BASE = Date.parse('2026-03-01T10:00:00Z')
const at = (ms: number): string => new Date(BASE + ms).toISOString()

type Line = [ms: number, text: string, extra?: Partial<NewEntry>]
const JOBS: Record<string, Line[]> = {
  'a-1': [
    [0, 'a1 start'],
    [10, 'ERROR a1 boom', {level: 'error', stream: 'stderr'}],
    [20, 'a1 done'],
  ],
  'a-2': [
    [5, 'a2 start'],
    [10, 'a2 tie'],
    [30, 'WARN a2 slow', {level: 'warn'}],
  ],
  'b-1': [
    [15, 'b1 hello OutOfMemoryError'],
    [25, 'b1 bye'],
  ],
}

async function seed(live: string): Promise<void> {
  await withLive(live, env(), async (store) => {
    for (const [id, lines] of Object.entries(JOBS)) {
      await store.startJob(id, {labels: {team: id.startsWith('a') ? 'a' : 'b'}})
      await store.append(
        id,
        lines.map(([ms, text, extra]) => ({ts: BASE + ms, bytes: Buffer.from(text), eol: true, ...extra})),
      )
      await store.endJob(id, {status: 'succeeded', exitCode: 0})
    }
  })
}

const MERGED = ['a-1 a1 start', 'a-2 a2 start', 'a-1 ERROR a1 boom', 'a-2 a2 tie', 'b-1 b1 hello OutOfMemoryError', 'a-1 a1 done', 'b-1 b1 bye', 'a-2 WARN a2 slow']

describe.each([
  ['file → file archive', () => `file://${home.home}/live-ff`, () => `file://${home.home}/archive-ff`],
  ['redis → s3 (s3rver)', () => `${redis.url}?prefix=many:`, () => 's3://archive/many'],
  ['file → supabase (stand-in)', () => `file://${home.home}/live-fu`, () => 'supabase://archive/many'],
])('logs get over several jobs: %s', (_name, liveUrl, archiveUrl) => {
  const get = async (...args: string[]) => {
    const result = await runCli(['get', '--store', liveUrl(), '--archive', archiveUrl(), ...args], {env: env()})
    return result
  }
  const lines = async (...args: string[]) => {
    const result = await get(...args)
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    return result.stdout.split('\n').filter(Boolean)
  }

  beforeAll(async () => {
    await seed(liveUrl())
    // a-2 and b-1 archived, a-1 still live: a query spans both.
    const archived = await runCli(['archive', '--store', liveUrl(), '--archive', archiveUrl(), '--job', 'a-2', '--job', 'b-1'], {env: env()})
    expect(archived.code, archived.stderr).toBe(0)
  })

  it('ids and globs merge by time, ties by job, each line prefixed; one plain id keeps the bare output', async () => {
    expect(await lines('a-1', 'a-2', 'b-*')).toEqual(MERGED)
    expect(await lines('*')).toEqual(MERGED)
    expect(await lines('a-1')).toEqual(['a1 start', 'ERROR a1 boom', 'a1 done'])
    expect(await lines('a-2')).toEqual(['a2 start', 'a2 tie', 'WARN a2 slow'])
    // A name given twice, or also matched by a glob, is read once.
    expect(await lines('b-1', 'b-*', 'b-1')).toEqual(['b-1 b1 hello OutOfMemoryError', 'b-1 b1 bye'])
  })

  it('--by-job: one job after another, ids in the order given, glob matches by id', async () => {
    expect(await lines('b-1', 'a-*', '--by-job')).toEqual([
      'b-1 b1 hello OutOfMemoryError',
      'b-1 b1 bye',
      'a-1 a1 start',
      'a-1 ERROR a1 boom',
      'a-1 a1 done',
      'a-2 a2 start',
      'a-2 a2 tie',
      'a-2 WARN a2 slow',
    ])
    // -n and --head count per job with --by-job, over the merged output without it.
    expect(await lines('*', '--by-job', '-n', '1')).toEqual(['a-1 a1 done', 'a-2 WARN a2 slow', 'b-1 b1 bye'])
    expect(await lines('*', '-n', '2')).toEqual(MERGED.slice(-2))
    expect(await lines('*', '--head', '3')).toEqual(MERGED.slice(0, 3))
  })

  it('JSON adds the job; raw is the bytes alone, in the same order', async () => {
    const records = (await lines('*', '-o', 'json')).map((line) => JSON.parse(line) as {job: string; seq: number; line: string; ts: number})
    expect(records.map((r) => `${r.job} ${r.line}`)).toEqual(MERGED)
    expect(records[3]).toMatchObject({job: 'a-2', seq: 2, ts: BASE + 10})
    const raw = await get('*', '-o', 'raw')
    expect(raw.stdout).toBe(MERGED.map((line) => `${line.slice(4)}\n`).join(''))
  })

  it('every filter applies to each job: --level, --grep, -i, --exclude, --stream, --since/--until, -A', async () => {
    expect(await lines('*', '--level', 'warn')).toEqual(['a-1 ERROR a1 boom', 'a-2 WARN a2 slow'])
    expect(await lines('*', '--level', '=warn')).toEqual(['a-2 WARN a2 slow'])
    expect(await lines('*', '-i', '--grep', 'outofmemory')).toEqual(['b-1 b1 hello OutOfMemoryError'])
    expect(await lines('*', '--grep', 'OutOfMemoryError')).toEqual(['b-1 b1 hello OutOfMemoryError'])
    expect(await lines('*', '--grep', 'needle-absent')).toEqual([])
    expect(await lines('*', '--exclude', 'a1', '--exclude', 'b1')).toEqual(['a-2 a2 start', 'a-2 a2 tie', 'a-2 WARN a2 slow'])
    expect(await lines('*', '--stream', 'stderr')).toEqual(['a-1 ERROR a1 boom'])
    expect(await lines('*', '--since', at(10), '--until', at(25))).toEqual(MERGED.slice(2, 6))
    expect(await lines('*', '--grep', 'start', '-A', '1')).toEqual(['a-1 a1 start', 'a-2 a2 start', 'a-1 ERROR a1 boom', 'a-2 a2 tie'])
  })

  it('a job that is not there is exit 1 naming it; --exit-code without -f on several is exit 2', async () => {
    const missing = await get('a-1', 'nope-9')
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(/job nope-9 not found/)
    const usage = await get('a-1', 'a-2', '--exit-code')
    expect(usage.code).toBe(2)
    expect(usage.stderr).toMatch(/--exit-code works on one job/)
    const badGlob = await get('a-1', 'bad/glob*')
    expect(badGlob.code).toBe(2)
  })

  it('a glob that matches no job is exit 1 naming it, as an id not found; beside globs that match, a warning', async () => {
    // Before: nothing printed, exit 0.
    const none = await get('x-*')
    expect([none.code, none.stdout]).toEqual([1, ''])
    expect(none.stderr).toMatch(
      /^logs: no job matches 'x-\*' in \S+ or \S+\n {2}hint: run `logs ls` to see the jobs there; `logs get -f` and `logs tail` wait for a matching job to start\n$/,
    )
    const nor = await get('x-*', 'y-*', '--by-job')
    expect(nor.code).toBe(1)
    expect(nor.stderr).toMatch(/no job matches 'x-\*' or 'y-\*'/)
    const some = await get('b-*', 'x-*')
    expect([some.code, some.stdout, some.stderr]).toEqual([0, 'b-1 b1 hello OutOfMemoryError\nb-1 b1 bye\n', "logs: warning: no job matches 'x-*'\n"])
    // Jobs that match but hold no wanted line are not a failure (as for one job).
    expect(await lines('b-*', '--grep', 'needle-absent')).toEqual([])
  })
})

describe('logs get over several jobs on the file store', () => {
  const sandbox = {env: () => isolatedEnv(home.home, {LOGS_STORE: `file://${home.home}/live-follow`, LOGS_ARCHIVE: `file://${home.home}/archive-follow`})}

  it('--section picks each job’s sections of that name; jobs without one give nothing', async () => {
    const push = (job: string, input: string) => runCli(['push', '--job', job, '--exit-code', '0'], {env: sandbox.env(), input})
    expect((await push('s-1', '::group::Build\nbuilding s1\n::endgroup::\n::group::Test\ntesting s1\n::endgroup::\n')).code).toBe(0)
    expect((await push('s-2', '::group::Test\ntesting s2\n::endgroup::\n')).code).toBe(0)
    expect((await push('s-3', 'no sections here\n')).code).toBe(0)
    const result = await runCli(['get', 's-*', '--section', 'Test', '--grep', 'testing'], {env: sandbox.env()})
    expect(result.stderr).toBe('')
    expect(result.stdout).toBe('s-1 testing s1\ns-2 testing s2\n')
  })

  it('a damaged archived job does not stop the others: their lines, then the job and block named, exit 1', async () => {
    for (const job of ['d-1', 'd-2', 'd-3']) {
      const pushed = await runCli(['push', '--job', job, '--exit-code', '0'], {env: sandbox.env(), input: `${job} one\n${job} two\n`})
      expect(pushed.code).toBe(0)
    }
    expect((await runCli(['archive'], {env: sandbox.env()})).code).toBe(0)
    const object = join(home.home, 'archive-follow', 'd-2.jsonl.zst')
    const data = readFileSync(object)
    data.fill(0x55, 12, data.length - 8)
    writeFileSync(object, data)
    const result = await runCli(['get', 'd-*'], {env: sandbox.env()})
    expect(result.stdout).toBe('d-1 d-1 one\nd-1 d-1 two\nd-3 d-3 one\nd-3 d-3 two\n')
    expect(result.stderr).toMatch(/job d-2: block 0 .*could not be read/)
    expect(result.code).toBe(1)
  })

  it('-f follows several jobs merged until every one has ended, with the first failure as --exit-code', async () => {
    await withLive(`file://${home.home}/live-follow`, sandbox.env(), async (store) => {
      await store.startJob('f-1')
      await store.append('f-1', [{ts: Date.now(), bytes: Buffer.from('f1 first'), eol: true}])
    })
    const done = await runCli(['push', '--job', 'f-2', '--exit-code', '0'], {env: sandbox.env(), input: 'f2 only\n'})
    expect(done.code).toBe(0)
    const child = startCli(['get', 'f-*', '-f', '--exit-code'], {env: sandbox.env()})
    const result = collect(child)
    let seen = ''
    child.stdout!.on('data', (chunk: Buffer) => (seen += chunk.toString()))
    await waitUntil(() => seen.includes('f1 first') && seen.includes('f2 only'), {what: 'the history of both jobs'})
    await withLive(`file://${home.home}/live-follow`, sandbox.env(), async (store) => {
      await store.append('f-1', [{ts: Date.now(), bytes: Buffer.from('f1 later'), eol: true}])
      await store.endJob('f-1', {status: 'failed', exitCode: 7})
    })
    const {code, stdout, stderr} = await result
    expect(stderr).toBe('')
    expect(stdout.split('\n').filter(Boolean).sort()).toEqual(['f-1 f1 first', 'f-1 f1 later', 'f-2 f2 only'])
    expect(code).toBe(7)
    const unsupported = await runCli(['get', 'f-*', '-f', '--head', '1'], {env: sandbox.env()})
    expect(unsupported.code).toBe(2)
    expect(unsupported.stderr).toMatch(/--head does not work with -f on several jobs/)
  })
})
