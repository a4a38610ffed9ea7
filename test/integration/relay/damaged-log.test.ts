/**
 * A file-store log cut short (a full disk, a partial copy or restore), read directly and
 * through a real `logs serve`: `get` prints every line before the damage, then names the
 * job, the store and where the damage is, with a hint, and exits 1; `get --url` prints and
 * says the same. Before, the relay answered a bare 503 ("store … unavailable") and the
 * client told an outage; and a read whose first step (4096 lines) met the damage printed
 * nothing before its error.
 *
 * The JSON page and the SSE stream say it too, after the entries before the damage, so
 * `get -f --url` and `tail --url` end as `get -f` does. Before, the page answered 500 with
 * no entries, and the stream closed as for an outage ("reconnect to resume"): the follower
 * reconnected, met the damage again, and never stopped (each reconnect's status event
 * restarted its retry budget).
 */
import {mkdirSync, renameSync, statSync, truncateSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, expect, it} from 'vitest'
import {collect, isolatedEnv, runCli, startCli, tempHome} from '../../helpers/cli.js'
import {parseSse, raw, startServeCli, stopServeCli} from '../../helpers/relay.js'
import {waitUntil} from '../../helpers/wait.js'

let home: {home: string; cleanup: () => void}
let env: NodeJS.ProcessEnv
let server: Awaited<ReturnType<typeof startServeCli>>
beforeAll(async () => {
  home = tempHome()
  env = isolatedEnv(home.home)
  server = await startServeCli([], env)
})
afterAll(async () => {
  if (server) await stopServeCli(server)
  home?.cleanup()
})

/** Pushes 50 lines as `job` into the store under `state` (XDG_STATE_HOME), then cuts its log in half; returns the lines whose bytes, newline included, are all before the cut. */
async function cutShort(job: string, state = join(home.home, 'state')): Promise<string> {
  const lines = Array.from({length: 50}, (_, i) => `line ${i + 1}\n`).join('')
  expect((await runCli(['push', '--job', job, '--exit-code', '0'], {env: {...env, XDG_STATE_HOME: state}, input: lines})).code).toBe(0)
  const log = join(state, 'logs', 'jobs', job, 'log')
  const cutAt = Math.floor(statSync(log).size / 2)
  truncateSync(log, cutAt)
  const whole = lines.slice(0, lines.lastIndexOf('\n', cutAt - 1) + 1)
  expect(whole.split('\n').length - 1).toBeGreaterThan(10)
  return whole
}

it('get --url of a job whose log was cut short prints what get prints, with the same exit code', async () => {
  const whole = await cutShort('cut')

  const direct = await runCli(['get', 'cut'], {env})
  expect(direct.code).toBe(1)
  expect(direct.stdout).toBe(whole)
  expect(direct.stderr).toMatch(/^logs: job cut in file:\/\/\S+ is damaged: its log or index is shorter than recorded \(at byte \d+\)\n {2}hint: .*`logs rm cut`\n$/)

  const remote = await runCli(['get', 'cut', '--url', server.url], {env})
  expect({code: remote.code, stdout: remote.stdout, stderr: remote.stderr}).toEqual({code: direct.code, stdout: direct.stdout, stderr: direct.stderr})
  for (const args of [
    ['--output', 'raw'],
    ['--grep', 'line 1'],
    ['--grep', 'line 1', '--output', 'raw'],
  ]) {
    const wanted = args.includes('--grep')
      ? whole
          .split(/(?<=\n)/)
          .filter((line) => line.includes('line 1'))
          .join('')
      : whole
    for (const url of [[], ['--url', server.url]]) {
      const read = await runCli(['get', 'cut', ...args, ...url], {env})
      expect({args, url, code: read.code, stdout: read.stdout, stderr: read.stderr}).toEqual({args, url, code: direct.code, stdout: wanted, stderr: direct.stderr})
    }
  }
})

it('the JSON page and the SSE stream of a job whose log was cut short give the entries before the damage, then the damaged-log error', async () => {
  const whole = await cutShort('cut-http')
  const direct = await runCli(['get', 'cut-http'], {env})
  const [message, hint] = direct.stderr.split('\n').map((line) => line.replace(/^logs: | {2}hint: /, ''))
  const count = whole.split('\n').length - 1
  const failure = {error: message, status: 500, code: 'damaged-log', hints: [hint]}

  // A page: 200 with the entries before the damage and the error (as the streamed history's last line says it); `more`, so a client that goes on meets it.
  const page = await raw(`${server.url}/v1/jobs/cut-http/logs`)
  expect(page.status).toBe(200)
  const body = page.json()
  expect({...body, entries: body.entries.map((entry: {line: string}) => `${entry.line}\n`).join('')}).toEqual({
    job: 'cut-http',
    entries: whole,
    cursor: count,
    more: true,
    ...failure,
  })
  // Nothing readable before the damage: the error alone, 500 (a damaged job, not a store that is down).
  const next = await raw(`${server.url}/v1/jobs/cut-http/logs?after=${count}`)
  expect(next.status).toBe(500)
  expect(next.json()).toEqual({error: message, code: 'damaged-log', hints: [hint]})
  const streamed = await raw(`${server.url}/v1/jobs/cut-http/logs?format=ndjson`)
  expect(
    streamed.body
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line))
      .at(-1),
  ).toEqual(failure)
  // Several jobs (GET /v1/logs) end the same way: the entries before the damage, each with its job, then the same error line.
  const many = (await raw(`${server.url}/v1/logs?jobs=cut-h*`)).body
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line))
  expect(many.slice(0, -1).map((entry) => `${entry.job} ${entry.line}\n`)).toEqual(whole.split(/(?<=\n)/).map((line) => `cut-http ${line}`))
  expect(many.at(-1)).toEqual(failure)

  // The stream: the entries, then a `failed` event with the same error, and the relay closes (no `reconnect to resume`).
  const stream = parseSse((await raw(`${server.url}/v1/jobs/cut-http/logs/stream`)).body)
  expect(
    stream
      .filter((event) => event.event === 'log')
      .map((event) => `${JSON.parse(event.data).line}\n`)
      .join(''),
  ).toBe(whole)
  expect(stream.filter((event) => event.event !== 'log' && event.event !== 'status').map((event) => [event.event, JSON.parse(event.data)])).toEqual([['failed', failure]])
})

it('get -f --url and piped tail --url waiting for a job that appears cut short (a partial restore): its whole lines, then the damaged-log error get -f gives, exit 1', async () => {
  const staging = join(home.home, 'staging')
  const whole = await cutShort('restored', staging)
  // An outage is given up after 2 s without an answer: the damage must be told as damage, not as an outage.
  const relay = `${server.url}/?retry-for=2s`
  const followers = {
    direct: startCli(['get', 'restored', '-f'], {env}),
    get: startCli(['get', 'restored', '-f', '--url', relay], {env}),
    tail: startCli(['tail', 'restored', '-n', '100', '--url', relay], {env}),
  }
  const results = Object.fromEntries(Object.entries(followers).map(([name, child]) => [name, collect(child, 30_000)]))
  const stderr: Record<string, string> = {}
  for (const [name, child] of Object.entries(followers)) child.stderr!.on('data', (chunk: Buffer) => (stderr[name] = (stderr[name] ?? '') + chunk.toString()))
  for (const name of Object.keys(followers)) await waitUntil(() => stderr[name]?.includes('waiting for job restored'), {what: `${name} waiting for the job`})
  // Both remote followers on the relay's stream: the job appears while its reader waits for it.
  await waitUntil(async () => /^logs_relay_clients 2$/m.test((await raw(`${server.url}/metrics`)).body), {what: 'two followers on the relay'})
  mkdirSync(join(home.home, 'state', 'logs', 'jobs'), {recursive: true})
  renameSync(join(staging, 'logs', 'jobs', 'restored'), join(home.home, 'state', 'logs', 'jobs', 'restored'))

  const direct = await results.direct
  expect(direct.code, direct.stderr).toBe(1)
  expect(direct.stdout).toBe(whole)
  expect(direct.stderr).toMatch(
    /^logs: waiting for job restored .*\nlogs: job restored in file:\/\/\S+ is damaged: its log or index is shorter than recorded \(at byte \d+\)\n {2}hint: .*`logs rm restored`\n$/,
  )
  for (const name of ['get', 'tail']) {
    const remote = await results[name]
    expect({name, code: remote.code, stdout: remote.stdout, stderr: remote.stderr}).toEqual({name, code: 1, stdout: whole, stderr: direct.stderr})
  }
}, 40_000)
