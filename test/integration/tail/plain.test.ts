/**
 * `logs tail` with stdout not a terminal: plain lines like `tail -f`, run as a user
 * would (the built CLI, real pipes, the embedded file store in a temp home).
 */
import type {ChildProcess} from 'node:child_process'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {collect, isolatedEnv, runCli, startCli, tempHome, type CliResult} from '../../helpers/cli.js'
import {jobColor} from '../../../src/lib/tail/job-colors.js'
import {waitUntil} from '../../helpers/wait.js'

let home: {home: string; cleanup: () => void}
let env: NodeJS.ProcessEnv

beforeAll(() => {
  home = tempHome()
  env = isolatedEnv(home.home)
})
afterAll(() => home.cleanup())

const lines = (from: number, to: number, prefix = 'line'): string => Array.from({length: to - from + 1}, (_, i) => `${prefix} ${from + i}\n`).join('')

async function push(job: string, input: string, extra: string[] = []): Promise<void> {
  const result = await runCli(['push', '--job', job, ...extra], {env, input})
  expect(result.code, result.stderr).toBe(0)
}

/** A push that stays open: lines are written as the test goes, the job ends at `end()`. */
function openPush(job: string, extra: string[] = []): {child: ChildProcess; write: (text: string) => void; end: () => Promise<CliResult>} {
  const child = startCli(['push', '--job', job, ...extra], {env})
  const done = collect(child, 30_000)
  return {child, write: (text) => child.stdin!.write(text), end: () => (child.stdin!.end(), done)}
}

/** A running `logs tail` whose output can be awaited line by line. */
function openTail(
  args: string[],
  extraEnv: NodeJS.ProcessEnv = {},
): {output: () => string; errors: () => string; until: (text: string) => Promise<void>; done: Promise<CliResult>} {
  const child = startCli(['tail', ...args], {env: {...env, ...extraEnv}})
  let output = ''
  let errors = ''
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
  child.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString('utf8')))
  const done = collect(child, 30_000)
  child.stdin!.end()
  const until = async (text: string): Promise<void> => {
    await waitUntil(() => output.includes(text), {what: `tail printing ${JSON.stringify(text)}`, interval: 20})
  }
  return {output: () => output, errors: () => errors, until, done}
}

describe('logs tail (not a terminal)', () => {
  it('prints the last -n lines of an ended job and exits 0', async () => {
    await push('backlog-1', lines(1, 20))
    const result = await runCli(['tail', 'backlog-1', '-n', '3'], {env})
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toBe('line 18\nline 19\nline 20\n')
  })

  it('applies --level/--grep to the backlog (the last N that match) and adds --timestamps', async () => {
    await push('filtered-1', 'INFO a\nERROR b1\nINFO c\nERROR b2\nINFO d\n')
    const result = await runCli(['tail', 'filtered-1', '--level', 'error', '--grep', 'b', '-n', '5', '--timestamps'], {env})
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z ERROR b1\n\d{4}-\d\d-\d\dT[\d:.]+Z ERROR b2\n$/)
  })

  it('follows new lines as they are pushed and exits when the job ends', async () => {
    const pusher = openPush('follow-1')
    pusher.write('first\n')
    const tail = openTail(['follow-1', '-n', '100'])
    await tail.until('first\n')
    pusher.write('second\nthird\n')
    await tail.until('third\n')
    expect((await pusher.end()).code).toBe(0)
    const result = await tail.done
    expect(result.code, result.stderr).toBe(0)
    expect(tail.output()).toBe('first\nsecond\nthird\n')
  })

  it('waits for a job that has not started yet', async () => {
    const tail = openTail(['later-1'])
    await waitUntil(() => tail.errors().includes('waiting for job later-1 to start'), {what: 'the waiting notice'})
    await push('later-1', 'hello\n')
    const result = await tail.done
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toBe('hello\n')
  })

  it("--exit-code exits with the job's exit code; without it, 0", async () => {
    await push('failed-1', 'boom\n', ['--exit-code', '3'])
    await push('ok-1', 'fine\n', ['--exit-code', '0'])
    expect((await runCli(['tail', 'failed-1', '--exit-code'], {env})).code).toBe(3)
    expect((await runCli(['tail', 'failed-1'], {env})).code).toBe(0)
    expect((await runCli(['tail', 'ok-1', '--exit-code'], {env})).code).toBe(0)
    const both = await runCli(['tail', 'ok-1', 'failed-1', '--exit-code'], {env})
    expect(both.code).toBe(3)
  })

  it('--no-follow --exit-code: an ended job its code; a running one prints what there is, says it is running, exit 2 (as get --exit-code)', async () => {
    await push('ended-4', 'boom\n', ['--exit-code', '4'])
    expect(await runCli(['tail', 'ended-4', '--no-follow', '--exit-code'], {env})).toMatchObject({stdout: 'boom\n', stderr: '', code: 4})
    const running = openPush('busy-1')
    running.write('still going\n')
    await waitUntil(async () => (await runCli(['get', 'busy-1'], {env})).stdout === 'still going\n', {what: 'the line to be stored'})
    const result = await runCli(['tail', 'busy-1', '--no-follow', '--exit-code'], {env})
    expect(result.stdout).toBe('still going\n')
    expect(result.stderr).toMatch(/job busy-1 is still running, so it has no exit code yet[\s\S]*hint: drop --no-follow to wait for it to end/)
    expect(result.code).toBe(2)
    expect((await runCli(['tail', 'busy-1', '--no-follow'], {env})).code).toBe(0)
    expect((await running.end()).code).toBe(0)
  })

  it('several jobs: every line prefixed with its job id, in a stable colour per job', async () => {
    await push('multi-a', lines(1, 2, 'a'))
    await push('multi-bb', lines(1, 2, 'b'))
    const result = await runCli(['tail', 'multi-a', 'multi-bb', '-n', '2', '--no-follow'], {env})
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout.split('\n').sort()).toEqual(['', 'multi-a  a 1', 'multi-a  a 2', 'multi-bb b 1', 'multi-bb b 2'])
    const colorEnv = {...env, NO_COLOR: undefined, FORCE_COLOR: '1'}
    const colored = await runCli(['tail', 'multi-a', 'multi-bb', '-n', '1', '--no-follow'], {env: colorEnv})
    const again = await runCli(['tail', 'multi-bb', 'multi-a', '-n', '1', '--no-follow'], {env: colorEnv})
    const codeOf = (out: string, id: string): string | undefined => new RegExp(`(\\u001B\\[\\d+m)${id} `).exec(out)?.[1]
    expect(codeOf(colored.stdout, 'multi-a')).toBeDefined()
    expect(codeOf(colored.stdout, 'multi-a')).toBe(codeOf(again.stdout, 'multi-a'))
    expect(codeOf(colored.stdout, 'multi-bb')).toBe(codeOf(again.stdout, 'multi-bb'))
    expect(codeOf(colored.stdout, 'multi-a')).not.toBe(jobColor('multi-a') === jobColor('multi-bb') ? undefined : codeOf(colored.stdout, 'multi-bb'))
  })

  it("several jobs: a last line without a newline ends its line, the next job's line is not run into it (tail and get)", async () => {
    await push('partial-a', 'a 1\nno newline')
    await push('partial-b', lines(1, 2, 'b'))
    for (const command of ['tail', 'get']) {
      const result = await runCli([command, 'partial-a', 'partial-b', ...(command === 'tail' ? ['--no-follow', '-n', '5'] : ['--by-job'])], {env})
      expect(result.code, result.stderr).toBe(0)
      expect(result.stdout.split('\n').sort(), command).toEqual(['', 'partial-a a 1', 'partial-a no newline', 'partial-b b 1', 'partial-b b 2'])
    }
  })

  it('--timestamps: a line over --max-line-bytes is one line with one time, not a time before each piece (tail and get)', async () => {
    await push('pieces', 'aaaaaaaaaabbbbbbbbbbccccc\nshort\n', ['--max-line-bytes', '10'])
    for (const args of [
      ['tail', 'pieces', '--no-follow'],
      ['get', 'pieces'],
    ]) {
      const result = await runCli([...args, '-t'], {env})
      expect(result.code, result.stderr).toBe(0)
      expect(result.stdout, args[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z aaaaaaaaaabbbbbbbbbbccccc\n\d{4}-\d\d-\d\dT[\d:.]+Z short\n$/)
    }
  })

  it('--grep matching one piece of a line over --max-line-bytes: the piece ends its line, the next match is not run into it (tail and get)', async () => {
    await push('filtered-pieces', 'aaaaaaaaaaneedlebbbbbbbbbbcccc\nneedle 2\nthird\n', ['--max-line-bytes', '10'])
    for (const args of [
      ['tail', 'filtered-pieces', '--no-follow'],
      ['get', 'filtered-pieces'],
    ]) {
      const result = await runCli([...args, '--grep', 'needle'], {env})
      expect(result.code, result.stderr).toBe(0)
      expect(result.stdout, args[0]).toBe('needlebbbb\nneedle 2\n')
    }
  })

  it('a glob picks up a job that starts after tail did, and exits when all have ended', async () => {
    const first = openPush('glob-1')
    first.write('from one\n')
    const tail = openTail(['glob-*', '-n', '100'])
    await tail.until('glob-1 from one\n')
    const second = openPush('glob-2')
    second.write('from two\n')
    await tail.until('glob-2 from two\n')
    first.write('one again\n')
    await tail.until('glob-1 one again\n')
    await first.end()
    await second.end()
    const result = await tail.done
    expect(result.code, result.stderr).toBe(0)
  })

  it('a job a glob matches that starts just before the last followed job ends is followed too, and decides --exit-code', async () => {
    const first = openPush('race-1', ['--exit-code', '0'])
    first.write('a1\n')
    const tail = openTail(['race-*', '--exit-code'])
    await tail.until('race-1 a1\n')
    const second = openPush('race-2', ['--exit-code', '2'])
    second.write('b1\n')
    await waitUntil(async () => (await runCli(['get', 'race-2'], {env})).stdout === 'b1\n', {what: 'race-2 stored'})
    // Before: race-1 ending ended tail (exit 0) unless a listing, backing off to every 2 s, had found race-2 meanwhile.
    await first.end()
    await tail.until('race-2 b1\n')
    second.write('b2\n')
    await second.end()
    const result = await tail.done
    expect(result.stdout).toContain('race-2 b2\n')
    expect(result.code, result.stderr).toBe(2)
  })

  it('a job a glob finds after tail started is shown from its first line, not its last -n', async () => {
    const first = openPush('late-1')
    first.write('already there\n')
    const tail = openTail(['late-*', '-n', '1'])
    await tail.until('late-1 already there\n')
    // The whole job is pushed, and has ended, before the glob's next listing can find it.
    await push('late-2', lines(1, 50))
    await tail.until('late-2 line 50\n')
    await first.end()
    const result = await tail.done
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout.split('\n').filter((l) => l.startsWith('late-2 '))).toEqual(
      lines(1, 50)
        .trimEnd()
        .split('\n')
        .map((l) => `late-2 ${l}`),
    )
  })

  it('rejects a bad job id with exit 2', async () => {
    const result = await runCli(['tail', 'bad/id'], {env})
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('bad/id')
  })
})
