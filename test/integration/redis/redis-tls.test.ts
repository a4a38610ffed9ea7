/** `rediss://` is Redis over TLS: the server's certificate is verified (here against a test CA given by NODE_EXTRA_CA_CERTS). */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, expect, it} from 'vitest'
import {isolatedEnv, runCli, tempHome} from '../../helpers/cli.js'
import {makeTlsFiles, startRedis, type RedisServer, type TlsFiles} from '../../helpers/redis-server.js'

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
