/**
 * Round trips at scale: one seeded input of 5 MB (test/helpers/scaled-input.ts: text and
 * JSON lines, CRLF, invalid UTF-8, NUL, ANSI, multi-byte UTF-8, section markers, a stack
 * trace, secrets, a line over 64 KiB and one over 1 MiB, no newline at the end) goes in by
 * every way a user has — the file store, Redis (plain, TLS, cluster), S3, Supabase and Vercel
 * Blob as live stores, a relay (`push --url`), `logs run` — from a regular file, a pipe or a
 * trickle of small writes, many reads each. What comes back must be the input, secrets
 * masked: `get --output raw` byte for byte, `--output json` entry by entry (gapless seqs,
 * levels, records, partial pieces), the ranges (`-n`, `--head`, `--after`), `--grep` and
 * `--level`, the job's metadata and sections; again after `logs archive` (file://, S3,
 * Supabase); and a follower started before the push (`get -f`, piped `tail`) sees every
 * line once.
 */
import {closeSync, mkdirSync, openSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {collect, isolatedEnv, runCli, startCli, tempHome, type CliResult} from '../../helpers/cli.js'
import {makeTlsFiles, startRedis, startRedisCluster, type RedisCluster, type RedisServer} from '../../helpers/redis-server.js'
import {startServeCli, stopServeCli} from '../../helpers/relay.js'
import {scaledInput, type ExpectedEntry} from '../../helpers/scaled-input.js'
import {seededRandom} from '../../helpers/seeded-random.js'
import {startS3Server, type S3Server} from '../../helpers/s3-server.js'
import {startSupabaseStandin, type SupabaseStandin} from '../../helpers/supabase-storage-standin.js'
import {startVercelBlobStandin, type VercelBlobStandin} from '../../helpers/vercel-blob-standin.js'
import {startTogether} from '../../helpers/start-together.js'

const scaled = scaledInput()

type Feed = 'file' | 'pipe' | 'trickle'

interface Way {
  name: string
  /** Where the job lives: flags for push and get. */
  store: () => string[]
  feed: Feed
  /** `logs run -- cat FILE` instead of push. */
  run?: boolean
  /** Followers started before the push: `get -f -o raw`, and piped `tail`. */
  follow?: boolean
  /** Archived after the checks, then checked again there. */
  archive?: () => string
}

let home: {home: string; cleanup: () => void}
let redis: RedisServer
let cluster: RedisCluster
let s3: S3Server
let supabase: SupabaseStandin
let blob: VercelBlobStandin
let relay: Awaited<ReturnType<typeof startServeCli>>
let inputFile: string
let env: NodeJS.ProcessEnv

const WAYS: Way[] = [
  {name: 'file store, stdin a regular file', store: () => [], feed: 'file', archive: () => `file://${join(home.home, 'archive')}`},
  {name: 'file store, a pipe', store: () => [], feed: 'pipe', follow: true},
  {name: 'file store, a trickle', store: () => [], feed: 'trickle'},
  {name: 'redis, stdin a regular file', store: () => ['--store', redis.url], feed: 'file', archive: () => 's3://archive/from-redis'},
  {name: 'redis, a trickle', store: () => ['--store', redis.url], feed: 'trickle', follow: true},
  {name: 'redis over TLS, a pipe', store: () => ['--store', redis.tlsUrl!], feed: 'pipe'},
  {name: 'redis cluster, a pipe', store: () => ['--store', cluster.url], feed: 'pipe'},
  {name: 's3 live store, a pipe', store: () => ['--store', 's3://live/pushed', '--archive', 's3://live/pushed'], feed: 'pipe', follow: true},
  // Parts smaller than a chunk object: each chunk is stored as several objects.
  {name: 'supabase live store, stdin a regular file', store: () => ['--store', SUPABASE_PARTS, '--archive', SUPABASE_PARTS], feed: 'file'},
  {name: 'vercel blob live store, a trickle', store: () => ['--store', 'vercel-blob://live/pushed', '--archive', 'vercel-blob://live/pushed'], feed: 'trickle'},
  {name: 'a relay (push --url), a trickle', store: () => ['--url', relay.url], feed: 'trickle', follow: true, archive: () => 'supabase://archive/from-relay'},
  {name: 'logs run -- cat FILE', store: () => [], feed: 'file', run: true, archive: () => `file://${join(home.home, 'archive')}`},
]
const SUPABASE_PARTS = 'supabase://live/parts?part-size=65536'

beforeAll(async () => {
  home = tempHome()
  const certs = join(home.home, 'certs')
  mkdirSync(certs)
  const tls = await makeTlsFiles(certs)
  ;[redis, cluster, s3, supabase, blob] = await startTogether([startRedis({tls}), startRedisCluster(3), startS3Server(), startSupabaseStandin(), startVercelBlobStandin()])
  await Promise.all([s3.createBucket('live'), s3.createBucket('archive')])
  env = isolatedEnv(home.home, {...s3.env(), ...supabase.env(), ...blob.env(), ...scaled.env, AWS_EC2_METADATA_DISABLED: 'true', NODE_EXTRA_CA_CERTS: tls.ca})
  relay = await startServeCli([], isolatedEnv(join(home.home, 'relay')))
  inputFile = join(home.home, 'input.log')
  writeFileSync(inputFile, scaled.input)
}, 180_000)

afterAll(async () => {
  if (relay) await stopServeCli(relay)
  await Promise.all([redis?.destroy(), cluster?.destroy(), s3?.destroy(), supabase?.stop(), blob?.stop()])
  home?.cleanup()
})

const logs = (args: string[]) => runCli(args, {env, timeout: 120_000})

/** push (or run) the input into the job the way says, with its own feed. */
async function capture(way: Way, job: string): Promise<CliResult> {
  const args = way.run
    ? ['run', '--job', job, '--mask-env', 'SCALED_SECRET', ...way.store(), '--', 'cat', inputFile]
    : ['push', '--job', job, '--mask-env', 'SCALED_SECRET', '--flush-interval', '200ms', ...way.store()]
  if (way.run || way.feed === 'file') {
    const fd = openSync(inputFile, 'r')
    try {
      return await collect(startCli(args, {env, stdio: [way.run ? 'ignore' : fd, 'pipe', 'pipe']}), 120_000)
    } finally {
      closeSync(fd)
    }
  }
  const child = startCli(args, {env})
  const done = collect(child, 120_000)
  if (way.feed === 'pipe') child.stdin!.end(scaled.input)
  else await trickle(child.stdin!, scaled.input)
  return done
}

/** Small writes of 1 to 3000 bytes, each waited for, with a pause now and then: thousands of reads. */
async function trickle(stdin: NodeJS.WritableStream, input: Buffer): Promise<void> {
  const random = seededRandom(17)
  for (let at = 0, n = 0; at < input.length; n++) {
    const size = 1 + Math.floor(random() * 3000)
    await new Promise<void>((resolve, reject) => stdin.write(input.subarray(at, at + size), (error) => (error ? reject(error) : resolve())))
    at += size
    if (n % 64 === 63) await new Promise((resolve) => setImmediate(resolve))
  }
  stdin.end()
}

interface Got {
  seq: number
  level: string | null
  stream: string | null
  line: string
  bytes?: string
  partial?: true
  record?: string
}

const rawOf = (entries: ExpectedEntry[]) => Buffer.concat(entries.flatMap((e) => (e.eol ? [e.bytes, Buffer.from('\n')] : [e.bytes])))
const textOf = (e: ExpectedEntry) => e.bytes.toString('utf8')
const parse = (result: CliResult): Got[] =>
  result.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Got)

/**
 * An over-long line's pieces end where the masker lets them (a piece is not cut inside what
 * may begin a secret, LineMasker.pieceEnd), so a piece is compared with its bytes as the
 * rest of its line: the bytes each piece of a line holds, joined, must be the line's.
 */
function joinedPieces<T>(entries: T[], bytesOf: (entry: T) => Buffer, partial: (entry: T) => boolean): Buffer[] {
  const joined: Buffer[] = []
  for (let i = 0; i < entries.length;) {
    let end = i
    while (end < entries.length - 1 && partial(entries[end])) end++
    const whole = Buffer.concat(entries.slice(i, end + 1).map(bytesOf))
    for (let j = i; j <= end; j++) joined.push(end === i ? whole : Buffer.concat([Buffer.from(`piece ${j - i + 1} of ${end - i + 1}: `), whole]))
    i = end + 1
  }
  return joined
}

/** The entries as `--output json` must give them, field by field (mismatches listed, at most 5). */
function mismatches(got: Got[], want: ExpectedEntry[], stream: string | null, records = true): string[] {
  const problems: string[] = []
  if (got.length !== want.length) problems.push(`${got.length} entries, expected ${want.length}`)
  const bytesOfGot = (g: Got) => (g.bytes === undefined ? Buffer.from(g.line, 'utf8') : Buffer.from(g.bytes, 'base64'))
  const gotBytes = joinedPieces(got, bytesOfGot, (g) => g.partial === true)
  const wantBytes = joinedPieces(
    want,
    (e) => e.bytes,
    (e) => !e.eol,
  )
  for (let i = 0; i < Math.min(got.length, want.length) && problems.length < 5; i++) {
    const g = got[i]
    const e = want[i]
    const wrong = [
      g.seq !== e.seq && `seq ${g.seq}`,
      g.level !== e.level && `level ${g.level} (expected ${e.level})`,
      g.stream !== stream && `stream ${g.stream}`,
      (g.partial === true) === e.eol && `partial ${g.partial}`,
      records && (g.record ?? null) !== (e.record ?? null) && `record ${g.record} (expected ${e.record})`,
      !gotBytes[i].equals(wantBytes[i]) && `bytes ${JSON.stringify(g.line.slice(0, 80))} (expected ${JSON.stringify(textOf(e).slice(0, 80))})`,
    ].filter(Boolean)
    if (wrong.length > 0) problems.push(`entry ${e.seq}: ${wrong.join(', ')}`)
  }
  return problems
}

const all = scaled.entries
const last = all.length
const GREP = 'item 1[0-9]{3} in'
const grepped = all.filter((e) => new RegExp(GREP).test(textOf(e)))
const errors = all.filter((e) => e.level === 'error')
const levels: Record<string, number> = {}
for (const e of all) if (e.level) levels[e.level] = (levels[e.level] ?? 0) + 1

/** Every query a way's job must answer as the input says, wherever it lives now. */
async function checkJob(job: string, flags: string[], stream: string | null, where: string): Promise<void> {
  const get = (args: string[]) => logs(['get', job, ...flags, ...args])
  const [raw, json, tail, head, after, grep, level, listed, sections] = await Promise.all([
    get(['--output', 'raw']),
    get(['--output', 'json']),
    get(['-n', '100', '--output', 'raw']),
    get(['--head', '100', '--output', 'json']),
    get(['--after', String(last - 1000), '--head', '50', '--output', 'raw']),
    get(['--grep', GREP, '--output', 'json']),
    get(['--level', 'error', '-n', '5', '--output', 'json']),
    logs(['ls', '--json', '--prefix', job, ...flags]),
    logs(['sections', job, '--json', ...flags]),
  ])
  for (const [name, result] of Object.entries({raw, json, tail, head, after, grep, level, listed, sections})) {
    expect(result.stderr, `${where}: ${name}`).toBe('')
    expect(result.code, `${where}: ${name}`).toBe(0)
  }
  expect(raw.stdoutBytes.equals(scaled.stored), `${where}: raw is the input, secrets masked (${raw.stdoutBytes.length} bytes, expected ${scaled.stored.length})`).toBe(true)
  expect(mismatches(parse(json), all, stream), `${where}: json`).toEqual([])
  expect(tail.stdoutBytes.equals(rawOf(all.slice(-100))), `${where}: -n 100 raw`).toBe(true)
  expect(mismatches(parse(head), all.slice(0, 100), stream), `${where}: --head 100`).toEqual([])
  expect(after.stdoutBytes.equals(rawOf(all.slice(last - 1000, last - 950))), `${where}: --after --head raw`).toBe(true)
  // A record's first line whose continuation --grep skipped may stay unmarked (README).
  expect(mismatches(parse(grep), grepped, stream, false), `${where}: --grep`).toEqual([])
  expect(mismatches(parse(level), errors.slice(-5), stream, false), `${where}: --level error -n 5`).toEqual([])
  const meta = (JSON.parse(listed.stdout) as Array<{id: string; lines: number; bytes: number; masked?: number; levels: Record<string, number>}>).find((j) => j.id === job)
  expect(meta, `${where}: ls`).toMatchObject({lines: last, bytes: scaled.stored.length, masked: scaled.masked, levels})
  const shape = JSON.parse(sections.stdout) as {sections: Array<Record<string, unknown>>}
  const github = shape.sections.filter((s) => s.family === 'github')
  expect(github.length, `${where}: ::group:: sections`).toBe(scaled.groups)
  for (const section of github) expect(section, `${where}: a ::group:: section`).toMatchObject({lines: 3, levels: {info: 1}})
}

/** `get -f -o raw` and piped `tail`, started before the job exists: resolves once both say they wait for it. */
async function followers(job: string, flags: string[]) {
  const children = [
    startCli(['get', job, ...flags, '-f', '--output', 'raw'], {env, stdio: ['ignore', 'pipe', 'pipe']}),
    startCli(['tail', job, ...flags], {env, stdio: ['ignore', 'pipe', 'pipe']}),
  ]
  const [raw, tail] = children.map((child) => collect(child, 120_000))
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve, reject) => {
          let stderr = ''
          child.stderr!.on('data', (chunk: Buffer) => {
            if ((stderr += String(chunk)).includes(`waiting for job ${job} to start`)) resolve()
          })
          child.once('exit', () => reject(new Error(`a follower of ${job} exited before waiting: ${stderr}`)))
        }),
    ),
  )
  return {raw, tail}
}

describe('round trip at scale: every way in, every way out', () => {
  it('the input is several MB of many reads', () => {
    expect(scaled.input.length).toBeGreaterThan(4 * 1024 * 1024)
    expect(scaled.masked).toBeGreaterThan(100)
    for (const secret of scaled.secrets) expect(scaled.stored.includes(secret)).toBe(false)
  })

  it.concurrent.each(WAYS.map((way, i) => [way.name, way, `scale-${i}`] as const))(
    '%s',
    async (name, way, job) => {
      const flags = way.store()
      const follow = way.follow ? await followers(job, flags) : undefined
      const pushed = await capture(way, job)
      expect(pushed.code, `${name}: ${pushed.stderr}`).toBe(0)
      expect(pushed.stderr).toBe('')
      if (way.run) expect(pushed.stdoutBytes.equals(scaled.input), 'run passes the output through unchanged').toBe(true)
      const stream = way.run ? 'stdout' : null
      if (follow) {
        const [raw, tail] = await Promise.all([follow.raw, follow.tail])
        expect(raw.code, raw.stderr).toBe(0)
        expect(raw.stdoutBytes.equals(scaled.stored), `${name}: get -f saw every line once (${raw.stdoutBytes.length} bytes, expected ${scaled.stored.length})`).toBe(true)
        expect(tail.code, tail.stderr).toBe(0)
        const ordinary = all.filter((e) => /processed item \d+ in/.test(textOf(e))).map(textOf)
        const seen = tail.stdout.split('\n').filter((l) => /processed item \d+ in/.test(l))
        expect(seen.length, `${name}: tail lines`).toBe(ordinary.length)
        expect(seen.join('\n') === ordinary.join('\n'), `${name}: tail printed every line once, in order`).toBe(true)
      }
      await checkJob(job, flags, stream, `${name} (live)`)
      if (!way.archive) return
      const archive = ['--archive', way.archive()]
      const archiveFrom = way.store()[0] === '--url' ? ['--store', `file://${join(home.home, 'relay', 'state', 'logs')}`] : flags
      const archived = await logs(['archive', '--job', job, ...archiveFrom, ...archive, '--json'])
      expect(archived.code, archived.stderr).toBe(0)
      expect(JSON.parse(archived.stdout)).toMatchObject({archived: 1, failed: 0})
      await checkJob(job, [...archiveFrom, ...archive], stream, `${name} (archived to ${way.archive()})`)
    },
    240_000,
  )
})
