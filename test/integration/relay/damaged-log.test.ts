/**
 * A file-store log cut short (a full disk, a partial copy or restore), read directly and
 * through a real `logs serve`: `get --url` says what `get` says — the job, the store and
 * the damage, with the same hint — and exits as it does. Before, the relay answered a bare
 * 503 ("store … unavailable") and the client told an outage.
 */
import {statSync, truncateSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, expect, it} from 'vitest'
import {isolatedEnv, runCli, tempHome} from '../../helpers/cli.js'
import {raw, startServeCli} from '../../helpers/relay.js'

let home: {home: string; cleanup: () => void}
let env: NodeJS.ProcessEnv
let server: Awaited<ReturnType<typeof startServeCli>>
beforeAll(async () => {
  home = tempHome()
  env = isolatedEnv(home.home)
  server = await startServeCli([], env)
})
afterAll(async () => {
  server?.child.kill('SIGTERM')
  if (server && server.child.exitCode === null && server.child.signalCode === null) await new Promise((r) => server.child.once('exit', r))
  home?.cleanup()
})

it('get --url of a job whose log was cut short prints what get prints, with the same exit code', async () => {
  const lines = Array.from({length: 50}, (_, i) => `line ${i + 1}\n`).join('')
  expect((await runCli(['push', '--job', 'cut', '--exit-code', '0'], {env, input: lines})).code).toBe(0)
  const log = join(home.home, 'state', 'logs', 'jobs', 'cut', 'log')
  truncateSync(log, Math.floor(statSync(log).size / 2))

  const direct = await runCli(['get', 'cut'], {env})
  expect(direct.code).toBe(1)
  expect(direct.stderr).toMatch(/^logs: job cut in file:\/\/\S+ is damaged: its log or index is shorter than recorded \(at byte \d+\)\n {2}hint: .*`logs rm cut`\n$/)

  const remote = await runCli(['get', 'cut', '--url', server.url], {env})
  expect({code: remote.code, stdout: remote.stdout, stderr: remote.stderr}).toEqual({code: direct.code, stdout: direct.stdout, stderr: direct.stderr})
  const raws = await runCli(['get', 'cut', '--output', 'raw', '--url', server.url], {env})
  expect({code: raws.code, stderr: raws.stderr}).toEqual({code: direct.code, stderr: direct.stderr})

  // The relay's own answer: a damaged job (500), not a store that is down (503).
  const answer = await raw(`${server.url}/v1/jobs/cut/logs`)
  expect(answer.status).toBe(500)
  expect(answer.json()).toMatchObject({code: 'damaged-log', error: direct.stderr.split('\n')[0].slice('logs: '.length)})
})
