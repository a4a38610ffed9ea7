/**
 * A line longer than --max-line-bytes is stored in pieces while it still has no newline,
 * each masked alone: a secret whose bytes arrive in two writes, across a piece's end,
 * must still be masked. Real pipes into the built CLI; the second write waits until the
 * first piece is stored.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {collect, isolatedEnv, runCli, startCli, tempHome} from '../../helpers/cli.js'
import {waitUntil} from '../../helpers/wait.js'

const MAX = 512
const TOKEN = 'ghp_16C7e42F292c6912E7710c838347Ae178B4a'
const VALUE = 'my secret value'

let home: {home: string; cleanup: () => void}
beforeAll(() => {
  home = tempHome()
})
afterAll(() => home?.cleanup())

const env = () => isolatedEnv(home.home)

interface Record {
  line: string
  partial?: boolean
}

async function stored(job: string): Promise<Record[]> {
  const got = await runCli(['get', job, '--output', 'json'], {env: env()})
  if (got.code !== 0) return []
  return got.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record)
}

/** `push` of the writes into `job`, each write but the last followed by a wait until that many entries are stored (its pieces cut before the next write). */
async function pushInWrites(job: string, args: string[], writes: string[], storedAfter: number[]): Promise<void> {
  const child = startCli(['push', '--job', job, '--max-line-bytes', String(MAX), ...args], {env: env()})
  const done = collect(child)
  for (const [i, count] of storedAfter.entries()) {
    child.stdin!.write(writes[i])
    await waitUntil(async () => (await stored(job)).length === count, {what: `${count} entries stored`})
  }
  child.stdin!.end(writes.slice(storedAfter.length).join(''))
  const pushed = await done
  expect(pushed.stderr).toBe('')
  expect(pushed.code).toBe(0)
}

describe('a secret written in two parts across the end of a piece of an over-long line', () => {
  it('is masked in the store; raw output is otherwise the input byte for byte', async () => {
    // Each first write goes past MAX with the secret cut a few bytes after MAX: the piece is stored before the rest is written.
    const writes = [`${'z'.repeat(MAX - 9)} ${TOKEN.slice(0, 12)}`, `${TOKEN.slice(12)} end\n${'z'.repeat(MAX - 10)} x=${VALUE.slice(0, 11)}`, `${VALUE.slice(11)} end\n`]
    const input = writes.join('')
    // The second line's first piece is the third entry.
    await pushInWrites('split', ['--mask', VALUE], writes, [1, 3])

    const raw = await runCli(['get', 'split', '--output', 'raw'], {env: env()})
    expect(raw.stdout).toBe(input.replace(TOKEN, '***').replace(VALUE, '***'))

    const records = await stored('split')
    expect(records.map((record) => record.partial === true)).toEqual([true, false, true, false])
    for (const record of records) {
      expect(record.line).not.toContain(TOKEN.slice(4, 12))
      expect(record.line).not.toContain(TOKEN.slice(12))
      expect(record.line).not.toMatch(/secr|alue/)
    }
  })

  it('a token longer than a piece is masked to its end: its rest in the next pieces too', async () => {
    // The token runs past the first piece's end, through the whole second piece, into the third.
    const writes = [`ACCESS_TOKEN=l0ngT0ken${'x1'.repeat(300)}`, 'x1'.repeat(300), `${'x1'.repeat(50)} end\n`]
    await pushInWrites('long-token', [], writes, [1, 2])

    const raw = await runCli(['get', 'long-token', '--output', 'raw'], {env: env()})
    expect(raw.stdout).toMatch(/^ACCESS_TOKEN=\*{3,} end\n$/)
    const records = await stored('long-token')
    expect(records.map((record) => record.partial === true)).toEqual([true, true, false])
    for (const record of records) expect(record.line).not.toMatch(/x1x1|T0ken/)
  })
})
