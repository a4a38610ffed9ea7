/**
 * GET /v1/logs?jobs=…: several jobs, live and archived (Supabase stand-in), as streamed
 * NDJSON with `job` — the same bytes `logs get … -o json` prints — with the history
 * filters, read auth, a bound on the jobs of one query, and hostile input refused with 400.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {isolatedEnv, runCli, tempHome} from '../../helpers/cli.js'
import {raw, startServeCli, startTestRelay, stopServeCli} from '../../helpers/relay.js'
import {startSupabaseStandin, type SupabaseStandin} from '../../helpers/supabase-storage-standin.js'
import {withLive} from '../archive/archive-helpers.js'

let home: {home: string; cleanup: () => void}
let env: NodeJS.ProcessEnv
let supabase: SupabaseStandin
let server: Awaited<ReturnType<typeof startServeCli>>
const BASE = Date.parse('2026-03-01T10:00:00Z')
const READ = {Authorization: 'Bearer viewer'}

beforeAll(async () => {
  home = tempHome()
  supabase = await startSupabaseStandin()
  env = isolatedEnv(home.home, {...supabase.env(), LOGS_STORE: `file://${home.home}/live`, LOGS_ARCHIVE: 'supabase://logs/many'})
  await withLive(`file://${home.home}/live`, env, async (store) => {
    const jobs: Record<string, Array<[number, string]>> = {
      'web-1': [
        [0, 'web1 start'],
        [20, 'ERROR web1 boom'],
      ],
      'web-2': [
        [10, 'web2 start'],
        [20, 'web2 tie'],
      ],
      'db-1': [[15, 'db1 needle-42']],
    }
    for (const [id, lines] of Object.entries(jobs)) {
      await store.startJob(id, {labels: {tier: id.startsWith('web') ? 'web' : 'db'}})
      await store.append(
        id,
        lines.map(([ms, text]) => ({ts: BASE + ms, bytes: Buffer.from(text), eol: true, ...(text.startsWith('ERROR') ? {level: 'error' as const} : {})})),
      )
      await store.endJob(id, {status: 'succeeded', exitCode: 0})
    }
  })
  const archived = await runCli(['archive', '--job', 'web-2', '--job', 'db-1'], {env})
  expect(archived.code, archived.stderr).toBe(0)
  server = await startServeCli(['--token', 's3cret', '--read-token', 'viewer'], env)
})

afterAll(async () => {
  if (server) await stopServeCli(server)
  await supabase?.stop()
  home?.cleanup()
})

const get = (query: string, headers: Record<string, string> = READ) => raw(`${server.url}/v1/logs?${query}`, {headers})
const jobLines = (body: string) =>
  body
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const record = JSON.parse(line) as {job: string; line: string}
      return `${record.job} ${record.line}`
    })

describe('GET /v1/logs', () => {
  it('streams NDJSON with job, merged by time, byte for byte what logs get -o json prints', async () => {
    const response = await get('jobs=web-1,web-2&jobs=db-*')
    expect(response.status).toBe(200)
    expect(response.headers['content-type']).toBe('application/x-ndjson; charset=utf-8')
    expect(jobLines(response.body)).toEqual(['web-1 web1 start', 'web-2 web2 start', 'db-1 db1 needle-42', 'web-1 ERROR web1 boom', 'web-2 web2 tie'])
    const cli = await runCli(['get', 'web-1', 'web-2', 'db-*', '-o', 'json'], {env})
    expect(response.body).toBe(cli.stdout)
  })

  it('takes the history filters, l=, tail, limit and by-job', async () => {
    expect(jobLines((await get('jobs=*&level=error')).body)).toEqual(['web-1 ERROR web1 boom'])
    expect(jobLines((await get('jobs=*&grep=NEEDLE&i=1')).body)).toEqual(['db-1 db1 needle-42'])
    expect(jobLines((await get('jobs=*&exclude=start&exclude=needle')).body)).toEqual(['web-1 ERROR web1 boom', 'web-2 web2 tie'])
    expect(jobLines((await get(`jobs=*&since=${BASE + 15}&until=${new Date(BASE + 20).toISOString()}`)).body)).toEqual(['db-1 db1 needle-42'])
    expect(jobLines((await get('l=tier%3Dweb&tail=2')).body)).toEqual(['web-1 ERROR web1 boom', 'web-2 web2 tie'])
    expect(jobLines((await get('jobs=web-*&limit=1')).body)).toEqual(['web-1 web1 start'])
    expect(jobLines((await get('jobs=web-2,web-1&by-job=1')).body)).toEqual(['web-2 web2 start', 'web-2 web2 tie', 'web-1 web1 start', 'web-1 ERROR web1 boom'])
    expect((await get('jobs=nothing-*')).body).toBe('')
  })

  it('needs a read token like the other read endpoints', async () => {
    expect((await get('jobs=*', {})).status).toBe(401)
    expect((await get('jobs=*', {Authorization: 'Bearer wrong'})).status).toBe(401)
    expect((await get('jobs=*', {Authorization: 'Bearer s3cret'})).status).toBe(200)
    expect((await raw(`${server.url}/v1/logs?jobs=*`, {method: 'POST', headers: {Authorization: 'Bearer s3cret'}})).status).toBe(405)
  })

  it('refuses hostile or bad input with 400 naming the parameter; an unknown job is 404', async () => {
    const cases: Array<[string, RegExp]> = [
      ['', /give jobs= .* or l=/],
      ['jobs=..%2Fetc', /invalid job id "\.\.\/etc" \(jobs=\)/],
      ['jobs=a%20b*', /invalid job id pattern "a b\*" \(jobs=\)/],
      ['jobs=*&grep=(', /invalid grep|grep/],
      ['jobs=*&level=loud', /invalid level "loud" for level/],
      ['jobs=*&tail=-1', /invalid tail/],
      ['jobs=*&limit=x', /invalid limit/],
      ['jobs=*&since=yesterday-ish', /since/],
      ['jobs=*&by-job=yes', /invalid by-job/],
      ['jobs=*&i=2', /invalid i/],
      ['l=env%20in%20(x', /invalid label selector "env in \(x" for l=/],
      [`jobs=${'a,'.repeat(4500)}`, /jobs= is longer than 8192 characters/],
      [`jobs=*${'&grep=x'.repeat(40)}`, /patterns|at most/],
    ]
    for (const [query, message] of cases) {
      const response = await get(query)
      expect(response.status, query.slice(0, 80)).toBe(400)
      expect(response.json().error, query.slice(0, 80)).toMatch(message)
    }
    const missing = await get('jobs=web-1,nope-3')
    expect(missing.status).toBe(404)
    expect(missing.json().error).toMatch(/job nope-3 not found/)
  })
})

describe('GET /v1/logs: the bound on jobs per query', () => {
  it('more jobs named or matched than maxQueryJobs is a 400 that says how to narrow it', async () => {
    const relay = await startTestRelay({limits: {maxQueryJobs: 2}})
    try {
      for (const id of ['q-1', 'q-2', 'q-3']) {
        await relay.store.startJob(id)
        await relay.store.append(id, [{ts: BASE, bytes: Buffer.from(`${id} hi`), eol: true}])
        await relay.store.endJob(id, {status: 'succeeded', exitCode: 0})
      }
      expect(jobLines((await raw(`${relay.url}/v1/logs?jobs=q-1,q-3`)).body)).toEqual(['q-1 q-1 hi', 'q-3 q-3 hi'])
      const named = await raw(`${relay.url}/v1/logs?jobs=q-1,q-2,q-3`)
      expect(named.status).toBe(400)
      expect(named.json().error).toMatch(/jobs= names 3 jobs, more than the 2 one query may read/)
      const globbed = await raw(`${relay.url}/v1/logs?jobs=q-*`)
      expect(globbed.status).toBe(400)
      expect(globbed.json().error).toMatch(/jobs= selects 3 jobs, more than the 2 one query may read/)
    } finally {
      await relay.stop()
    }
  })
})
