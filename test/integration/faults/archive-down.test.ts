/**
 * An S3 archive that stops answering, read through the built CLI and a `logs serve` child:
 * the s3rver that holds the archive sits behind a fault proxy that answers every request
 * 503 with `Retry-After: 2`. The hint makes each wait exactly 2 s (the policy's own jittered
 * waits stay under it), so with `?retry-for=5s` a run of retries is tried at 0, 2 and 4 s
 * and given up at the third failure: the number of requests the proxy sees tells whether a
 * command waited out the bound once, or once per request as it did (a read of a job's
 * metadata retried again around the bucket's own retries: 6 requests, twice the bound).
 */
import type {ChildProcess} from 'node:child_process'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {isolatedEnv, runCli, tempHome} from '../../helpers/cli.js'
import {startFaultProxy, type FaultProxy} from '../../helpers/fault-proxy.js'
import {raw, startServeCli, stopServeCli} from '../../helpers/relay.js'
import {startS3Server, type S3Server} from '../../helpers/s3-server.js'
import {waitUntil} from '../../helpers/wait.js'

const WRITE = 'write-token-archive-down'
const asWriter = {Authorization: `Bearer ${WRITE}`}
const DOWN = {kind: 'status', status: 503, retryAfter: '2'} as const

let home: {home: string; cleanup: () => void}
let s3: S3Server
let proxy: FaultProxy
let env: NodeJS.ProcessEnv
let archive: string
const children: ChildProcess[] = []

beforeAll(async () => {
  home = tempHome()
  s3 = await startS3Server()
  await s3.createBucket('arch')
  proxy = await startFaultProxy(s3.endpoint)
  archive = `s3://arch/x?endpoint=${encodeURIComponent(proxy.url)}`
  env = isolatedEnv(home.home, {...s3.env(), AWS_EC2_METADATA_DISABLED: 'true', LOGS_STORE: `file://${home.home}/live`, LOGS_ARCHIVE: archive})
  expect(await runCli(['push', '--job', 's3j-1'], {env, input: 'a\nb\n'})).toMatchObject({code: 0, stderr: ''})
  expect(await runCli(['archive', '--job', 's3j-1'], {env})).toMatchObject({code: 0, stderr: ''})
})
afterAll(async () => {
  await Promise.all(children.map((child) => stopServeCli({child})))
  await proxy?.stop()
  await s3?.destroy()
  home?.cleanup()
})

/** Requests the proxy receives while `act` runs. */
async function requestsDuring<T>(act: () => Promise<T>): Promise<{result: T; requests: string[]}> {
  const before = proxy.requests.length
  const result = await act()
  return {result, requests: proxy.requests.slice(before)}
}

describe('get of an archived job while the archive is down', () => {
  it('gives up once the store has failed for ?retry-for, not once per request: 3 attempts at 0, 2 and 4 s', async () => {
    proxy.inject(DOWN)
    try {
      const {result, requests} = await requestsDuring(() => runCli(['get', 's3j-1', '--archive', `${archive}&retry-for=5s`], {env, timeout: 50_000}))
      expect(result.code).toBe(1)
      expect(result.stderr).toContain('logs: s3://arch/x: cannot read s3j-1.meta.json')
      expect(result.stdout).toBe('')
      expect(requests).toEqual(Array(3).fill('GET /arch/x/s3j-1.meta.json?x-id=GetObject'))
    } finally {
      proxy.clear()
    }
  })

  it('a store that answers again within the bound is ridden through', async () => {
    proxy.inject(DOWN, {count: 2})
    const result = await runCli(['get', 's3j-1', '--archive', `${archive}&retry-for=5s`], {env, timeout: 50_000})
    expect(result).toMatchObject({code: 0, stdout: 'a\nb\n', stderr: ''})
    expect(proxy.faults.served).toBeGreaterThanOrEqual(2)
  })
})

describe('logs serve while the archive is down', () => {
  async function serve(archiveUrl: string): Promise<string> {
    const relay = await startServeCli(['--token', WRITE, '--archive', archiveUrl], env)
    children.push(relay.child)
    return relay.url
  }

  let relay: string
  beforeAll(async () => {
    relay = await serve(`${archive}&retry-for=5s`)
  })

  async function whileDown(act: () => Promise<void>): Promise<void> {
    proxy.inject(DOWN)
    try {
      await act()
    } finally {
      proxy.clear()
    }
    const read = await raw(`${relay}/v1/jobs/s3j-1/logs`, {headers: asWriter})
    expect(read.status).toBe(200)
    expect(read.json().entries.map((entry: {line: string}) => entry.line)).toEqual(['a', 'b'])
  }

  it('a read of an archived job is a 503 within the bound; once the archive has failed for the bound, a later read is tried once', async () => {
    await whileDown(async () => {
      const first = await requestsDuring(() => raw(`${relay}/v1/jobs/s3j-1/logs`, {headers: asWriter}))
      expect(first.result.status).toBe(503)
      expect(first.requests).toHaveLength(3)
      const again = await requestsDuring(() => raw(`${relay}/v1/jobs/s3j-1/logs`, {headers: asWriter}))
      expect(again.result.status).toBe(503)
      expect(again.requests).toHaveLength(1)
    })
  })

  it("a read's 503 names the archive that failed, not the live store", async () => {
    await whileDown(async () => {
      const answer = await raw(`${relay}/v1/jobs/s3j-1/logs`, {headers: asWriter})
      expect(answer.status).toBe(503)
      expect(answer.json().error).toMatch(/^store s3:\/\/arch\/x unavailable: cannot read s3j-1\.meta\.json: /)
      expect(answer.body).not.toContain(`${home.home}/live`)
    })
  })

  it('/healthz asks the archive too: 503 "store unavailable" while it is down (its name to the write token), one request once it has failed for the bound', async () => {
    await whileDown(async () => {
      expect((await requestsDuring(() => raw(`${relay}/v1/jobs/s3j-1/logs`, {headers: asWriter}))).requests).toHaveLength(3)
      const anonymous = await requestsDuring(() => raw(`${relay}/healthz`))
      expect(anonymous.result.status).toBe(503)
      expect(anonymous.result.json()).toEqual({error: 'store unavailable'})
      expect(anonymous.requests).toHaveLength(1)
      const detailed = await raw(`${relay}/healthz`, {headers: asWriter})
      expect(detailed.status).toBe(503)
      expect(detailed.json().error).toMatch(/^store s3:\/\/arch\/x unavailable: /)
    })
    expect((await raw(`${relay}/healthz`)).status).toBe(200)
  })

  it('/healthz does not wait out the retry bound (60 s): an archive that has not answered within 3 s is down', async () => {
    const url = await serve(archive)
    proxy.inject(DOWN)
    try {
      const answer = await raw(`${url}/healthz`, {headers: asWriter})
      expect(answer.status).toBe(503)
      expect(answer.json()).toEqual({error: 'cannot use s3://arch/x: no answer within 3 s'})
    } finally {
      proxy.clear()
    }
    // The check still in flight (retrying) is shared by the next ones until it answers.
    await waitUntil(async () => (await raw(`${url}/healthz`)).status === 200, {timeout: 20_000, what: '/healthz back to 200'})
  })
})
