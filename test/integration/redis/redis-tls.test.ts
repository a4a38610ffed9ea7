/** `rediss://` is Redis over TLS: the server's certificate is verified (here against a test CA given by NODE_EXTRA_CA_CERTS). */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, expect, it} from 'vitest'
import {collect, isolatedEnv, runCli, startCli, tempHome} from '../../helpers/cli.js'
import {makeTlsFiles, startRedis, type RedisServer, type TlsFiles} from '../../helpers/redis-server.js'
import {waitUntil} from '../../helpers/wait.js'

let server: RedisServer
let tls: TlsFiles
let certs: string
let home: {home: string; cleanup: () => void}

beforeAll(async () => {
  home = tempHome()
  certs = mkdtempSync(join(tmpdir(), 'logs-tls-'))
  tls = await makeTlsFiles(certs)
  server = await startRedis({tls})
})

afterAll(async () => {
  await server?.destroy()
  rmSync(certs, {recursive: true, force: true})
  home?.cleanup()
})

it('push and get over rediss:// with a trusted certificate', async () => {
  const env = isolatedEnv(home.home, {NODE_EXTRA_CA_CERTS: tls.ca})
  const store = server.tlsUrl!
  const pushed = await runCli(['push', '--job', 'secure', '--store', store], {env, input: 'over tls\n'})
  expect(pushed.stderr).not.toContain('logs:')
  expect(pushed.code).toBe(0)
  const got = await runCli(['get', 'secure', '--store', store], {env})
  expect(got.stdout).toBe('over tls\n')
  expect(await server.cli('EXISTS', 'logs:{secure}:log')).toBe('1')
})

it('an untrusted certificate is refused, and said so', async () => {
  const got = await runCli(['ls', '--store', server.tlsUrl!], {env: isolatedEnv(home.home)})
  expect(got.code).toBe(1)
  expect(got.stderr).toMatch(/certificate/)
})

it('get -f over rediss:// gives up after one retry budget once Redis is gone for good', async () => {
  const env = isolatedEnv(home.home, {NODE_EXTRA_CA_CERTS: tls.ca})
  const push = startCli(['push', '--job', 'secure-gone', '--store', server.tlsUrl!], {env})
  const pushed = collect(push)
  push.stdin!.write('over tls\n')
  await waitUntil(async () => (await server.cli('HGET', 'logs:{secure-gone}:meta', 'lines')) === '1', {what: 'push storing its line'})
  const follower = startCli(['get', 'secure-gone', '-f', '--store', `${server.tlsUrl!}/?retry-for=3s`], {env})
  const followed = collect(follower, 30_000)
  await waitUntil(async () => (await server.blockedClients()) > 0, {
    what: 'the follower waiting in XREAD BLOCK',
    failed: () => (follower.exitCode !== null ? `it exited ${follower.exitCode}` : undefined),
  })
  await server.stop() // for good: the last test of the file
  const result = await followed
  push.kill('SIGKILL')
  await pushed
  // Before: still following when the test's SIGKILL came at 30 s.
  expect(result.code, result.stderr).toBe(1)
  expect(result.stdout).toBe('over tls\n')
  expect(result.stderr).toMatch(
    /^logs: cannot use rediss:\/\/localhost:\d+: Redis is not reachable: connection refused by [\d.:]+ \(is redis-server running\?\) \(waited 3s for an answer\)\n$/,
  )
}, 60_000)
