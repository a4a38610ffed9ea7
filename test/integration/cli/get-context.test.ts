import {beforeAll, describe, expect, it} from 'vitest'
import {collect, runCli, startCli} from '../../helpers/cli.js'
import {useIsolatedHome} from '../../helpers/isolated-home.js'

// Line n is "line n", with a few marked for searching.
const LINES = Array.from({length: 30}, (_, i) => {
  const n = i + 1
  if (n === 5 || n === 7 || n === 20) return `line ${n} Timeout`
  if (n === 28) return `line ${n} TIMEOUT again`
  return `line ${n}`
})

describe('logs get: -i, context lines, --stream', () => {
  const sandbox = useIsolatedHome()
  const get = async (...args: string[]) => {
    const result = await runCli(['get', 'ctx', ...args], {env: sandbox.env})
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    return result.stdout
  }
  beforeAll(async () => {
    expect((await runCli(['push', '--job', 'ctx'], {input: `${LINES.join('\n')}\n`, env: sandbox.env})).code).toBe(0)
  })

  it('-i makes --grep and --exclude ignore case', async () => {
    expect(await get('--grep', 'timeout')).toBe('')
    expect(await get('-i', '--grep', 'timeout')).toBe('line 5 Timeout\nline 7 Timeout\nline 20 Timeout\nline 28 TIMEOUT again\n')
    expect(await get('--ignore-case', '--grep', 'TIMEOUT', '--exclude', 'AGAIN')).toBe('line 5 Timeout\nline 7 Timeout\nline 20 Timeout\n')
  })

  it('-C merges overlapping groups and puts -- between the others, like grep', async () => {
    const grep = ['line 3', 'line 4', 'line 5 Timeout', 'line 6', 'line 7 Timeout', 'line 8', 'line 9', '--', 'line 18', 'line 19', 'line 20 Timeout', 'line 21', 'line 22']
    expect(await get('--grep', 'Timeout', '-C', '2')).toBe(`${grep.join('\n')}\n`)
  })

  it('-A and -B count separately; groups that touch are one group', async () => {
    expect(await get('--grep', 'Timeout', '-B', '1')).toBe('line 4\nline 5 Timeout\nline 6\nline 7 Timeout\n--\nline 19\nline 20 Timeout\n')
    expect(await get('--grep', 'Timeout', '-A', '1')).toBe('line 5 Timeout\nline 6\nline 7 Timeout\nline 8\n--\nline 20 Timeout\nline 21\n')
    // -A 1 of line 5 ends at 6, the next group starts at 7: adjacent, so no separator.
    expect(await get('--grep', 'Timeout', '-A', '1', '-B', '0', '-i')).toContain('line 20 Timeout\nline 21\n--\nline 28 TIMEOUT again\nline 29\n')
    // -A/-B win over -C.
    expect(await get('--grep', 'line 20', '-C', '3', '-A', '0')).toBe('line 17\nline 18\nline 19\nline 20 Timeout\n')
  })

  it('context works with -n (the last N matches) and --head (the first N), and with --level', async () => {
    expect(await get('-i', '--grep', 'timeout', '-n', '2', '-C', '1')).toBe('line 19\nline 20 Timeout\nline 21\n--\nline 27\nline 28 TIMEOUT again\nline 29\n')
    expect(await get('--grep', 'Timeout', '--head', '1', '-A', '3')).toBe('line 5 Timeout\nline 6\nline 7 Timeout\nline 8\n')
    expect(await get('--grep', 'nothing matches this', '-C', '5')).toBe('')
    expect(await get('--grep', 'nothing matches this', '-n', '3', '-C', '5')).toBe('')
  })

  it('JSON output has no separators: the gap is in seq', async () => {
    const seqs = (await get('--grep', 'Timeout', '-A', '1', '-o', 'json'))
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as {seq: number}).seq)
    expect(seqs).toEqual([5, 6, 7, 8, 20, 21])
  })

  it('rejects a negative context with exit 2 naming the flag', async () => {
    const result = await runCli(['get', 'ctx', '--grep', 'x', '-C', '-1'], {env: sandbox.env})
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/context|-C/)
  })

  it('-f keeps the context going into lines that arrive later', async () => {
    const push = startCli(['push', '--job', 'ctx-live'], {env: sandbox.env})
    const pushed = collect(push)
    push.stdin!.write('a\nb MATCH\nc\nd\n')
    const follower = startCli(['get', 'ctx-live', '-f', '--grep', 'MATCH', '-A', '1', '-B', '1'], {env: sandbox.env})
    const followed = collect(follower)
    let seen = ''
    await new Promise<void>((resolve) => follower.stdout!.on('data', (d: Buffer) => (seen += d.toString()).includes('c\n') && resolve()))
    push.stdin!.write('e\nf MATCH\ng\nh\n')
    push.stdin!.end()
    expect((await pushed).code).toBe(0)
    const result = await followed
    expect(result.code).toBe(0)
    expect(result.stdout).toBe('a\nb MATCH\nc\n--\ne\nf MATCH\ng\n')
  })

  it('--stream keeps the lines of one stream of a job captured by logs run', async () => {
    const run = await runCli(['run', '--job', 'ctx-run', '--', 'sh', '-c', 'echo out1; echo err1 >&2; echo out2; echo err2 >&2'], {env: sandbox.env})
    expect(run.code).toBe(0)
    const stderrOnly = await runCli(['get', 'ctx-run', '--stream', 'stderr'], {env: sandbox.env})
    expect(stderrOnly.stdout).toBe('err1\nerr2\n')
    const stdoutOnly = await runCli(['get', 'ctx-run', '--stream', 'stdout', '--grep', '2'], {env: sandbox.env})
    expect(stdoutOnly.stdout).toBe('out2\n')
    // Lines piped into push have no stream: they are neither.
    expect(await get('--stream', 'stdout')).toBe('')
    const bad = await runCli(['get', 'ctx-run', '--stream', 'both'], {env: sandbox.env})
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/--stream/)
  })
})
