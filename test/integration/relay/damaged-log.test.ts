/**
 * A file-store log cut short (a full disk, a partial copy or restore), read directly and
 * through a real `logs serve`: `get` prints every line before the damage, then names the
 * job, the store and where the damage is, with a hint, and exits 1; `get --url` prints and
 * says the same. Before, the relay answered a bare 503 ("store … unavailable") and the
 * client told an outage; and a read whose first step (4096 lines) met the damage printed
 * nothing before its error.
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

  const cutAt = Math.floor(statSync(log).size / 2)
  truncateSync(log, cutAt)
  // The lines whose bytes, newline included, are all before the cut.
  const whole = lines.slice(0, lines.lastIndexOf('\n', cutAt - 1) + 1)
  expect(whole.split('\n').length - 1).toBeGreaterThan(10)

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

  // The relay's own answer: a damaged job (500), not a store that is down (503).
  const answer = await raw(`${server.url}/v1/jobs/cut/logs`)
  expect(answer.status).toBe(500)
  expect(answer.json()).toMatchObject({code: 'damaged-log', error: direct.stderr.split('\n')[0].slice('logs: '.length)})
})
