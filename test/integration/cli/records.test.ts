/**
 * `get --level error` returns whole records: real traces pushed as a live stream (one
 * write per line, so each record's first line is stored before its continuation).
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {isolatedEnv, runCli, startCli, collect, tempHome, ROOT} from '../../helpers/cli.js'
import {openRawStream, startServeCli} from '../../helpers/relay.js'
import {waitUntil} from '../../helpers/wait.js'

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
      const stream = openRawStream(`${relay.url}/v1/jobs/java-url/logs/stream`)
      await waitUntil(() => stream.events().some((e) => e.event === 'end'), {what: 'the stream to its end'})
      expect(
        stream
          .events()
          .filter((e) => e.event === 'log')
          .map((e) => JSON.parse(e.data).record),
      ).toEqual(JAVA_MARKS)
    } finally {
      relay.child.kill('SIGTERM')
      await new Promise((resolve) => relay.child.once('exit', resolve))
      client.cleanup()
    }
  })
})
