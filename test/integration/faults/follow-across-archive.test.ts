/**
 * A follower whose job is archived under it (issue 18, item 1): `get -f` and `tail`
 * reading slowly — their stdout is a pipe nobody reads for a while — while `logs archive
 * --job` moves the ended job. They must notice the move, go on from the archive at their
 * cursor, print every line exactly once and exit. With Redis the follower used to stay
 * blocked in `XREAD BLOCK 0` on the deleted stream forever. The relay's SSE followers
 * read through the same follow, and are checked across the same move.
 */
import {describe, expect, it} from 'vitest'
import {collect, runCli, startCli} from '../../helpers/cli.js'
import {openRawStream, startServeCli, stopServeCli} from '../../helpers/relay.js'
import {useIsolatedHome} from '../../helpers/isolated-home.js'
import {redisSandbox} from '../../helpers/redis-sandbox.js'

const LINES = 60_000
const home = useIsolatedHome()
const redis = redisSandbox()

const input = Array.from({length: LINES}, (_, i) => `line ${i + 1} ${'x'.repeat(40)}`).join('\n') + '\n'

describe.each([
  ['redis', () => `${redis.url}?prefix=moved:`],
  ['file', () => `file://${home.home}/live`],
])('followers across a move (%s live store)', (name, store) => {
  it.each([
    ['get -f', (job: string) => ['get', job, '-f']],
    ['tail (piped)', (job: string) => ['tail', job, '-n', String(LINES)]],
  ])('%s prints every line once and exits', async (reader, args) => {
    const job = `moved-${name}-${reader.split(' ')[0]}`
    const env = {...home.env, LOGS_STORE: store(), LOGS_ARCHIVE: `file://${home.home}/archive`}
    // The job is running when the follower starts, so the follower is in the live follow
    // (XREAD on Redis), not in a history read, when the job ends and moves.
    const pusher = startCli(['push', '--job', job], {env})
    const pushed = collect(pusher)
    pusher.stdin!.write(input.slice(0, input.indexOf('line 11 ')))
    const follower = startCli(args(job), {env})
    // Read one chunk, then stop reading: the follower is held by the full pipe.
    const first = await new Promise<Buffer>((resolve) => follower.stdout!.once('data', resolve))
    follower.stdout!.pause()
    pusher.stdin!.end(input.slice(input.indexOf('line 11 ')))
    expect((await pushed).code).toBe(0)
    const archived = await runCli(['archive', '--job', job], {env})
    expect(archived.stderr).toBe('')
    expect(archived.code).toBe(0)
    expect((await runCli(['ls', '--json', '--prefix', job], {env})).stdout).toContain('"kind": "archived"')

    const collected = collect(follower, 60_000)
    follower.stdout!.resume() // a 'data' listener alone does not resume a paused stream
    const result = await collected
    const printed = (first.toString('utf8') + result.stdout).split('\n').slice(0, -1)
    expect(result.code).toBe(0)
    expect(printed.length).toBe(LINES)
    expect(printed[0]).toBe(`line 1 ${'x'.repeat(40)}`)
    expect(printed.every((line, i) => line.startsWith(`line ${i + 1} `))).toBe(true)
  })
  it('an SSE follower of the relay gets every line once and the end', async () => {
    const job = `moved-${name}-sse`
    const env = {...home.env, LOGS_STORE: store(), LOGS_ARCHIVE: `file://${home.home}/archive`}
    const relay = await startServeCli([], env)
    try {
      const pusher = startCli(['push', '--job', job], {env})
      const pushed = collect(pusher)
      pusher.stdin!.write(input.slice(0, input.indexOf('line 11 ')))
      const stream = openRawStream(`${relay.url}/v1/jobs/${job}/logs/stream`)
      expect(await stream.status).toBe(200)
      pusher.stdin!.end(input.slice(input.indexOf('line 11 ')))
      expect((await pushed).code).toBe(0)
      const archived = await runCli(['archive', '--job', job], {env})
      expect(archived.stderr).toBe('')
      expect(archived.code).toBe(0)
      await stream.closed
      const seqs = stream
        .events()
        .filter((event) => event.event === 'log')
        .map((event) => Number(event.id))
      expect(seqs.length).toBe(LINES)
      expect(seqs.every((seq, i) => seq === i + 1)).toBe(true)
      expect(stream.events().at(-1)?.event).toBe('end')
    } finally {
      await stopServeCli(relay)
    }
  })
})
