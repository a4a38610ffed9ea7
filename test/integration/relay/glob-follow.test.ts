/**
 * `get -f 'g-*' --url` follows a glob through the relay as `get -f 'g-*'` does on the
 * store: the running job's lines, a matching job that starts later, each line prefixed
 * with its job, until every one has ended, with the first failure as --exit-code.
 */
import {afterAll, beforeAll, expect, it} from 'vitest'
import {collect, isolatedEnv, startCli, tempHome} from '../../helpers/cli.js'
import {raw, startTestRelay, type TestRelay} from '../../helpers/relay.js'
import {waitUntil} from '../../helpers/wait.js'

let relay: TestRelay
let home: {home: string; cleanup: () => void}

beforeAll(async () => {
  home = tempHome()
  relay = await startTestRelay()
})
afterAll(async () => {
  await relay?.stop()
  home?.cleanup()
})

it('get -f GLOB --url picks up a matching job that starts later and exits with the first failure', async () => {
  expect((await raw(`${relay.url}/v1/jobs/g-1/logs`, {method: 'POST', body: 'g1 first\n'})).status).toBe(200)
  const child = startCli(['get', 'g-*', '-f', '--exit-code', '--url', relay.url], {env: isolatedEnv(home.home)})
  const result = collect(child)
  let seen = ''
  child.stdout!.on('data', (chunk: Buffer) => (seen += chunk.toString()))
  const exited = () => (child.exitCode !== null ? `it exited ${child.exitCode}` : undefined)
  await waitUntil(() => seen.includes('g-1 g1 first'), {what: 'the running job its glob found', failed: exited})
  expect((await raw(`${relay.url}/v1/jobs/g-2/logs?end=1&exit-code=0`, {method: 'POST', body: 'g2 only\n'})).status).toBe(200)
  await waitUntil(() => seen.includes('g-2 g2 only'), {what: 'the job that started later', failed: exited})
  expect((await raw(`${relay.url}/v1/jobs/g-1/logs?end=1&exit-code=7`, {method: 'POST', body: 'g1 later\n'})).status).toBe(200)
  const {code, stdout, stderr} = await result
  expect(stderr).toBe('')
  expect(stdout).toBe('g-1 g1 first\ng-2 g2 only\ng-1 g1 later\n')
  expect(code).toBe(7)
})
