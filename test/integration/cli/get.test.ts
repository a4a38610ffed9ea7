import {beforeAll, describe, expect, it} from 'vitest'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {collect, runCli, startCli} from '../../helpers/cli.js'
import {untilWatched} from '../../helpers/follower-waiting.js'
import {useIsolatedHome} from '../../helpers/isolated-home.js'
import {waitUntil} from '../../helpers/wait.js'

const LINES = [
  '2026-11-23 10:00:00 INFO starting',
  '{"level":30,"msg":"pino info"}',
  '{"level":"warn","msg":"json warn"}',
  'level=error msg="logfmt error"',
  'E1123 10:00:00.000000 1 main.go:1] klog error',
  '[debug] bracketed debug',
  'plain line without level',
  'FATAL: out of memory',
  'INFO healthcheck ok',
  'WARN disk 91% full',
]

describe('logs get', () => {
  const sandbox = useIsolatedHome()
  const get = async (...args: string[]) => {
    const result = await runCli(['get', 'g1', ...args], {env: sandbox.env})
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    return result.stdout
  }
  beforeAll(async () => {
    const pushed = await runCli(['push', '--job', 'g1', '--exit-code', '0'], {input: `${LINES.join('\n')}\n`, env: sandbox.env})
    expect(pushed.code).toBe(0)
  })

  it('prints every line as text', async () => {
    expect(await get()).toBe(`${LINES.join('\n')}\n`)
  })

  it('filters by minimum level, and by exact level with =', async () => {
    expect((await get('--level', 'error')).trim().split('\n')).toEqual([LINES[3], LINES[4], LINES[7]])
    expect((await get('--level', '=warn')).trim().split('\n')).toEqual([LINES[2], LINES[9]])
    expect((await get('--level', 'fatal')).trim()).toBe(LINES[7])
  })

  it('greps and excludes with repeatable regular expressions', async () => {
    expect((await get('--grep', 'error')).trim().split('\n')).toEqual([LINES[3], LINES[4]])
    expect((await get('--grep', 'INFO', '--exclude', 'health')).trim()).toBe(LINES[0])
    expect((await get('--grep', 'i', '--grep', 'n', '--exclude', 'o')).trim()).toBe(LINES[0])
    expect((await get('--grep', '^\\[debug')).trim()).toBe(LINES[5])
  })

  it('takes the last N matching entries, and the first N', async () => {
    expect((await get('-n', '2')).trim().split('\n')).toEqual([LINES[8], LINES[9]])
    expect((await get('-n', '2', '--level', 'error')).trim().split('\n')).toEqual([LINES[4], LINES[7]])
    expect((await get('--head', '2')).trim().split('\n')).toEqual([LINES[0], LINES[1]])
    expect((await get('--head', '1', '--level', 'warn')).trim()).toBe(LINES[2])
    expect(await get('-n', '0')).toBe('')
  })

  it('-n 0 -f shows nothing of the past and follows from the newest line on, like tail -n 0 -f', async () => {
    const push = startCli(['push', '--job', 'g-now'], {env: sandbox.env})
    const pushed = collect(push)
    push.stdin!.write('old 1\nold 2\n')
    await waitUntil(async () => (await runCli(['get', 'g-now'], {env: sandbox.env})).stdout === 'old 1\nold 2\n', {what: 'the first two lines stored'})
    const follower = startCli(['get', 'g-now', '-n', '0', '-f'], {env: sandbox.env})
    const followed = collect(follower)
    // In its wait on the job's directory: it has taken its start.
    await untilWatched(join(sandbox.home, 'state', 'logs', 'jobs', 'g-now'), 'get -f waiting on the job', follower.pid)
    push.stdin!.end('new 3\n')
    expect((await pushed).code).toBe(0)
    const result = await followed
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toBe('new 3\n')
  })

  it('--grep -f follows from the end of what the search looked at, not from its last match', async () => {
    // 16 MB after the only match: a follow that began after the match would read it all again.
    const filler = `${'x'.repeat(99)}\n`.repeat(160_000)
    const push = startCli(['push', '--job', 'g-grep-f'], {env: sandbox.env})
    const pushed = collect(push)
    push.stdin!.write(`needle 1\n${filler}`)
    await waitUntil(async () => (await runCli(['get', 'g-grep-f', '-n', '1', '--output', 'json'], {env: sandbox.env})).stdout.includes('"seq":160001'), {
      what: 'the needle and the filler stored',
    })
    const follower = startCli(['get', 'g-grep-f', '--grep', 'needle', '-f'], {env: sandbox.env})
    const followed = collect(follower)
    let shown = ''
    follower.stdout!.on('data', (chunk: Buffer) => (shown += chunk.toString()))
    await untilWatched(join(sandbox.home, 'state', 'logs', 'jobs', 'g-grep-f'), 'get --grep -f waiting on the job', follower.pid)
    push.stdin!.write('needle 2\n')
    await waitUntil(() => shown.includes('needle 2'), {what: 'the follower showing the next match'})
    // All the follower has read (its start-up included), now that it is past the filler: the log once, not twice.
    const read = Number(/^rchar: (\d+)$/m.exec(readFileSync(`/proc/${follower.pid}/io`, 'utf8'))![1])
    expect(read).toBeLessThan(1.5 * filler.length)
    push.stdin!.end()
    expect((await pushed).code).toBe(0)
    const result = await followed
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toBe('needle 1\nneedle 2\n')
  })

  it('--grep over many blocks finds exactly what a per-line grep finds', async () => {
    const lines = Array.from({length: 20_000}, (_, i) => (i === 9_000 ? `item ${i} ${'x'.repeat(50)}` : `item ${i} ${i % 3 ? 'even' : 'odd'}`))
    const input = `${lines.join('\n')}\n`
    // --max-line-bytes 40 splits line 9000 into pieces, which turns the block search off for its block.
    const pushed = await runCli(['push', '--job', 'g-many', '--max-line-bytes', '40'], {input, env: sandbox.env})
    expect(pushed.code).toBe(0)
    for (const pattern of ['^item 1[0-9]*7 odd$', 'item 9000', '\\d+ e']) {
      const got = await runCli(['get', 'g-many', '--grep', pattern, '--output', 'raw'], {env: sandbox.env})
      const expected = input
        .split('\n')
        .slice(0, -1)
        .filter((line) => new RegExp(pattern).test(line))
      if (pattern === 'item 9000') expect(got.stdout.startsWith('item 9000 xxx')).toBe(true)
      else expect(got.stdout).toBe(expected.map((l) => `${l}\n`).join(''))
    }
  })

  it('--grep by byte search finds exactly what a per-line search of the decoded lines finds', async () => {
    // Needles next to invalid UTF-8, in CRLF lines, at line edges, in an over-long line split
    // across entries, in multi-byte text, and in many blocks (4096 entries each).
    const special = [
      Buffer.from('needle at the start\r\n'),
      Buffer.concat([Buffer.from('bad \xff\xfe bytes '), Buffer.from('\xffneedle\xc3 here\n', 'latin1')]),
      Buffer.from('at the end: needle\n'),
      Buffer.from('\n'),
      Buffer.from(`split ${'y'.repeat(30)}needle${'z'.repeat(30)} over pieces\n`),
      Buffer.from('crème brûlée needle déjà vu\n'),
      Buffer.from('neeedle and nedle are not needle-free: needle\n'),
    ]
    const filler = (i: number) => Buffer.from(`filler ${i} ${i % 1000 === 0 ? 'needle' : 'hay'}\n`)
    const input = Buffer.concat([...Array.from({length: 9_000}, (_, i) => filler(i)), ...special, ...Array.from({length: 3_000}, (_, i) => filler(i))])
    const pushed = await runCli(['push', '--job', 'g-bytes', '--max-line-bytes', '40'], {input, env: sandbox.env})
    expect(pushed.code).toBe(0)
    const raw = await runCli(['get', 'g-bytes', '--output', 'json'], {env: sandbox.env})
    const entries = raw.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as {seq: number; line: string})
    for (const pattern of ['needle', 'e+dle', 'needle$', '^needle', 'brûlée needle', 'needle|hay', '[0-9]+ needle', '(?:at|the) end']) {
      const got = await runCli(['get', 'g-bytes', '--grep', pattern, '--output', 'json'], {env: sandbox.env})
      expect(got.code).toBe(0)
      const seqs = got.stdout
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as {seq: number}).seq)
      const expected = entries.filter((e) => new RegExp(pattern).test(e.line)).map((e) => e.seq)
      expect(expected.length).toBeGreaterThan(0)
      expect(seqs, pattern).toEqual(expected)
    }
  })

  it('resumes after a sequence number', async () => {
    expect((await get('--after', '8')).trim().split('\n')).toEqual([LINES[8], LINES[9]])
  })

  it('filters by time, relative and absolute', async () => {
    expect((await get('--since', '1h')).trim().split('\n')).toHaveLength(10)
    expect(await get('--until', '1h')).toBe('')
    expect(await get('--since', '2999-01-01')).toBe('')
    expect((await get('--since', '2000-01-01T00:00:00Z', '--until', '2999-01-01 10:00')).trim().split('\n')).toHaveLength(10)
  })

  it('writes NDJSON with a stable schema', async () => {
    const records = (await get('--output', 'json'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(records).toHaveLength(10)
    expect(Object.keys(records[0])).toEqual(['seq', 'ts', 'level', 'stream', 'line'])
    expect(records[1]).toMatchObject({seq: 2, level: 'info', stream: null, line: LINES[1], fields: {level: 30, msg: 'pino info'}})
    expect(records.map((r) => r.level)).toEqual(['info', 'info', 'warn', 'error', 'error', 'debug', null, 'fatal', 'info', 'warn'])
  })

  it("levels behind the timestamps kubectl logs --timestamps writes: a JSON logger's, klog's, a level word's", async () => {
    const kubectl = [
      '2026-12-06T09:00:00.100000000Z {"level":30,"time":1765011600100,"msg":"listening"}',
      '2026-12-06T09:00:01.200000000Z {"level":50,"time":1765011601200,"msg":"request failed"}',
      '2026-12-06T09:00:02.300000000Z W1206 09:00:02.300000       1 reflector.go:535] watch ended',
      '2026-12-06T09:00:03.400000000Z npm error code 1',
      '2026-12-06T09:00:04.500000000Z plain',
    ]
    expect((await runCli(['push', '--job', 'kubectl'], {input: `${kubectl.join('\n')}\n`, env: sandbox.env})).code).toBe(0)
    const json = await runCli(['get', 'kubectl', '--output', 'json'], {env: sandbox.env})
    expect(
      json.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).level),
    ).toEqual(['info', 'error', 'warn', 'error', null])
    expect((await runCli(['get', 'kubectl', '--level', 'error'], {env: sandbox.env})).stdout).toBe(`${kubectl[1]}\n${kubectl[3]}\n`)
  })

  it('prefixes timestamps with --timestamps', async () => {
    const first = (await get('--timestamps', '-n', '1')).trim()
    expect(first).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z WARN disk 91% full$/)
  })

  it('colours only when asked: FORCE_COLOR, not with NO_COLOR or --no-color', async () => {
    const plain = await runCli(['get', 'g1', '--level', 'error'], {env: sandbox.env})
    expect(plain.stdout).not.toContain('\u001B[')
    const forced = await runCli(['get', 'g1', '--level', 'error'], {env: {...sandbox.env, NO_COLOR: undefined, FORCE_COLOR: '1'}})
    expect(forced.stdout).toContain('\u001B[31m')
    const off = await runCli(['get', 'g1', '--level', 'error', '--no-color'], {env: {...sandbox.env, NO_COLOR: undefined, FORCE_COLOR: '1'}})
    expect(off.stdout).not.toContain('\u001B[')
  })

  it('--color forces colour into a pipe (over NO_COLOR and FORCE_COLOR=0); FORCE_COLOR=0 turns it off, FORCE_COLOR beats NO_COLOR', async () => {
    const red = '\u001B[31m'
    const run = async (args: string[], extra: NodeJS.ProcessEnv) => (await runCli(['get', 'g1', '--level', 'error', ...args], {env: {...sandbox.env, ...extra}})).stdout
    expect(await run(['--color'], {NO_COLOR: '1'})).toContain(red)
    expect(await run(['--color'], {NO_COLOR: undefined, FORCE_COLOR: '0'})).toContain(red)
    expect(await run([], {NO_COLOR: undefined, FORCE_COLOR: '0'})).not.toContain('\u001B[')
    expect(await run([], {NO_COLOR: '1', FORCE_COLOR: '2'})).toContain(red)
    expect(await run([], {NO_COLOR: undefined, FORCE_COLOR: undefined})).not.toContain('\u001B[')
  })

  it('ends quietly when the reader goes away (get | head -1)', async () => {
    const big = Array.from({length: 200_000}, (_, i) => `line ${i}`).join('\n')
    await runCli(['push', '--job', 'g-big'], {input: big, env: sandbox.env})
    const {spawn} = await import('node:child_process')
    const result = await new Promise<{code: number | null; stdout: string; stderr: string}>((resolve) => {
      const shell = spawn('bash', ['-c', `set -o pipefail; node bin/run.js get g-big | head -1; echo "rc=\${PIPESTATUS[0]}" >&2`], {env: sandbox.env})
      let stdout = ''
      let stderr = ''
      shell.stdout.on('data', (d) => (stdout += d))
      shell.stderr.on('data', (d) => (stderr += d))
      shell.on('close', (code) => resolve({code, stdout, stderr}))
    })
    expect(result.stdout).toBe('line 0\n')
    expect(result.stderr).toBe('rc=0\n')
  })

  it('lists jobs with ls, filtered by status and prefix', async () => {
    const table = await runCli(['ls'], {env: sandbox.env})
    expect(table.stdout).toMatch(/^JOB\s+STATUS\s+EXIT\s+LINES\s+SIZE\s+UPDATED\s+WHERE/)
    expect(table.stdout).toMatch(/g1\s+succeeded\s+0\s+10\s+/)
    const json = JSON.parse((await runCli(['ls', '--json', '--status', 'succeeded', '--prefix', 'g'], {env: sandbox.env})).stdout)
    expect(json.map((j: {id: string}) => j.id)).toEqual(['g1'])
    expect(json[0]).toMatchObject({lines: 10, levels: {info: 3, warn: 2, error: 2, fatal: 1, debug: 1}, location: {kind: 'live'}})
  })
})
