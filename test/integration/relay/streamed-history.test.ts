/**
 * The streamed history (GET /v1/jobs/:id/logs?format=ndjson|raw) as a user meets it:
 * `logs get --url` (the built CLI) against `logs serve` (the built CLI) over a file store,
 * its output held to what direct `logs get` prints; the endpoint itself over real HTTP;
 * and its faults — a connection cut mid-answer (a fault proxy in front of the relay), a job
 * deleted while it is read, bad parameters, a missing token.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {collect, isolatedEnv, runCli, startCli, tempHome} from '../../helpers/cli.js'
import {startFaultProxy, type FaultProxy} from '../../helpers/fault-proxy.js'
import {raw, startServeCli, stopServeCli} from '../../helpers/relay.js'
import {scaledInput} from '../../helpers/scaled-input.js'
import {waitUntil} from '../../helpers/wait.js'

const TOKEN = 'streamed-history-token'
const READ_TOKEN = 'streamed-history-read'
const auth = {Authorization: `Bearer ${TOKEN}`}
let home: {home: string; cleanup: () => void}
let client: {home: string; cleanup: () => void}
let serverEnv: NodeJS.ProcessEnv
let server: Awaited<ReturnType<typeof startServeCli>>
let proxy: FaultProxy
const clientEnv = (url: string) => isolatedEnv(client.home, {LOGS_URL: url, LOGS_TOKEN: TOKEN})
/** Every kind of line (invalid UTF-8, CRLF, NUL, ANSI, a line over 1 MiB in pieces, no last newline), some 4 MB. */
const SCALED = scaledInput(4 * 1024 * 1024)

beforeAll(async () => {
  home = tempHome()
  client = tempHome()
  serverEnv = isolatedEnv(home.home)
  server = await startServeCli(['--host', '127.0.0.1', '--token', TOKEN, '--read-token', READ_TOKEN], serverEnv)
  proxy = await startFaultProxy(server.url)
  const pushed = await runCli(['push', '--job', 'scaled', '--mask-env', 'SCALED_SECRET'], {env: {...serverEnv, ...SCALED.env}, input: SCALED.input})
  expect(pushed.code).toBe(0)
})
afterAll(async () => {
  await proxy.stop()
  await stopServeCli(server)
  home.cleanup()
  client.cleanup()
})

const logsUrl = (query: string) => `${server.url}/v1/jobs/scaled/logs?${query}`

/** The records of an NDJSON answer, its `passed` lines and its last line apart. */
function ndjson(body: string): {records: any[]; passed: number[]; last: any} {
  const lines = body
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line))
  return {records: lines.filter((line) => 'seq' in line), passed: lines.filter((line) => 'passed' in line).map((line) => line.passed), last: lines.at(-1)}
}

/** The bytes of a format=raw answer's frames joined, and its last line. */
function rawFrames(body: Buffer): {bytes: Buffer; frames: {first: number; last: number}[]; last: any} {
  const parts: Buffer[] = []
  const frames: {first: number; last: number}[] = []
  let at = 0
  for (;;) {
    const end = body.indexOf(10, at)
    const head = JSON.parse(body.toString('utf8', at, end))
    at = end + 1
    if (head.bytes === undefined) return {bytes: Buffer.concat(parts), frames, last: head}
    parts.push(body.subarray(at, at + head.bytes))
    frames.push({first: head.first, last: head.last})
    at += head.bytes
  }
}

describe('streamed history', () => {
  it('get --url prints what direct get prints, byte for byte, in every output and with every filter', async () => {
    const cases = [
      ['--output', 'raw'],
      ['--output', 'json'],
      ['--timestamps'],
      ['--level', 'warn', '--output', 'json'],
      ['--grep', 'item 1[0-9]7', '-i'],
      ['--grep', 'processed', '--exclude', 'worker-3', '--head', '500'],
      ['-n', '700', '--output', 'raw'],
      ['--after', '1234', '--head', '3000', '--output', 'raw'],
      ['-n', '50', '--level', 'error', '--output', 'json'],
      ['--since', '2020-01-01', '--until', '2999-01-01'],
    ]
    for (const args of cases) {
      const [remote, direct] = await Promise.all([runCli(['get', 'scaled', ...args], {env: clientEnv(server.url)}), runCli(['get', 'scaled', ...args], {env: serverEnv})])
      expect({args, code: remote.code, stderr: remote.stderr}).toEqual({args, code: 0, stderr: ''})
      expect(direct.code).toBe(0)
      expect(remote.stdoutBytes.equals(direct.stdoutBytes), `get ${args.join(' ')}`).toBe(true)
    }
    expect((await runCli(['get', 'scaled', '--output', 'raw'], {env: clientEnv(server.url)})).stdoutBytes.equals(SCALED.stored)).toBe(true)
  })

  it('format=ndjson: the entries the pages give, in one uncapped answer, then the cursor; format=raw: the stored bytes in frames', async () => {
    const paged: any[] = []
    for (let after = 0, more = true; more;) {
      const page = (await raw(logsUrl(`after=${after}&limit=10000&level=info`), {headers: auth})).json()
      paged.push(...page.entries)
      ;({cursor: after, more} = page)
    }
    const streamed = await raw(logsUrl('format=ndjson&level=info'), {headers: auth})
    expect(streamed.status).toBe(200)
    expect(streamed.headers['content-type']).toBe('application/x-ndjson; charset=utf-8')
    const {records, passed, last} = ndjson(streamed.body)
    expect(records.length).toBeGreaterThan(10_000)
    expect(records).toEqual(paged)
    // Every 10 000 entries looked at: the file store skips nothing for a level, so every 10 000 seqs.
    expect(passed).toEqual(Array.from({length: Math.floor(SCALED.entries.length / 10_000)}, (_, i) => (i + 1) * 10_000))
    expect(last).toEqual({cursor: SCALED.entries.length, more: false})

    const bare = ndjson((await raw(logsUrl('format=ndjson&fields=0&after=10&limit=5'), {headers: auth})).body)
    expect(bare.records.map((r) => r.seq)).toEqual([11, 12, 13, 14, 15])
    expect(bare.records.every((r) => !('fields' in r))).toBe(true)
    expect(bare.last).toEqual({cursor: 15, more: true})

    const whole = await raw(logsUrl('format=raw'), {headers: {Authorization: `Bearer ${READ_TOKEN}`}})
    expect(whole.headers['content-type']).toBe('application/octet-stream')
    const frames = rawFrames(whole.bytes)
    expect(frames.bytes.equals(SCALED.stored)).toBe(true)
    expect(frames.frames[0].first).toBe(1)
    expect(frames.frames.every((f, i) => i === 0 || f.first === frames.frames[i - 1].last + 1)).toBe(true)
    expect(frames.last).toEqual({cursor: SCALED.entries.length, more: false})
    const tail = rawFrames((await raw(logsUrl('format=raw&tail=3'), {headers: auth})).bytes)
    const lastThree = SCALED.entries.slice(-3).map((e) => Buffer.concat([e.bytes, Buffer.from(e.eol ? '\n' : '')]))
    expect(tail.bytes.equals(Buffer.concat(lastThree))).toBe(true)
  })

  it('refuses hostile or wrong parameters with a 400 naming them, and a read without the token with a 401', async () => {
    const bad: Array<[string, RegExp]> = [
      ['format=xml', /^invalid format "xml": expected ndjson .* or raw/],
      ['format=ndjson&fields=yes', /^invalid fields "yes": expected 1 .* or 0$/],
      ['format=ndjson&limit=0', /^invalid limit 0: expected 1 to/],
      ['format=ndjson&limit=99999999999999999999999', /^invalid limit 99999999999999999999999: expected 1 to 9007199254740991$/],
      ['format=ndjson&after=-1', /^invalid after "-1": expected a whole number$/],
      ['format=ndjson&tail=1e9', /^invalid tail "1e9": expected a whole number$/],
      ['format=ndjson&grep=(a%2B)%2B%5C1', /^invalid regular expression .* for grep: .*backreferences are not supported/],
      ['format=ndjson&level=loud', /^invalid level "loud"/],
      ['format=raw&grep=x', /^format=raw takes after, tail and limit only/],
      ['format=raw&since=10m', /^format=raw takes after, tail and limit only/],
    ]
    for (const [query, message] of bad) {
      const answer = await raw(logsUrl(query), {headers: auth})
      expect({query, status: answer.status}).toEqual({query, status: 400})
      expect(answer.json().error).toMatch(message)
    }
    expect((await raw(logsUrl('format=ndjson'))).status).toBe(401)
    expect((await raw(logsUrl('format=raw'), {headers: {Authorization: 'Bearer wrong'}})).status).toBe(401)
    expect((await raw(`${server.url}/v1/jobs/absent/logs?format=ndjson`, {headers: auth})).status).toBe(404)
    const denied = await runCli(['get', 'scaled'], {env: isolatedEnv(client.home, {LOGS_URL: server.url, LOGS_TOKEN: 'wrong'})})
    expect(denied.code).toBe(2)
    expect(denied.stderr).toMatch(/refused the request \(401\)/)
    expect(denied.stdout).toBe('')
  })

  it('a connection cut mid-answer is resumed after the last entry received: nothing lost, nothing twice', async () => {
    const streams = (method: string, path: string, url: string) => method === 'GET' && url.includes('format=')
    for (const args of [
      ['--output', 'raw'],
      ['--output', 'json'],
      ['-n', '20000', '--output', 'json'],
      ['--level', 'info'],
    ]) {
      proxy.clear()
      const served = proxy.faults.served
      // Cut inside the first answer, then inside the resumed one, at places no frame or line ends on.
      proxy.inject({kind: 'cut', afterBytes: 777_777}, {count: 1, match: streams})
      proxy.inject({kind: 'cut', afterBytes: 1_234_567}, {count: 1, match: streams})
      const [remote, direct] = await Promise.all([runCli(['get', 'scaled', ...args], {env: clientEnv(proxy.url)}), runCli(['get', 'scaled', ...args], {env: serverEnv})])
      expect({args, code: remote.code, stderr: remote.stderr}).toEqual({args, code: 0, stderr: ''})
      expect(proxy.faults.served - served, `both cuts met by get ${args.join(' ')}`).toBe(2)
      expect(remote.stdoutBytes.equals(direct.stdoutBytes), `get ${args.join(' ')}`).toBe(true)
    }
    proxy.clear()
  })

  it('a search that finds little tells how far it got, and a cut answer goes on from there', async () => {
    const items = SCALED.entries.map((e) => /processed item (\d+) /.exec(e.bytes.toString('latin1'))?.[1])
    const first = items.findIndex((item, i) => item !== undefined && i > 100)
    const second = items.findLastIndex((item) => item !== undefined)
    const pattern = `processed item (${items[first]}|${items[second]}) `
    const args = ['--grep', pattern, '--output', 'json']
    // The answer get --url will have: cut it inside its second `passed` line, once the first has arrived.
    const answer = (await raw(logsUrl(`format=ndjson&fields=0&grep=${encodeURIComponent(pattern)}`), {headers: auth})).body
    const passed = [...answer.matchAll(/\{"passed":\d+\}/g)]
    expect(passed.length).toBeGreaterThanOrEqual(2)
    const urls: string[] = []
    proxy.clear()
    proxy.inject({kind: 'status', status: 500}, {match: (_method, _path, url) => (urls.push(url), false)})
    proxy.inject({kind: 'cut', afterBytes: Buffer.byteLength(answer.slice(0, passed[1].index)) + 3}, {count: 1, match: (_method, _path, url) => url.includes('format=ndjson')})
    const [remote, direct] = await Promise.all([runCli(['get', 'scaled', ...args], {env: clientEnv(proxy.url)}), runCli(['get', 'scaled', ...args], {env: serverEnv})])
    proxy.clear()
    expect({code: remote.code, stderr: remote.stderr}).toEqual({code: 0, stderr: ''})
    expect(remote.stdout).toBe(direct.stdout)
    expect(
      remote.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).seq),
    ).toEqual([first + 1, second + 1])
    const streams = urls.filter((url) => url.includes('format=ndjson'))
    expect(streams).toHaveLength(2)
    // Asked again after the point the relay had passed, not after the one entry received.
    const after = Number(new URL(streams[1], 'http://x').searchParams.get('after'))
    expect(after).toBeGreaterThan(first + 1)
    expect(after).toBeLessThan(second + 1)
  })

  it('a job pushed again after it was archived reads through the relay as directly: one numbering, its counts once', async () => {
    expect((await runCli(['push', '--job', 'again'], {env: serverEnv, input: 'run 1 line 1\nrun 1 line 2\n'})).code).toBe(0)
    expect((await runCli(['archive', '--job', 'again'], {env: serverEnv})).code).toBe(0)
    expect((await runCli(['push', '--job', 'again'], {env: serverEnv, input: 'run 2 line 1\nERROR run 2 line 2\n'})).code).toBe(0)
    for (const args of [
      ['--output', 'json'],
      ['--output', 'raw'],
      ['-n', '3', '--output', 'json'],
      ['--after', '1', '--level', 'error', '--output', 'json'],
    ]) {
      const [remote, direct] = await Promise.all([runCli(['get', 'again', ...args], {env: clientEnv(server.url)}), runCli(['get', 'again', ...args], {env: serverEnv})])
      expect({args, code: remote.code, stderr: remote.stderr}).toEqual({args, code: 0, stderr: ''})
      expect(remote.stdout).toBe(direct.stdout)
    }
    const listed = JSON.parse((await runCli(['ls', '--json', '--prefix', 'again'], {env: clientEnv(server.url)})).stdout)
    expect(listed).toEqual([expect.objectContaining({id: 'again', lines: 4})])
  })

  it('a job deleted while the relay streams it fails as deleted while being read, after the lines read before, in order', async () => {
    // Far more than the sockets and pipes between relay and client hold, so the relay is still reading when the job goes.
    const lines = Array.from({length: 40_000}, (_, i) => `line ${i + 1} ${'x'.repeat(990)}`)
    expect((await runCli(['push', '--job', 'vast'], {env: serverEnv, input: `${lines.join('\n')}\n`})).code).toBe(0)
    const child = startCli(['get', 'vast'], {env: clientEnv(server.url)})
    const out: Buffer[] = []
    child.stdout!.on('data', (chunk: Buffer) => out.push(chunk))
    const done = collect(child)
    await waitUntil(() => out.length > 0, {what: 'the first lines'})
    child.stdout!.pause()
    expect((await runCli(['rm', 'vast'], {env: serverEnv})).code).toBe(0)
    child.stdout!.resume()
    const result = await done
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(new RegExp(`^logs: job vast was deleted from ${server.url}/? while it was being read`))
    const printed = Buffer.concat(out).toString('utf8').split('\n').slice(0, -1)
    expect(printed.length).toBeGreaterThan(0)
    expect(printed.length).toBeLessThan(lines.length)
    expect(printed).toEqual(lines.slice(0, printed.length))
  })
})
