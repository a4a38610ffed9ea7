/**
 * push --tee starts before its store is open. The store here is an S3 bucket whose opening
 * waits on the AWS SDK's credentials endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI): a
 * server that accepts the request and does not answer until the test says so. The job's
 * output flows meanwhile; once the store opens, late, every line read is delivered.
 */
import {createServer, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {collect, isolatedEnv, runCli, startCli, tempHome} from '../../helpers/cli.js'
import {S3RVER_CREDENTIALS, startS3Server, type S3Server} from '../../helpers/s3-server.js'
import {waitUntil} from '../../helpers/wait.js'

let s3: S3Server
let home: {home: string; cleanup: () => void}
let credentials: Server
const held: ServerResponse[] = []

beforeAll(async () => {
  home = tempHome()
  s3 = await startS3Server()
  await s3.createBucket('tee')
  credentials = createServer((_request, response) => held.push(response))
  await new Promise<void>((resolve) => credentials.listen(0, '127.0.0.1', resolve))
})
afterAll(async () => {
  for (const response of held) response.destroy()
  await new Promise((resolve) => credentials?.close(resolve))
  await s3?.destroy()
  home?.cleanup()
})

describe('push --tee while the store opens', () => {
  it('tees every line while the store waits on a server that does not answer; the store opens late and loses nothing', async () => {
    const {AWS_ACCESS_KEY_ID: _id, AWS_SECRET_ACCESS_KEY: _secret, AWS_SESSION_TOKEN: _token, AWS_PROFILE: _profile, ...inherited} = isolatedEnv(home.home)
    const env = {
      ...inherited,
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `http://127.0.0.1:${(credentials.address() as AddressInfo).port}/credentials`,
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL: s3.endpoint,
    }
    const push = startCli(['push', '--job', 'late', '--tee', '--exit-code', '0', '--store', 's3://tee/late'], {env})
    const done = collect(push)
    let teed = ''
    push.stdout!.on('data', (chunk: Buffer) => (teed += chunk.toString()))
    push.stdin!.write('first\n')
    // The store cannot open before the credentials request below is answered.
    await waitUntil(() => teed === 'first\n', {what: 'the first line on stdout while the store opens'})
    push.stdin!.end('second\n')
    await waitUntil(() => teed === 'first\nsecond\n', {what: 'every line on stdout while the store opens'})
    await waitUntil(() => held.length > 0, {what: "the store's credentials request"})
    expect(push.exitCode).toBeNull()
    const expiration = new Date(Date.now() + 3_600_000).toISOString()
    for (const response of held.splice(0)) {
      response.setHeader('content-type', 'application/json')
      response.end(JSON.stringify({AccessKeyId: S3RVER_CREDENTIALS.accessKeyId, SecretAccessKey: S3RVER_CREDENTIALS.secretAccessKey, Token: 'late', Expiration: expiration}))
    }
    const result = await done
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toBe('first\nsecond\n')
    const got = await runCli(['get', 'late', '--store', 's3://tee/late', '--output', 'raw'], {env: {...isolatedEnv(home.home), ...s3.env()}})
    expect(got.stdout).toBe('first\nsecond\n')
  })
})

describe('run while the store opens', () => {
  it('a store that cannot be opened: the command still runs to its end, its output passed through; run exits 1 naming the store', async () => {
    const ran = await runCli(['run', '--job', 'no-store', '--store', 'file:///proc/nope', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3'], {env: isolatedEnv(home.home)})
    expect(ran.stdout).toBe('out\n')
    expect(ran.stderr).toMatch(/^err\n/)
    expect(ran.stderr).toContain('/proc/nope')
    expect(ran.code).toBe(1)
  })

  it('a store URL that is malformed or of an unknown scheme is exit 2 before the command starts', async () => {
    for (const store of ['bogus://x', 'redis://[::1']) {
      const ran = await runCli(['run', '--job', 'typo', '--store', store, '--', 'sh', '-c', 'echo started'], {env: isolatedEnv(home.home)})
      expect(ran.stdout).toBe('')
      expect(ran.stderr).toMatch(/live store/)
      expect(ran.code).toBe(2)
    }
    const pushed = await runCli(['push', '--job', 'typo', '--tee', '--url', 'ftp://relay'], {env: isolatedEnv(home.home), input: 'a line\n'})
    expect(pushed.stderr).toContain('must be http:// or https://')
    expect(pushed.code).toBe(2)
  })
})
