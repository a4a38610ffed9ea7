import {closeSync, openSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {describe, expect, it} from 'vitest'
import {collect, runCli, startCli} from '../../helpers/cli.js'
import {useIsolatedHome} from '../../helpers/isolated-home.js'
import {waitUntil} from '../../helpers/wait.js'

/**
 * The documented SIGKILL loss bound: the read being written (at most 64 KiB: push reads its
 * stdin itself, nothing ahead), plus a last line still without its newline.
 */
const READ_BOUND = 64 * 1024 + 100

/** Entries a job has in the file store: its index holds one 24-byte record per entry. */
function jobLines(jobDir: string): number {
  try {
    return Math.floor(statSync(join(jobDir, 'idx')).size / 24)
  } catch {
    return 0
  }
}

describe('push durability and concurrency (file store)', () => {
  const sandbox = useIsolatedHome()

  for (const stopAt of [20_000, 100_000, 250_000]) {
    it(`kill -9 after ${stopAt} lines: every line push had read survives, once, in order (loss ≤ one read)`, async () => {
      const job = `kill-${stopAt}`
      const input = join(sandbox.home, `${job}.txt`)
      const content = Buffer.from(Array.from({length: 1_500_000}, (_, i) => `line ${i} ${'x'.repeat(i % 50)}\n`).join(''))
      writeFileSync(input, content)
      const fd = openSync(input, 'r')
      const push = startCli(['push', '--job', job], {env: sandbox.env, stdio: [fd, 'pipe', 'pipe']})
      closeSync(fd)
      const done = collect(push)
      const meta = join(sandbox.home, 'state', 'logs', 'jobs', job)
      while (jobLines(meta) < stopAt) await sleep(1)
      // Freeze it, see how far it had read its stdin, then kill it.
      process.kill(push.pid!, 'SIGSTOP')
      const readPosition = Number(/pos:\s+(\d+)/.exec(readFileSync(`/proc/${push.pid}/fdinfo/0`, 'utf8'))![1])
      process.kill(push.pid!, 'SIGKILL')
      expect((await done).signal).toBe('SIGKILL')

      const raw = await runCli(['get', job, '--output', 'raw'], {env: sandbox.env})
      expect(raw.code).toBe(0)
      const got = raw.stdoutBytes
      expect(got.equals(content.subarray(0, got.length))).toBe(true) // a prefix: in order, no duplicate
      expect(readPosition - got.length).toBeLessThanOrEqual(READ_BOUND)
      const seqs = (await runCli(['get', job, '--output', 'json'], {env: sandbox.env})).stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).seq)
      expect(seqs.length).toBeGreaterThanOrEqual(stopAt)
      expect(seqs.every((seq: number, i: number) => seq === i + 1)).toBe(true)
      console.log(`kill -9 at ${stopAt} lines: read ${readPosition} bytes, kept ${got.length} (lost ${readPosition - got.length})`)

      // The next push of the job first indexes what the killed one wrote but did not index
      // (readers never write), then appends; numbering goes on without a gap.
      const more = await runCli(['push', '--job', job], {input: 'after the crash\n', env: sandbox.env})
      expect(more.code).toBe(0)
      const after = (await runCli(['get', job, '--output', 'json'], {env: sandbox.env})).stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
      expect(after.length).toBeGreaterThan(seqs.length)
      expect(after.every((entry: {seq: number}, i: number) => entry.seq === i + 1)).toBe(true)
      expect(after.at(-1)).toMatchObject({line: 'after the crash'})
    })
  }

  it('two concurrent pushes into one job: every line once, sequence 1..N gapless', async () => {
    const lines = (tag: string) => Array.from({length: 50_000}, (_, i) => `${tag} ${i}`).join('\n') + '\n'
    const [a, b] = await Promise.all([
      runCli(['push', '--job', 'two'], {input: lines('A'), env: sandbox.env}),
      runCli(['push', '--job', 'two'], {input: lines('B'), env: sandbox.env}),
    ])
    expect([a.code, b.code]).toEqual([0, 0])
    const records = (await runCli(['get', 'two', '--output', 'json'], {env: sandbox.env})).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(records).toHaveLength(100_000)
    expect(records.every((r: {seq: number}, i: number) => r.seq === i + 1)).toBe(true)
    for (const tag of ['A', 'B']) {
      const mine = records.filter((r: {line: string}) => r.line.startsWith(`${tag} `)).map((r: {line: string}) => Number(r.line.slice(2)))
      expect(mine).toEqual(Array.from({length: 50_000}, (_, i) => i))
    }
  })

  it('get -f started before push sees lines as they arrive and exits with the job', async () => {
    const follower = startCli(['get', 'later', '-f', '--exit-code'], {env: sandbox.env})
    const followed = collect(follower)
    let printed = ''
    follower.stdout!.on('data', (d: Buffer) => (printed += d))
    let notices = ''
    follower.stderr!.on('data', (d: Buffer) => (notices += d))
    await waitUntil(() => notices.includes('waiting for job later to start'), {what: 'the waiting notice'})
    const push = startCli(['push', '--job', 'later', '--exit-code', '3'], {env: sandbox.env})
    const pushed = collect(push)
    push.stdin!.write('one\n')
    await waitUntil(() => printed.includes('one\n'), {what: 'the follower printing the first line', interval: 5})
    push.stdin!.write('two\n')
    push.stdin!.end('three')
    expect((await pushed).code).toBe(0)
    const result = await followed
    expect(result.stdout).toBe('one\ntwo\nthree')
    expect(result.code).toBe(3)
  })

  it('SIGTERM during push: what was read is kept, the job stays open, it dies of SIGTERM', async () => {
    const push = startCli(['push', '--job', 'term'], {env: sandbox.env})
    const done = collect(push)
    push.stdin!.write('before the signal\n')
    const meta = join(sandbox.home, 'state', 'logs', 'jobs', 'term')
    while (jobLines(meta) < 1) await sleep(5)
    push.kill('SIGTERM')
    const result = await done
    expect([result.code, result.signal], result.stderr).toEqual([null, 'SIGTERM'])
    const got = await runCli(['get', 'term'], {env: sandbox.env})
    expect(got.stdout).toBe('before the signal\n')
    const listed = JSON.parse((await runCli(['ls', '--json'], {env: sandbox.env})).stdout)
    expect(listed.find((j: {id: string}) => j.id === 'term').status).toBe('running')
  })
})
