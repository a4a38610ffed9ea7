/**
 * Redis (AOF on) stopped for 5 s in the middle of a `push` of 200 000 lines, then
 * restarted: every line is in Redis once, in order, with gapless sequence numbers, and a
 * `get -f` follower running through the outage prints every line once.
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
  await waitUntil(async () => (await storedLines()) > 0, {what: 'push delivering to Redis', interval: 20}) // now take Redis away
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
