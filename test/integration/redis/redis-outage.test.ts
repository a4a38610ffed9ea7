/**
 * Redis (AOF on) stopped for 5 s in the middle of a `push` of 200 000 lines, then
 * restarted: every line is in Redis once, in order, with gapless sequence numbers, and a
 * `get -f` follower that is following when Redis goes away prints every line once.
 */
import {once} from 'node:events'
import type {Writable} from 'node:stream'
import {setTimeout as sleep} from 'node:timers/promises'
import {waitUntil} from '../../helpers/wait.js'
import {afterAll, beforeAll, expect, it} from 'vitest'
import {collect, isolatedEnv, runCli, startCli, tempHome} from '../../helpers/cli.js'
import {redisSandbox} from '../../helpers/redis-sandbox.js'

const LINES = 200_000
const server = redisSandbox()
let home: {home: string; cleanup: () => void}

beforeAll(() => {
  home = tempHome()
})

afterAll(async () => {
  home?.cleanup()
})

async function write(stream: Writable, from: number, to: number): Promise<void> {
  const step = 5000
  for (let start = from; start <= to; start += step) {
    const end = Math.min(to, start + step - 1)
    let text = ''
    for (let i = start; i <= end; i++) text += `${i} the quick brown fox jumps over the lazy dog\n`
    if (!stream.write(text)) await once(stream, 'drain')
  }
}

async function storedLines(): Promise<number> {
  return Number((await server.cli('HGET', 'logs:{outage}:meta', 'lines')) || 0)
}

it('loses nothing, duplicates nothing, and the follower prints every line once', async () => {
  const env = isolatedEnv(home.home)
  const store = server.url
  const follower = startCli(['get', 'outage', '-f', '--output', 'raw', '--store', store], {env})
  const followed = collect(follower, 120_000)
  const push = startCli(['push', '--job', 'outage', '--exit-code', '0', '--store', store], {env})
  const pushed = collect(push, 120_000)

  await write(push.stdin!, 1, LINES / 2)
  await waitUntil(async () => (await storedLines()) > 0, {what: 'push delivering to Redis', interval: 20})
  // The outage is for a follower that follows. One still starting (node starts slowly on a
  // loaded machine) reads the job on the connection of every command, which fails at once
  // while Redis is down (exit 1, as documented); its follow has a connection of its own,
  // the only one that sends XREAD, and that one waits for Redis to come back.
  await waitUntil(async () => /\bcmd=xread\b/.test(await server.cli('CLIENT', 'LIST')), {
    what: 'the follower following (its XREAD)',
    failed: () => (follower.exitCode !== null ? `it exited ${follower.exitCode}` : undefined),
  })
  // now take Redis away
  const storedAtStop = await storedLines()
  await server.stop()
  const atStop = Date.now()
  await write(push.stdin!, LINES / 2 + 1, LINES) // push keeps reading stdin while Redis is down
  await sleep(Math.max(0, 5000 - (Date.now() - atStop)))
  await server.start()
  push.stdin!.end()

  const pushResult = await pushed
  expect(storedAtStop).toBeLessThan(LINES) // Redis went away in the middle of the push
  expect(pushResult.code).toBe(0)
  expect(pushResult.stderr.match(/unreachable/g)?.length ?? 0).toBeLessThanOrEqual(1)
  expect(pushResult.stderr).not.toMatch(/\n\s+at /)

  const expected = Array.from({length: LINES}, (_, i) => `${i + 1} the quick brown fox jumps over the lazy dog\n`).join('')
  const followResult = await followed
  expect(followResult.code, followResult.stderr).toBe(0)
  expect(followResult.stdout.length).toBe(expected.length)
  expect(followResult.stdout === expected).toBe(true)

  expect(await storedLines()).toBe(LINES)
  const json = await runCli(['get', 'outage', '--output', 'json', '--store', store], {env, timeout: 120_000})
  const entries = json.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as {seq: number; line: string})
  expect(entries.length).toBe(LINES)
  expect(entries.every((entry, i) => entry.seq === i + 1 && entry.line === `${i + 1} the quick brown fox jumps over the lazy dog`)).toBe(true)
}, 180_000)

it('a get -f follower stops at SIGTERM while Redis is down (its pending read is not waited for)', async () => {
  const follower = startCli(['get', 'not-yet', '-f', '--store', server.url], {env: isolatedEnv(home.home)})
  const followed = collect(follower, 60_000)
  try {
    await waitUntil(async () => (await server.blockedClients()) > 0, {
      what: 'the follower waiting in XREAD BLOCK',
      failed: () => (follower.exitCode !== null ? `it exited ${follower.exitCode}` : undefined),
    })
    await server.stop()
    follower.kill('SIGTERM')
    const result = await followed
    // Before: the read queued for the reconnect never settled and the follower ran until killed (SIGKILL). Stopped, it dies of SIGTERM (cli/execute.ts).
    expect(result.signal, `still running at SIGTERM; stderr: ${result.stderr}`).toBe('SIGTERM')
    expect(result.stderr).not.toMatch(/\n\s+at /)
  } finally {
    await server.start()
  }
}, 90_000)
