/**
 * The relay's `status` SSE event for every live store kind: a real `logs serve` over
 * Redis and over an object store (s3rver), fed by a real `logs push`, read as raw SSE by
 * a client. A status event comes when phase or progress change, not for plain lines.
 * (The file store's case is in test/integration/cli/sections.test.ts.)
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {collect, isolatedEnv, startCli, tempHome} from '../../helpers/cli.js'
import {startRedis, type RedisServer} from '../../helpers/redis-server.js'
import {openRawStream, startServeCli, stopServeCli, type SseEvent} from '../../helpers/relay.js'
import {startS3Server, type S3Server} from '../../helpers/s3-server.js'
import {waitUntil} from '../../helpers/wait.js'
import {startTogether} from '../../helpers/start-together.js'

let home: {home: string; cleanup: () => void}
let redis: RedisServer
let s3: S3Server
beforeAll(async () => {
  home = tempHome()
  ;[redis, s3] = await startTogether([startRedis(), startS3Server()])
  await s3.createBucket('live')
})
afterAll(async () => {
  await Promise.all([redis?.destroy(), s3?.destroy()])
  home?.cleanup()
})

const env = () => isolatedEnv(home.home, {...s3.env(), AWS_EC2_METADATA_DISABLED: 'true'})
const statuses = (events: SseEvent[]) => events.filter((e) => e.event === 'status').map((e) => JSON.parse(e.data) as {phase?: string; progress?: number; status: string})

for (const [kind, store, pushFlags] of [
  ['redis', () => `${redis.url}?prefix=status:`, [] as string[]],
  ['an object store (s3rver)', () => 's3://live/status', ['--flush-interval', '100ms']],
] as const) {
  describe(`status events of a job in ${kind}`, () => {
    it('reach a follower of the relay when phase or progress change, and only then', async () => {
      const relay = await startServeCli(['--host', '127.0.0.1', '--store', store()], env())
      const pusher = startCli(['push', '--job', 'deploy', '--store', store(), ...pushFlags], {env: env()})
      const pushed = collect(pusher)
      try {
        pusher.stdin!.write('::group::Deploy\n')
        const stream = openRawStream(`${relay.url}/v1/jobs/deploy/logs/stream`)
        // The open section is the phase until a JSON line names one.
        await waitUntil(() => statuses(stream.events()).some((s) => s.phase === 'Deploy'), {what: 'a status with the section as phase'})
        const before = statuses(stream.events()).length
        pusher.stdin!.write('{"phase":"migrate","progress":60}\n')
        await waitUntil(() => statuses(stream.events()).some((s) => s.progress === 60), {what: 'a status event with the JSON phase and progress'})
        pusher.stdin!.write('plain 1\nplain 2\nplain 3\n')
        await waitUntil(() => stream.events().filter((e) => e.event === 'log').length === 5, {what: 'five lines streamed'})
        pusher.stdin!.write('{"progress":80}\n')
        await waitUntil(() => statuses(stream.events()).some((s) => s.progress === 80), {what: 'a status event with the new progress'})
        expect(
          statuses(stream.events())
            .slice(before)
            .map((s) => [s.status, s.phase, s.progress]),
        ).toEqual([
          ['running', 'migrate', 60],
          ['running', 'migrate', 80],
        ])
        pusher.stdin!.end()
        expect((await pushed).code).toBe(0)
        await stream.closed
        const end = stream.events().at(-1)!
        expect(end.event).toBe('end')
        expect(JSON.parse(end.data)).toMatchObject({status: 'ended', phase: 'migrate', progress: 80, lines: 6})
      } finally {
        pusher.stdin!.end()
        await pushed
        await stopServeCli(relay)
      }
    })
  })
}

describe('status and end events of a job with thousands of sections', () => {
  it('carry the section count, not the sections (a few hundred bytes each); GET /sections has them all', async () => {
    const store = `file://${home.home}/many-sections`
    const relay = await startServeCli(['--host', '127.0.0.1', '--store', store], env())
    const pusher = startCli(['push', '--job', 'sectioned', '--store', store], {env: env()})
    const pushed = collect(pusher)
    const SECTIONS = 3000
    try {
      const stream = openRawStream(`${relay.url}/v1/jobs/sectioned/logs/stream`)
      const groups = Array.from({length: SECTIONS}, (_, i) => `::group::step ${i + 1}\nwork ${i + 1}\n::endgroup::\n`).join('')
      pusher.stdin!.write(groups)
      const counts = () => statuses(stream.events()).map((s) => (s as unknown as {sectionCount: number; sectionsClosed: number}).sectionsClosed)
      await waitUntil(() => counts().includes(SECTIONS), {what: `a status event counting ${SECTIONS} closed sections`})
      pusher.stdin!.end('{"progress":100}\n')
      expect((await pushed).code).toBe(0)
      await stream.closed
      const events = stream.events().filter((e) => e.event === 'status' || e.event === 'end')
      expect(events.at(-1)!.event).toBe('end')
      for (const event of events) {
        expect(Buffer.byteLength(event.data)).toBeLessThan(1024)
        expect(JSON.parse(event.data)).not.toHaveProperty('sections')
      }
      expect(JSON.parse(events.at(-1)!.data)).toMatchObject({status: 'ended', progress: 100, sectionCount: SECTIONS, sectionsClosed: SECTIONS})
      const report = (await (await fetch(`${relay.url}/v1/jobs/sectioned/sections`)).json()) as {sections: {title?: string}[]}
      expect(report.sections).toHaveLength(SECTIONS)
      expect(report.sections.at(-1)!.title).toBe(`step ${SECTIONS}`)
      // What the status events would weigh with the sections in them.
      expect(Buffer.byteLength(JSON.stringify(report))).toBeGreaterThan(100 * 1024)
    } finally {
      pusher.stdin!.end()
      await pushed
      await stopServeCli(relay)
    }
  })
})
