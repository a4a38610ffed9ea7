/**
 * `get --level error` returns whole records: real traces pushed as a live stream (one
 * write per line, so each record's first line is stored before its continuation).
 */
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {isolatedEnv, runCli, startCli, collect, tempHome, ROOT} from '../../helpers/cli.js'
import {openRawStream, startServeCli, stopServeCli} from '../../helpers/relay.js'
import {waitUntil} from '../../helpers/wait.js'
import {startRedis} from '../../helpers/redis-server.js'

const FIXTURES = join(ROOT, 'test', 'fixtures', 'traces')
let home: {home: string; cleanup: () => void}
beforeAll(() => {
  home = tempHome()
})
afterAll(() => home?.cleanup())

/** Writes the file to push's stdin a line at a time, each write after the previous one was read. */
async function pushLineByLine(job: string, text: string): Promise<void> {
  const child = startCli(['push', '--job', job], {env: isolatedEnv(home.home)})
  const done = collect(child)
  for (const line of text.split(/(?<=\n)/)) {
    if (!child.stdin!.write(line)) await new Promise((resolve) => child.stdin!.once('drain', resolve))
    await new Promise((resolve) => setImmediate(resolve))
  }
  child.stdin!.end()
  expect((await done).code).toBe(0)
}

const cases: Array<[string, string[]]> = [
  [
    'java.log',
    [
      'request failed',
      'java.lang.IllegalStateException',
      '\tat com.example.db.Pool.acquire',
      '\tat com.example.App.main',
      'Caused by: java.net.ConnectException',
      '\tat java.base/sun.nio.ch.Net.connect0',
      '\t... 2 more',
      '\tSuppressed: java.io.IOException',
      '\t\tat com.example.db.Pool.close',
    ],
  ],
  [
    'python.log',
    ['Traceback (most recent call last):', '  File "/app/main.py", line 10', '    main()', '  File "/app/main.py", line 6', '    raise ValueError', 'ValueError: bad value'],
  ],
  ['go.log', ['panic: runtime error', '', 'goroutine 1 [running]:', 'main.handler(...)', '\t/src/main.go:12', 'main.main()', '\t/src/main.go:20']],
  ['node.log', ['TypeError: Cannot read properties', '    at getUser', '    at async handler']],
  [
    'rust.log',
    [
      "thread 'main' (9869) panicked at p.rs:5:21:",
      'index out of bounds',
      "thread 'main' (9886) panicked at p.rs:5:21:",
      'index out of bounds',
      'stack backtrace:',
      ...Array.from({length: 8}, (_, i) => [`   ${i}: `, '             at ']).flat(),
      "thread 'tests::it_fails' (30552) panicked at src/lib.rs:8:21:",
      'assertion `left == right` failed',
      '  left: 4',
      ' right: 5',
    ],
  ],
  ['postgres.log', ['ERROR:  duplicate key', 'DETAIL:  Key (id)=(1)', 'STATEMENT:  INSERT INTO users']],
]

describe('get --level error returns whole records', () => {
  it.each(cases)('%s', async (file, expected) => {
    const job = file.replace('.log', '')
    await pushLineByLine(job, readFileSync(join(FIXTURES, file), 'utf8'))
    const got = await runCli(['get', job, '--level', 'error'], {env: isolatedEnv(home.home)})
    expect(got.code).toBe(0)
    const lines = got.stdout.trimEnd().split('\n')
    expect(lines).toHaveLength(expected.length)
    lines.forEach((line, i) => expect(line).toContain(expected[i]))
  })

  // Pushed at once, so push reads each record's lines together (its columns, not an entry per line).
  it.each(cases)('%s behind the timestamps kubectl logs --timestamps writes', async (file, expected) => {
    const job = `kubectl-${file.replace('.log', '')}`
    const text = readFileSync(join(FIXTURES, file), 'utf8')
    const input = text.replace(/^(?=.)/gm, '2026-12-06T09:00:00.123456789Z ').replace(/^$/gm, '2026-12-06T09:00:00.123456789Z ')
    expect((await runCli(['push', '--job', job], {env: isolatedEnv(home.home), input})).code).toBe(0)
    const got = await runCli(['get', job, '--level', 'error'], {env: isolatedEnv(home.home)})
    expect(got.code).toBe(0)
    const lines = got.stdout.trimEnd().split('\n')
    expect(lines).toHaveLength(expected.length)
    lines.forEach((line, i) => {
      expect(line.startsWith('2026-12-06T09:00:00.123456789Z ')).toBe(true)
      expect(line).toContain(expected[i])
    })
  })
})

/** The java fixture written at once: the exception line starts the record, its frames continue it. */
const JAVA_MARKS = [undefined, undefined, 'start', ...Array(7).fill('continuation'), undefined]

describe('--output json says which entries start and continue a record', () => {
  it('get --output json, the file store', async () => {
    const input = readFileSync(join(FIXTURES, 'java.log'))
    expect((await runCli(['push', '--job', 'java-once'], {env: isolatedEnv(home.home), input})).code).toBe(0)
    const got = await runCli(['get', 'java-once', '--output', 'json'], {env: isolatedEnv(home.home)})
    const records = got.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line))
    expect(records.map((r) => r.record)).toEqual(JAVA_MARKS)
    const errors = await runCli(['get', 'java-once', '--output', 'json', '--level', 'error'], {env: isolatedEnv(home.home)})
    expect(
      errors.stdout
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line).record),
    ).toEqual([undefined, 'start', ...Array(7).fill('continuation')])
  })

  it('push --url: the relay keeps the marks; its history, SSE and get --url say them', async () => {
    const relay = await startServeCli(['--host', '127.0.0.1'], isolatedEnv(home.home))
    const client = tempHome()
    const remote = isolatedEnv(client.home, {LOGS_URL: relay.url})
    try {
      expect((await runCli(['push', '--job', 'java-url'], {env: remote, input: readFileSync(join(FIXTURES, 'java.log'))})).code).toBe(0)
      const got = await runCli(['get', 'java-url', '--output', 'json'], {env: remote})
      expect(
        got.stdout
          .trimEnd()
          .split('\n')
          .map((line) => JSON.parse(line).record),
      ).toEqual(JAVA_MARKS)
      const history = (await (await fetch(`${relay.url}/v1/jobs/java-url/logs`)).json()) as {entries: Array<{record?: string}>}
      expect(history.entries.map((e) => e.record)).toEqual(JAVA_MARKS)
      expect(await streamedMarks(relay.url, 'java-url')).toEqual(JAVA_MARKS)
    } finally {
      await stopServeCli(relay)
      client.cleanup()
    }
  })

  it('a first line stored before its continuation arrived is marked start: get, the relay history and its pages, the archive', async () => {
    const env = isolatedEnv(home.home, {LOGS_ARCHIVE: `file://${home.home}/archive-apart`})
    await pushApart('java-apart', env)
    expect(existsSync(join(home.home, 'state', 'logs', 'jobs', 'java-apart'))).toBe(true)
    const relay = await startServeCli(['--host', '127.0.0.1'], env)
    try {
      const history = (await (await fetch(`${relay.url}/v1/jobs/java-apart/logs`)).json()) as {entries: Array<{record?: string}>}
      expect(history.entries.map((e) => e.record)).toEqual(JAVA_MARKS)
      // A page that ends on the first line.
      const page = (await (await fetch(`${relay.url}/v1/jobs/java-apart/logs?limit=3`)).json()) as {entries: Array<{record?: string}>; more: boolean}
      expect(page.more).toBe(true)
      expect(page.entries.map((e) => e.record)).toEqual([undefined, undefined, 'start'])
      expect(await streamedMarks(relay.url, 'java-apart')).toEqual(JAVA_MARKS)
    } finally {
      await stopServeCli(relay)
    }
    const archived = await runCli(['archive', '--job', 'java-apart'], {env})
    expect(archived.code, archived.stderr).toBe(0)
    expect(existsSync(join(home.home, 'archive-apart', 'java-apart.jsonl.zst'))).toBe(true)
    expect(existsSync(join(home.home, 'state', 'logs', 'jobs', 'java-apart'))).toBe(false) // read from the archive
    expect(marks((await runCli(['get', 'java-apart', '--output', 'json'], {env})).stdout)).toEqual(JAVA_MARKS)
  })

  it('a first line stored before its continuation arrived is marked start: Redis', async () => {
    const redis = await startRedis()
    try {
      await pushApart('java-apart', isolatedEnv(home.home, {LOGS_STORE: `${redis.url}?prefix=apart:`}))
    } finally {
      await redis.destroy()
    }
  })
})

const marks = (stdout: string) =>
  stdout
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line).record)

/**
 * Pushes the java fixture in two writes: the second (the frames) only once `get` shows the
 * exception line stored with nothing after it. Then checks get's marks.
 */
async function pushApart(job: string, env: NodeJS.ProcessEnv): Promise<void> {
  const [head, ...rest] = readFileSync(join(FIXTURES, 'java.log'), 'utf8').split(/(?<=IllegalStateException: connection refused\n)/)
  expect(rest).toHaveLength(1)
  const child = startCli(['push', '--job', job], {env})
  const done = collect(child)
  child.stdin!.write(head)
  await waitUntil(async () => (await runCli(['get', job], {env})).stdout.includes('IllegalStateException'), {what: 'the first line to be stored'})
  const before = await runCli(['get', job, '--output', 'json'], {env})
  expect(marks(before.stdout).at(-1)).toBeUndefined()
  child.stdin!.end(rest[0])
  expect((await done).code).toBe(0)
  expect(marks((await runCli(['get', job, '--output', 'json'], {env})).stdout)).toEqual(JAVA_MARKS)
  expect(marks((await runCli(['get', job, '--output', 'json', '--level', 'error'], {env})).stdout)).toEqual([undefined, 'start', ...Array(7).fill('continuation')])
  // --head ends the read on the first line: the entry after it still says it starts a record.
  expect(marks((await runCli(['get', job, '--output', 'json', '--head', '3'], {env})).stdout)).toEqual([undefined, undefined, 'start'])
}

/** The record marks of a job's entries as the relay's SSE stream sends them, to its end. */
async function streamedMarks(url: string, job: string): Promise<Array<string | undefined>> {
  const stream = openRawStream(`${url}/v1/jobs/${job}/logs/stream`)
  await waitUntil(() => stream.events().some((e) => e.event === 'end'), {what: 'the stream to its end'})
  return stream
    .events()
    .filter((e) => e.event === 'log')
    .map((e) => (JSON.parse(e.data) as {record?: string}).record)
}
