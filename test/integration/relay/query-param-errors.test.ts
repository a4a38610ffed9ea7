/**
 * The relay's 400s for bad job lists, label selectors and filters are written for an HTTP
 * client: they name the query parameter it sent (`jobs=`, `l=`, `labelSelector=`, `grep`…),
 * quote its value as sent, and never speak of CLI arguments or flags it never used. The CLI,
 * through the relay or not, keeps its own wording.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {isolatedEnv, runCli, tempHome} from '../../helpers/cli.js'
import {startServeCli, startTestRelay, stopServeCli} from '../../helpers/relay.js'

let home: {home: string; cleanup: () => void}
let env: NodeJS.ProcessEnv
let server: Awaited<ReturnType<typeof startServeCli>>

beforeAll(async () => {
  home = tempHome()
  env = isolatedEnv(home.home, {LOGS_STORE: `file://${home.home}/live`, LOGS_ARCHIVE: `file://${home.home}/archive`})
  for (const job of ['web-1', 'web-2']) {
    const pushed = await runCli(['push', '--job', job, '--label', 'tier=web'], {env, input: `${job} hello\n`})
    expect(pushed.code, pushed.stderr).toBe(0)
  }
  server = await startServeCli([], env)
})

afterAll(async () => {
  if (server) await stopServeCli(server)
  home?.cleanup()
})

/** Words of the CLI an HTTP client never typed: flags, positional arguments, commands. */
const CLI_WORDING = /--|(^|\W)-l\b|argument|\blogs (get|tail|ls)\b|\bflag/

async function badRequest(path: string): Promise<string> {
  const response = await fetch(`${server.url}${path}`)
  const text = await response.text()
  expect(response.status, `${path}: ${text}`).toBe(400)
  const error = (JSON.parse(text) as {error: string}).error
  expect(typeof error, path).toBe('string')
  return error
}

describe('GET /v1/logs: a bad jobs= or label selector is a 400 naming the parameter', () => {
  it.each([
    ['a bad id', 'jobs=bad%5Bglob', /invalid job id "bad\[glob" \(jobs=\)/],
    ['a path for an id', 'jobs=web-1,..%2Fetc', /invalid job id "\.\.\/etc" \(jobs=\)/],
    ['a glob no id can match', 'jobs=a%20b*', /invalid job id pattern "a b\*" \(jobs=\)/],
    ['an empty item', 'jobs=web-1,,web-2', /jobs= "web-1,,web-2".*empty/],
    ['a trailing comma', 'jobs=web-1,', /jobs= "web-1,".*empty/],
    ['a bad l=', 'l=env%20in%20(x', /invalid label selector "env in \(x" for l=: unbalanced parentheses/],
    ['a bad l= beside jobs=', 'jobs=web-*&l=!', /invalid label selector "!" for l=: an empty requirement/],
    ['a bad labelSelector=', 'labelSelector=tier,,env', /invalid label selector "tier,,env" for labelSelector=: an empty requirement/],
    ['a good l= and a bad labelSelector=', 'l=tier&labelSelector=a%3Db%3Dc', /for labelSelector=: bad value/],
  ])('%s', async (_what, query, message) => {
    const error = await badRequest(`/v1/logs?${query}`)
    expect(error).toMatch(message)
    expect(error).not.toMatch(CLI_WORDING)
  })

  it('the filters name their parameters and quote the value as sent', async () => {
    // The value is quoted as sent: no `--` taken out of it.
    expect(await badRequest(`/v1/logs?jobs=web-*&grep=${encodeURIComponent('a--(')}`)).toMatch(/invalid regular expression "a--\(" for grep: /)
    expect(await badRequest(`/v1/logs?jobs=web-*&exclude=${encodeURIComponent('b--[')}`)).toMatch(/invalid regular expression "b--\[" for exclude: /)
    expect(await badRequest('/v1/logs?jobs=web-*&stream=std--out')).toMatch(/invalid stream "std--out"/)
    for (const [query, message] of [
      ['level=loud', /invalid level "loud" for level/],
      ['stream=stdin', /invalid stream "stdin"/],
      [Array.from({length: 17}, (_, i) => `exclude=x${i}`).join('&'), /too many patterns for grep and exclude: 17/],
    ] as const) {
      const error = await badRequest(`/v1/logs?jobs=web-*&${query}`)
      expect(error).toMatch(message)
      expect(error).not.toMatch(CLI_WORDING)
    }
  })

  it('a list that names nothing says which parameters to give', async () => {
    for (const query of ['', 'jobs=', 'l=']) {
      const error = await badRequest(`/v1/logs?${query}`)
      expect(error).toMatch(/jobs=.*l=/)
      expect(error).not.toMatch(CLI_WORDING)
    }
  })
})

describe('the other endpoints', () => {
  it('GET /v1/jobs names l= or labelSelector= as sent, and prefix', async () => {
    expect(await badRequest('/v1/jobs?l=env%20in%20(x')).toMatch(/invalid label selector "env in \(x" for l=/)
    expect(await badRequest('/v1/jobs?l=tier&labelSelector=a,,b')).toMatch(/invalid label selector "a,,b" for labelSelector=/)
    const prefix = await badRequest('/v1/jobs?prefix=..%2Fx')
    expect(prefix).toMatch(/invalid job id prefix "\.\.\/x" \(prefix\)/)
    expect(prefix).not.toMatch(CLI_WORDING)
  })

  it('a job history and its stream name their filter parameters and quote the value as sent', async () => {
    for (const path of ['/v1/jobs/web-1/logs', '/v1/jobs/web-1/logs/stream', '/v1/jobs/web-1/logs?format=ndjson&x=1']) {
      const join = path.includes('?') ? '&' : '?'
      const error = await badRequest(`${path}${join}grep=${encodeURIComponent('a--(')}`)
      expect(error).toMatch(/invalid regular expression "a--\(" for grep: /)
      expect(await badRequest(`${path}${join}stream=x--y`)).toMatch(/invalid stream "x--y"/)
      const level = await badRequest(`${path}${join}level=loud`)
      expect(level).toMatch(/invalid level "loud" for level/)
      expect(level).not.toMatch(CLI_WORDING)
    }
  })
})

describe('GET /v1/logs: the bound on jobs per query names what selected them', () => {
  it('too many jobs named in jobs=, or matched by its globs and l=, is a 400 naming them', async () => {
    const relay = await startTestRelay({limits: {maxQueryJobs: 1}})
    try {
      for (const id of ['q-1', 'q-2']) {
        await relay.store.startJob(id, {labels: {tier: 'q'}})
        await relay.store.endJob(id, {status: 'succeeded', exitCode: 0})
      }
      const ask = async (query: string) => {
        const response = await fetch(`${relay.url}/v1/logs?${query}`)
        expect(response.status, query).toBe(400)
        return ((await response.json()) as {error: string}).error
      }
      expect(await ask('jobs=q-1,q-2')).toMatch(/^jobs= names 2 jobs, more than the 1 one query may read/)
      expect(await ask('jobs=q-*')).toMatch(/^jobs= selects 2 jobs, more than the 1 one query may read/)
      expect(await ask('l=tier%3Dq')).toMatch(/^l= selects 2 jobs/)
      expect(await ask('labelSelector=tier%3Dq&jobs=q-*')).toMatch(/^jobs= and labelSelector= select 2 jobs/)
      for (const query of ['jobs=q-1,q-2', 'jobs=q-*', 'l=tier%3Dq']) expect(await ask(query)).not.toMatch(CLI_WORDING)
    } finally {
      await relay.stop()
    }
  })
})

describe('the CLI through the relay keeps its wording', () => {
  it('get --url with a bad glob or selector speaks of its argument and -l', async () => {
    const glob = await runCli(['get', '--url', server.url, 'bad[glob'], {env})
    expect(glob.code).toBe(2)
    expect(glob.stderr).toMatch(/invalid job id "bad\[glob" \(the job id argument\)/)
    const pattern = await runCli(['get', '--url', server.url, 'a b*'], {env})
    expect(pattern.code).toBe(2)
    expect(pattern.stderr).toMatch(/invalid job id pattern "a b\*" \(a job glob argument\)/)
    const selector = await runCli(['ls', '--url', server.url, '-l', 'env in (x'], {env})
    expect(selector.code).toBe(2)
    expect(selector.stderr).toMatch(/invalid label selector "env in \(x" for -l: unbalanced parentheses/)
    const none = await runCli(['get', '--url', server.url], {env})
    expect(none.code).toBe(2)
    expect(none.stderr).toMatch(/no job given[\s\S]*logs get JOB_ID/)
  })
})
