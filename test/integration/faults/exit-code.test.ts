/**
 * Exit codes are 0-255 everywhere (issue 18, item 9): `push --exit-code` and the relay's
 * `?end=1&exit-code=` refuse anything else (exit 2 / HTTP 400) and end nothing.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {runCli} from '../../helpers/cli.js'
import {useIsolatedHome} from '../../helpers/isolated-home.js'
import {raw, startTestRelay, type TestRelay} from '../../helpers/relay.js'

const home = useIsolatedHome()

describe('push --exit-code', () => {
  it.each(['999', '-1', 'abc'])('refuses %s with exit 2, naming the flag and the accepted range; no job is created', async (value) => {
    const job = `bad-code-${value.replace(/\W/g, '_')}`
    const result = await runCli(['push', '--job', job, `--exit-code=${value}`], {env: home.env, input: 'a line\n'})
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('--exit-code')
    expect(result.stderr).toContain('0 to 255')
    expect((await runCli(['ls', '--json'], {env: home.env})).stdout).not.toContain(job)
  })

  it.each([
    ['0', 'succeeded'],
    ['255', 'failed'],
  ])('accepts %s', async (value, status) => {
    const result = await runCli(['push', '--job', `code-${value}`, '--exit-code', value], {env: home.env, input: 'a line\n'})
    expect(result.code).toBe(0)
    const [meta] = JSON.parse((await runCli(['ls', '--json', '--prefix', `code-${value}`], {env: home.env})).stdout)
    expect(meta).toMatchObject({status, exitCode: Number(value)})
  })
})

describe('the relay: POST ?end=1&exit-code=', () => {
  let relay: TestRelay
  beforeAll(async () => {
    relay = await startTestRelay()
  })
  afterAll(async () => relay?.stop())

  it.each(['abc', '-1', '256', '999', '1e2'])('answers 400 to %s and leaves the job running', async (value) => {
    const url = `${relay.url}/v1/jobs/relay-code/logs`
    expect((await raw(`${url}?start=1`, {method: 'POST', body: 'one\n'})).status).toBe(200)
    const answer = await raw(`${url}?end=1&exit-code=${encodeURIComponent(value)}`, {method: 'POST', body: ''})
    expect(answer.status).toBe(400)
    expect(answer.json().error).toContain('0 to 255')
    expect((await relay.store.getJob('relay-code'))?.status).toBe('running')
  })

  it('ends the job with 0-255', async () => {
    const answer = await raw(`${relay.url}/v1/jobs/relay-ok/logs?end=1&exit-code=255`, {method: 'POST', body: 'one\n'})
    expect(answer.status).toBe(200)
    expect(await relay.store.getJob('relay-ok')).toMatchObject({status: 'failed', exitCode: 255})
  })
})
