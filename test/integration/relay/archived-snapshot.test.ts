/**
 * `logs serve` and archived jobs: each request works from its own snapshot of a job (one
 * manifest read, however often the request looks at the job: its metadata, then its
 * entries), and no request serves a manifest an earlier one read. Counted by the Supabase
 * stand-in's log of downloads, with the built CLI serving.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {BlobArchive} from '../../../src/lib/archive/blob-archive.js'
import {SupabaseBucket, openSupabaseClient} from '../../../src/lib/store/object/supabase-bucket.js'
import {isolatedEnv, tempHome} from '../../helpers/cli.js'
import {iterate} from '../../helpers/iterables.js'
import {openRawStream, raw, startServeCli, stopServeCli} from '../../helpers/relay.js'
import {startSupabaseStandin, type SupabaseStandin} from '../../helpers/supabase-storage-standin.js'
import {endedMeta, stepJob} from '../archive/archive-helpers.js'

let supabase: SupabaseStandin
let home: {home: string; cleanup: () => void}
let server: Awaited<ReturnType<typeof startServeCli>>

const archive = (): BlobArchive =>
  new BlobArchive({bucket: new SupabaseBucket(openSupabaseClient(new URL('supabase://logs/relay'), {from: 'test', what: 'archive', env: supabase.env()})), blockBytes: 16 * 1024})

async function archiveJob(id: string, lines: number): Promise<void> {
  const entries = stepJob(lines)
  const store = archive()
  await store.put(endedMeta(id, entries), iterate(entries))
  await store.close()
}

beforeAll(async () => {
  supabase = await startSupabaseStandin()
  home = tempHome()
  await archiveJob('snap', 3000)
  server = await startServeCli([], isolatedEnv(home.home, {...supabase.env(), LOGS_ARCHIVE: 'supabase://logs/relay'}))
})

afterAll(async () => {
  if (server) await stopServeCli(server)
  await supabase?.stop()
  home?.cleanup()
})

/** Manifest downloads of `id` while `request` runs. */
async function manifestReads(id: string, request: () => Promise<unknown>): Promise<number> {
  const count = (): number => supabase.downloads.filter((d) => d.split(' ')[0] === `logs/relay/${id}.meta.json`).length
  const before = count()
  await request()
  return count() - before
}

const stepOf = (line: string): number => Number(/step (\d+) /.exec(line)?.[1])

describe('logs serve over an archived job', () => {
  it('reads its manifest once per request: metadata, history pages, download, many jobs, the SSE stream', async () => {
    const get = async (path: string) => {
      const response = await raw(`${server.url}${path}`)
      expect(response.status, response.body).toBe(200)
      return response
    }
    expect(await manifestReads('snap', async () => expect((await get('/v1/jobs/snap')).json().lines).toBe(3000))).toBe(1)
    expect(
      await manifestReads('snap', async () =>
        expect((await get('/v1/jobs/snap/logs?tail=3')).json().entries.map((e: {line: string}) => stepOf(e.line))).toEqual([2998, 2999, 3000]),
      ),
    ).toBe(1)
    expect(
      await manifestReads('snap', async () => expect((await get('/v1/jobs/snap/logs?after=100&limit=2')).json().entries.map((e: {seq: number}) => e.seq)).toEqual([101, 102])),
    ).toBe(1)
    expect(await manifestReads('snap', async () => expect((await get('/v1/jobs/snap/logs/download')).body.split('\n')).toHaveLength(3001))).toBe(1)
    expect(
      await manifestReads('snap', async () =>
        expect(
          (await get('/v1/logs?jobs=snap&tail=2')).body
            .trim()
            .split('\n')
            .map((line) => (JSON.parse(line) as {seq: number}).seq),
        ).toEqual([2999, 3000]),
      ),
    ).toBe(1)
    expect(
      await manifestReads('snap', async () => {
        const stream = openRawStream(`${server.url}/v1/jobs/snap/logs/stream?tail=2`)
        await stream.closed
        expect(stream.events().map((e) => e.event)).toEqual(['status', 'log', 'log', 'end'])
      }),
    ).toBe(1)
  })

  it('never serves a manifest an earlier request read: a job archived again is seen by the next request', async () => {
    await archiveJob('again', 100)
    expect((await raw(`${server.url}/v1/jobs/again/logs?tail=1`)).json().entries.map((e: {seq: number}) => e.seq)).toEqual([100])
    await archiveJob('again', 150)
    expect((await raw(`${server.url}/v1/jobs/again`)).json().lines).toBe(150)
    expect((await raw(`${server.url}/v1/jobs/again/logs?tail=1`)).json().entries.map((e: {seq: number}) => e.seq)).toEqual([150])
  })
})
