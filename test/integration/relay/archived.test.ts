/** Following and reading through the relay while `logs archive` moves the job to the archive. */
import {afterAll, beforeAll, expect, it} from 'vitest'
import {isolatedEnv, runCli, tempHome} from '../../helpers/cli.js'
import {openRawStream, raw, startServeCli} from '../../helpers/relay.js'
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
  server.child.kill('SIGTERM')
  await new Promise((r) => server.child.once('exit', r))
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
  const seen = seqs(first.events())

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
  await new Promise((r) => setTimeout(r, 1200))
  const archived = await runCli(['archive', '--idle', '1s'], {env})
  expect(archived.code).toBe(0)
  await follower.closed
  expect(seqs(follower.events())).toEqual(Array.from({length: 50}, (_, i) => i + 1))
  expect(JSON.parse(follower.events().at(-1)!.data)).toMatchObject({status: 'abandoned'})
})
