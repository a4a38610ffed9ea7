/**
 * `logs tail --url`: the same plain follow through a real relay (`Relay` over a file
 * store on a loopback port); the tail only sees the Jobs facade, here over the relay client.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {newEntry} from '../../../src/lib/entry.js'
import {collect, isolatedEnv, startCli, tempHome} from '../../helpers/cli.js'
import {startFaultProxy} from '../../helpers/fault-proxy.js'
import {startTestRelay, type TestRelay} from '../../helpers/relay.js'
import {waitUntil} from '../../helpers/wait.js'

let relay: TestRelay
let home: {home: string; cleanup: () => void}
let env: NodeJS.ProcessEnv

beforeAll(async () => {
  relay = await startTestRelay()
  home = tempHome()
  env = isolatedEnv(home.home, {LOGS_URL: relay.url})
})
afterAll(async () => {
  await relay.stop()
  home.cleanup()
})

const append = (job: string, ...lines: string[]) =>
  relay.store.append(
    job,
    lines.map((line) => newEntry(Buffer.from(line), true, Date.now())),
  )

const until = (read: () => string, text: string) => waitUntil(() => read().includes(text), {what: `${JSON.stringify(text)} in the output`})

describe('logs tail through the relay (LOGS_URL)', () => {
  it("prints the backlog, follows, picks up a job by glob, and exits with the job's code", async () => {
    await relay.store.startJob('remote-1')
    await append('remote-1', 'r1 old', 'r1 backlog')
    const child = startCli(['tail', 'remote-*', '-n', '1', '--exit-code'], {env})
    child.stdin!.end()
    let out = ''
    child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')))
    const done = collect(child, 30_000)
    await until(() => out, 'remote-1 r1 backlog\n')
    await relay.store.startJob('remote-2')
    await append('remote-2', 'r2 live')
    await until(() => out, 'remote-2 r2 live\n')
    await append('remote-1', 'r1 live')
    await until(() => out, 'remote-1 r1 live\n')
    await relay.store.endJob('remote-1', {status: 'succeeded', exitCode: 0})
    await relay.store.endJob('remote-2', {status: 'failed', exitCode: 7})
    const result = await done
    expect(result.code, result.stderr).toBe(7)
    expect(out).not.toContain('r1 old')
    expect(out.split('\n').filter(Boolean)).toHaveLength(3)
  })

  it('a stream cut just before its `end` event: the follow resumes after the last line it printed, the relay ends it, and the tail ends with every line once', async () => {
    const proxy = await startFaultProxy(relay.url)
    try {
      proxy.inject({kind: 'cut', afterBytes: Number.POSITIVE_INFINITY, before: 'event: end'}, {count: 1, match: (method, path) => path.endsWith('/logs/stream')})
      await relay.store.startJob('cut-1')
      await append('cut-1', 'c1 backlog')
      const child = startCli(['tail', 'cut-1', '--exit-code'], {env: {...env, LOGS_URL: proxy.url}})
      child.stdin!.end()
      let out = ''
      child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')))
      const done = collect(child, 30_000)
      await until(() => out, 'c1 backlog\n')
      await append('cut-1', 'c1 live')
      await until(() => out, 'c1 live\n')
      await relay.store.endJob('cut-1', {status: 'failed', exitCode: 3})
      const result = await done
      expect(result.code, result.stderr).toBe(3)
      expect(out).toBe('c1 backlog\nc1 live\n')
      // The cut stream, then one resumed from the last line printed (the resumed follow owns the retry): no line asked for twice.
      const streams = proxy.requests.filter((request) => request.includes('/logs/stream'))
      expect(streams, streams.join('\n')).toHaveLength(2)
      expect(streams[1]).toMatch(/[?&]after=2(&|$)/)
    } finally {
      await proxy.stop()
    }
  })
})
