/**
 * push --url keeps several requests in flight (Logs-After): when one of them fails, the
 * relay refuses those sent after it (409) and push re-sends from the failed one, from its
 * spool — every line once, in order. The built CLI on both sides, a fault proxy between.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {isolatedEnv, runCli, tempHome} from '../../helpers/cli.js'
import {startFaultProxy, type FaultProxy} from '../../helpers/fault-proxy.js'
import {raw, startServeCli, startTestRelay, stopServeCli} from '../../helpers/relay.js'

const TOKEN = 'pipelined-push-token'
let server: Awaited<ReturnType<typeof startServeCli>>
let proxy: FaultProxy
const homes: Array<{home: string; cleanup: () => void}> = []
let serverEnv: NodeJS.ProcessEnv
let clientEnv: NodeJS.ProcessEnv

beforeAll(async () => {
  const [serverHome, clientHome] = [tempHome(), tempHome()]
  homes.push(serverHome, clientHome)
  serverEnv = isolatedEnv(serverHome.home)
  server = await startServeCli(['--host', '127.0.0.1', '--token', TOKEN], serverEnv)
  proxy = await startFaultProxy(server.url)
  clientEnv = isolatedEnv(clientHome.home, {LOGS_URL: proxy.url, LOGS_TOKEN: TOKEN})
})

afterAll(async () => {
  await proxy?.stop()
  if (server) await stopServeCli(server)
  for (const home of homes) home.cleanup()
})

/** About 4 MB: more than three of push's 1 MiB requests. */
const INPUT = Array.from({length: 40_000}, (_, i) => `${String(i + 1).padStart(6, '0')} ${'x'.repeat(90)}\n`).join('')

describe('push --url with requests in flight', () => {
  it('lines read faster than the relay takes them: every line once, byte for byte (batches in flight outlive the read buffer push reuses)', async () => {
    const pushed = await runCli(['push', '--job', 'fast-reader', '--exit-code', '0'], {env: clientEnv, input: INPUT})
    expect(pushed.stderr).toBe('')
    expect(pushed.code).toBe(0)
    const got = await runCli(['get', 'fast-reader', '--output', 'raw'], {env: serverEnv})
    expect(got.stdout).toBe(INPUT)
  })

  it('the first of them reset before the relay saw it: those after it are refused, then all re-sent in order; every line once', async () => {
    // A spool to deliver whole: a push refused at once (wrong token) keeps everything it read.
    const refused = await runCli(['push', '--job', 'pipelined', '--drain-timeout', '5m'], {env: {...clientEnv, LOGS_TOKEN: 'nope'}, input: INPUT})
    expect(refused.code).toBe(2)
    // The first request of the writer (it follows batch 0) never reaches the relay.
    proxy.inject({kind: 'reset'}, {count: 1, match: (method, _path, _url, headers) => method === 'POST' && headers['logs-after'] === '0'})
    // The next push delivers that spool first: all of it is there, so push sends its first three requests at once.
    const pushed = await runCli(['push', '--job', 'pipelined', '--exit-code', '0'], {env: clientEnv, input: ''})
    expect(pushed.code).toBe(0)
    expect(proxy.faults.served).toBe(1)
    // The second and third named a batch that never reached the relay: refused, nothing written.
    expect(proxy.statuses.get(409)).toBe(2)
    const got = await runCli(['get', 'pipelined', '--output', 'raw'], {env: serverEnv})
    expect(got.stdout).toBe(INPUT)
    const listed = JSON.parse((await runCli(['ls', '--json'], {env: serverEnv})).stdout) as Array<{id: string; lines: number; status: string}>
    expect(listed.find((job) => job.id === 'pipelined')).toMatchObject({lines: 40_000, status: 'succeeded'})
  })
})

describe('a request out of order, by hand', () => {
  it('is refused (409) in the numbers the client sent, and makes no job of an id the store has not got', async () => {
    const relay = await startTestRelay()
    try {
      const send = (job: string, batch: number, after: number, body: string) =>
        raw(`${relay.url}/v1/jobs/${job}/logs`, {method: 'POST', body, headers: {'Logs-Writer': 'w', 'Logs-Batch': String(batch), 'Logs-After': String(after)}})
      // Before: 200 {"status":"running","lines":0} for ever after, a job nobody would end.
      const ghost = await send('ghost', 5, 4, 'x\n')
      expect(ghost.status).toBe(409)
      expect(ghost.json().error).toMatch(/refused a batch out of order: batch 5 of writer w follows batch 4, but the last one applied is none/)
      expect(await relay.store.getJob('ghost')).toBeUndefined()
      expect((await send('ordered', 1, 0, 'one\n')).status).toBe(200)
      // Before: "batch 196607 of writer w follows batch 131071, but the last one applied is 131071", the relay's sub-batches.
      const skipped = await send('ordered', 3, 2, 'three\n')
      expect(skipped.status).toBe(409)
      expect(skipped.json().error).toMatch(/batch 3 of writer w follows batch 2, but the last one applied is 1$/)
      expect((await relay.store.getJob('ordered'))?.lines).toBe(1)
    } finally {
      await relay.stop()
    }
  })
})
