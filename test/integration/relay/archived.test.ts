/** Following and reading through the relay while `logs archive` moves the job to the archive. */
import {readdirSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, expect, it} from 'vitest'
import {isolatedEnv, runCli, tempHome} from '../../helpers/cli.js'
import {openRawStream, raw, startServeCli, stopServeCli} from '../../helpers/relay.js'
import {waitUntil} from '../../helpers/wait.js'

let home: {home: string; cleanup: () => void}
let env: NodeJS.ProcessEnv
let server: Awaited<ReturnType<typeof startServeCli>>
beforeAll(async () => {
  home = tempHome()
  env = isolatedEnv(home.home)
  server = await startServeCli([], env)
})
afterAll(async () => {
  await stopServeCli(server)
  home.cleanup()
})

const seqs = (events: {event: string; id?: string}[]) => events.filter((e) => e.event === 'log').map((e) => Number(e.id))
const body = (from: number, to: number) => Array.from({length: to - from + 1}, (_, i) => `line ${from + i}\n`).join('')

it('resumes a stream with Last-Event-ID after the job moved to the archive: no gap, no duplicate', async () => {
  expect((await raw(`${server.url}/v1/jobs/arch-1/logs?end=1&exit-code=0`, {method: 'POST', body: body(1, 300)})).status).toBe(200)
  const first = openRawStream(`${server.url}/v1/jobs/arch-1/logs/stream`)
  await waitUntil(() => seqs(first.events()).length >= 100)
  first.close()
  await first.closed
  // The client resumes from the 100th line: the stream may have sent it more (even all 300 and
  // `end`) before it closed, and a reconnect after the end is answered 204 with nothing.
  const seen = seqs(first.events()).slice(0, 100)

  const archived = await runCli(['archive', '--job', 'arch-1'], {env})
  expect(archived.code).toBe(0)
  expect((await raw(`${server.url}/v1/jobs/arch-1`)).json().location.kind).toBe('archived')

  const second = openRawStream(`${server.url}/v1/jobs/arch-1/logs/stream`, {'Last-Event-ID': String(seen.at(-1))})
  await second.closed
  expect([...seen, ...seqs(second.events())]).toEqual(Array.from({length: 300}, (_, i) => i + 1))
  expect(second.events().at(-1)).toMatchObject({event: 'end'})
  const page = (await raw(`${server.url}/v1/jobs/arch-1/logs?tail=2`)).json()
  expect(page.entries.map((e: {line: string}) => e.line)).toEqual(['line 299', 'line 300'])
})

it('keeps a live follower going while an abandoned job is archived', async () => {
  expect((await raw(`${server.url}/v1/jobs/arch-2/logs`, {method: 'POST', body: body(1, 50)})).status).toBe(200)
  const follower = openRawStream(`${server.url}/v1/jobs/arch-2/logs/stream`)
  await waitUntil(() => seqs(follower.events()).length === 50)
  // Idle for --idle 1s by the job's own clock: a second past its last update.
  const {updatedAt} = (await raw(`${server.url}/v1/jobs/arch-2`)).json() as {updatedAt: number}
  await waitUntil(() => Date.now() > updatedAt + 1000, {what: 'the job idle for 1 s', interval: 50})
  const archived = await runCli(['archive', '--idle', '1s'], {env})
  expect(archived.code).toBe(0)
  await follower.closed
  expect(seqs(follower.events())).toEqual(Array.from({length: 50}, (_, i) => i + 1))
  expect(JSON.parse(follower.events().at(-1)!.data)).toMatchObject({status: 'abandoned'})
})

it('DELETE of an archived job deletes it from the archive (object, block index and manifest); logs rm --url does the same', async () => {
  const archiveDir = join(home.home, 'data', 'logs', 'archive')
  for (const id of ['arch-del', 'arch-rm']) {
    expect((await raw(`${server.url}/v1/jobs/${id}/logs?end=1&exit-code=0`, {method: 'POST', body: body(1, 20)})).status).toBe(200)
  }
  expect((await runCli(['archive', '--job', 'arch-del', '--job', 'arch-rm'], {env})).code).toBe(0)
  expect(readdirSync(archiveDir).filter((name) => /^arch-(del|rm)\./.test(name))).toHaveLength(6) // object, block index, manifest

  const deleted = await raw(`${server.url}/v1/jobs/arch-del`, {method: 'DELETE'})
  expect(deleted.status).toBe(200)
  expect(deleted.json()).toMatchObject({deleted: 'arch-del', dryRun: false, from: [{store: 'archive', url: expect.stringMatching(/arch-del\.jsonl\.zst$/)}]})
  expect((await raw(`${server.url}/v1/jobs/arch-del`)).status).toBe(404)
  expect((await raw(`${server.url}/v1/jobs/arch-del/logs`)).status).toBe(404)
  expect((await raw(`${server.url}/v1/jobs`)).json().jobs.map((j: {id: string}) => j.id)).not.toContain('arch-del')
  expect(readdirSync(archiveDir).filter((name) => name.startsWith('arch-del'))).toEqual([])
  expect((await raw(`${server.url}/v1/jobs/arch-del`, {method: 'DELETE'})).status).toBe(404)

  const remote = {...env, LOGS_URL: server.url}
  const dry = await runCli(['rm', 'arch-rm', '--dry-run'], {env: remote})
  expect(dry).toMatchObject({code: 0, stderr: ''})
  expect(dry.stdout).toMatch(/^would delete arch-rm from the archive file:\/\/.*arch-rm\.jsonl\.zst\n$/)
  expect(readdirSync(archiveDir).filter((name) => name.startsWith('arch-rm'))).toHaveLength(3)
  const removed = await runCli(['rm', 'arch-rm', 'arch-never'], {env: remote})
  expect(removed.stdout).toMatch(/^deleted arch-rm from the archive file:\/\/.*arch-rm\.jsonl\.zst\n$/)
  expect(removed.stderr).toMatch(/logs: job arch-never not found in relay http:\/\/127\.0\.0\.1:\d+/)
  expect(removed.code).toBe(1)
  expect(readdirSync(archiveDir).filter((name) => name.startsWith('arch-rm'))).toEqual([])
})
