/**
 * Remote mode as a user runs it: the built CLI with --url/LOGS_URL against `logs serve`
 * (also the built CLI) over a file store. Output must match direct mode byte for byte.
 */
import {spawn} from 'node:child_process'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {BIN, collect, isolatedEnv, ROOT, runCli, startCli, tempHome} from '../../helpers/cli.js'
import {startServeCli, startTestRelay, stopServeCli} from '../../helpers/relay.js'
import {restartablePort} from '../../helpers/free-port.js'
import {waitUntil} from '../../helpers/wait.js'

const TOKEN = 'remote-mode-token'
let home: {home: string; cleanup: () => void}
let serverEnv: NodeJS.ProcessEnv
let server: Awaited<ReturnType<typeof startServeCli>>
/** A client machine: its own home (spool), only the relay's URL and token. */
let client: {home: string; cleanup: () => void}
let clientEnv: NodeJS.ProcessEnv

beforeAll(async () => {
  home = tempHome()
  serverEnv = isolatedEnv(home.home)
  server = await startServeCli(['--host', '127.0.0.1', '--token', TOKEN], serverEnv)
  client = tempHome()
  clientEnv = isolatedEnv(client.home, {LOGS_URL: server.url, LOGS_TOKEN: TOKEN})
})
afterAll(async () => {
  await stopServeCli(server)
  home.cleanup()
  client.cleanup()
})

const INPUT = Buffer.concat([
  Buffer.from('first line\nERROR second\r\n{"level":"warn","msg":"json"}\n'),
  Buffer.from([0xff, 0xfe, 0x00, 0x0a]),
  Buffer.from('\x1b[32mgreen\x1b[0m\nno newline'),
])

describe('remote mode', () => {
  it("push --url lands in the relay's store; get/ls --url print what direct mode prints", async () => {
    const pushed = await runCli(['push', '--job', 'remote-1', '--exit-code', '4', '--label', 'team=ci'], {env: clientEnv, input: INPUT})
    expect(pushed.stderr).toBe('')
    expect(pushed.code).toBe(0)
    for (const output of ['raw', 'json']) {
      const remote = await runCli(['get', 'remote-1', '--output', output], {env: clientEnv})
      const direct = await runCli(['get', 'remote-1', '--output', output], {env: serverEnv})
      expect(remote.code).toBe(0)
      expect(remote.stdoutBytes).toEqual(direct.stdoutBytes)
    }
    expect((await runCli(['get', 'remote-1', '--output', 'raw'], {env: clientEnv})).stdoutBytes).toEqual(INPUT)
    const filtered = await runCli(['get', 'remote-1', '--level', 'warn', '-n', '1', '--output', 'json'], {env: clientEnv})
    expect(JSON.parse(filtered.stdout)).toMatchObject({seq: 3, level: 'warn'})
    const ls = await runCli(['ls', '--json'], {env: clientEnv})
    expect(JSON.parse(ls.stdout)).toEqual(JSON.parse((await runCli(['ls', '--json'], {env: serverEnv})).stdout))
    expect(JSON.parse(ls.stdout)[0]).toMatchObject({id: 'remote-1', status: 'failed', exitCode: 4, lines: 6, labels: {team: 'ci'}})
  })

  it("run --url captures both streams and exits with the command's code", async () => {
    const result = await runCli(['run', '--job', 'remote-run', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3'], {env: clientEnv})
    expect(result.code).toBe(3)
    expect(result.stdout).toBe('out\n')
    const json = await runCli(['get', 'remote-run', '--output', 'json'], {env: clientEnv})
    const records = json.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
    expect(records.map((r) => [r.line, r.stream]).sort()).toEqual([
      ['err', 'stderr'],
      ['out', 'stdout'],
    ])
    expect(JSON.parse((await runCli(['ls', '--json', '--prefix', 'remote-run'], {env: clientEnv})).stdout)[0]).toMatchObject({status: 'failed', exitCode: 3})
  })

  it('tail --url and get -f --url follow a live job until it ends', async () => {
    const tail = startCli(['tail', 'remote-live', '--exit-code'], {env: clientEnv})
    const get = startCli(['get', 'remote-live', '-f', '--output', 'raw'], {env: clientEnv})
    let getOut = ''
    get.stdout!.on('data', (d: Buffer) => (getOut += d))
    const [tailDone, getDone] = [collect(tail, 30_000), collect(get, 30_000)]
    // Both follow the job that does not exist yet through the relay (its metrics count them).
    const followers = async () => {
      const text = await (await fetch(`${server.url}/metrics`, {headers: {Authorization: `Bearer ${TOKEN}`}})).text()
      return Number(/^logs_relay_job_followers\{job="remote-live"\} (\d+)/m.exec(text)?.[1] ?? 0)
    }
    await waitUntil(async () => (await followers()) >= 2, {what: 'two followers of remote-live at the relay', interval: 50})
    const push = startCli(['push', '--job', 'remote-live', '--exit-code', '5'], {env: clientEnv})
    const pushDone = collect(push, 30_000)
    push.stdin!.write('one\n')
    await waitUntil(() => getOut === 'one\n', {what: 'the first line followed live'})
    push.stdin!.end('two\nthree\n')
    expect((await pushDone).code).toBe(0)
    const [tailResult, getResult] = await Promise.all([tailDone, getDone])
    expect(getResult.stdout).toBe('one\ntwo\nthree\n')
    expect(tailResult.stdout).toBe('one\ntwo\nthree\n')
    expect(tailResult.code).toBe(5)
  })

  it('push --url to a relay that is down spools and delivers once the relay is up', async () => {
    // Below the ephemeral range (restartablePort): no other test's server or client takes it while this relay is not up yet.
    const port = await restartablePort()
    const env = isolatedEnv(client.home, {LOGS_URL: `http://127.0.0.1:${port}`, LOGS_TOKEN: TOKEN})
    const push = startCli(['push', '--job', 'remote-late', '--drain-timeout', '60s'], {env})
    const pushDone = collect(push, 60_000)
    const unreachable = new Promise<void>((resolve) => push.stderr!.on('data', (d: Buffer) => d.toString().includes('unreachable') && resolve()))
    push.stdin!.end('a\nb\nc\n')
    await unreachable // push has tried and is retrying; only now does the relay come up
    const late = spawn(process.execPath, [BIN, 'serve', '--host', '127.0.0.1', '--port', String(port), '--token', TOKEN], {cwd: ROOT, env: serverEnv, stdio: 'ignore'})
    try {
      const result = await pushDone
      expect(result.code).toBe(0)
      expect(result.stderr).toMatch(/unreachable.*local spool/)
      const got = await runCli(['get', 'remote-late', '--output', 'raw'], {env: serverEnv})
      expect(got.stdout).toBe('a\nb\nc\n')
    } finally {
      late.kill('SIGTERM')
      await new Promise((r) => late.once('exit', r))
    }
  })

  it('says what is wrong: bad token, bad URL, unreachable relay', async () => {
    const wrong = await runCli(['ls'], {env: {...clientEnv, LOGS_TOKEN: 'nope'}})
    expect(wrong.code).toBe(2)
    expect(wrong.stderr).toMatch(/refused the request \(401\)/)
    expect(wrong.stderr).not.toContain('nope')
    const badUrl = await runCli(['ls'], {env: {...clientEnv, LOGS_URL: 'ftp://x'}})
    expect(badUrl.code).toBe(2)
    expect(badUrl.stderr).toMatch(/LOGS_URL/)
    const down = await runCli(['get', 'x'], {env: {...clientEnv, LOGS_URL: 'http://127.0.0.1:9'}})
    expect(down.code).toBe(1)
    expect(down.stderr).toMatch(/cannot reach the relay/)
  })

  it('push with a wrong token stops at once (no retrying until the drain timeout) and keeps the lines spooled', async () => {
    // A 5 min drain timeout: retrying would outlast the test's own timeout.
    const pushed = await runCli(['push', '--job', 'wrong-token', '--drain-timeout', '5m'], {env: {...clientEnv, LOGS_TOKEN: 'nope'}, input: 'kept\n'})
    expect(pushed.code).toBe(2)
    expect(pushed.stderr).toMatch(/refused the request \(401\).*the lines read are kept in .*spool/s)
    expect(pushed.stderr).not.toMatch(/unreachable/)
    const delivered = await runCli(['push', '--job', 'wrong-token', '--exit-code', '0'], {env: clientEnv, input: ''})
    expect(delivered.code).toBe(0)
    expect((await runCli(['get', 'wrong-token'], {env: clientEnv})).stdout).toBe('kept\n')
  })

  it("push --url refuses a --max-line-bytes over the relay's line limit before reading anything (exit 2)", async () => {
    const pushed = await runCli(['push', '--job', 'too-long-lines', '--max-line-bytes', '8388608'], {env: clientEnv, input: `${'x'.repeat(2_000_000)}\n`})
    expect(pushed.code).toBe(2)
    expect(pushed.stderr).toMatch(/--max-line-bytes 8388608 is more than a relay takes: through a relay \(LOGS_URL\) lines are kept whole up to 1048576 bytes/)
    expect((await runCli(['ls', '--json'], {env: clientEnv})).stdout).not.toContain('too-long-lines')
  })

  it('a request the relay refuses as too large (413) stops push at once, not as an outage retried to the drain timeout, and the lines stay spooled', async () => {
    const small = await startTestRelay({limits: {maxLineBytes: 1000}})
    try {
      const env = {...clientEnv, LOGS_URL: small.url, LOGS_TOKEN: ''}
      const pushed = await runCli(['push', '--job', 'refused-413', '--drain-timeout', '5m'], {env, input: `short\n${'y'.repeat(5000)}\n`})
      expect(pushed.code).toBe(2)
      expect(pushed.stderr).toMatch(/rejected the request as too large: .*limit 1000/)
      expect(pushed.stderr).toMatch(/the lines read are kept in .*spool/s)
      expect(pushed.stderr).not.toMatch(/unreachable/)
    } finally {
      await small.stop()
    }
  })
})
