/**
 * `logs get --grep` against GNU grep on real log lines (the Loghub and level corpus copies
 * in test/fixtures, CRLF and lone CR included), with multi-byte UTF-8, invalid UTF-8 and
 * lines longer than the file store's 1 MiB reads planted among them: the raw output is
 * byte for byte what `grep -a` prints from the pushed input, for literals (the byte
 * search) and regular expressions with and without a required literal, and with -i.
 */
import {execFileSync} from 'node:child_process'
import {readFileSync, readdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {ROOT, runCli} from '../../helpers/cli.js'
import {useIsolatedHome} from '../../helpers/isolated-home.js'

const FIXTURES = ['loghub', 'levels'].map((dir) => join(ROOT, 'test', 'fixtures', dir))

function corpus(): Buffer {
  const logs = FIXTURES.flatMap((dir) =>
    readdirSync(dir)
      .filter((name) => name.endsWith('.log'))
      .sort()
      .map((name) => readFileSync(join(dir, name))),
  )
  const planted = [
    Buffer.from('2026-11-23 10:00:00 ERROR crème brûlée: déjà vu, ошибка блока blk_42 — 失敗\n'),
    Buffer.concat([Buffer.from('bad bytes \xff\xfe before ', 'latin1'), Buffer.from('Exception'), Buffer.from(' and \xc3 after\r\n', 'latin1')]),
    // Longer than a read of the store (1 MiB): the literal at its start, across a read's edge, at its end.
    Buffer.from(`Exception at the start ${'y'.repeat(3 * 1024 * 1024)} ERROR at the end\n`),
    Buffer.from(`${'z'.repeat(1024 * 1024 - 3)}blk_-1234 across a read's edge\n`),
  ]
  const parts: Buffer[] = []
  logs.forEach((log, i) => parts.push(log, planted[i % planted.length]))
  const input = Buffer.concat(parts)
  return input.at(-1) === 10 ? input : Buffer.concat([input, Buffer.from('\n')])
}

describe('logs get --grep matches what grep matches', () => {
  const sandbox = useIsolatedHome()
  let inputFile: string

  beforeAll(async () => {
    const input = corpus()
    inputFile = join(sandbox.home, 'input.log')
    writeFileSync(inputFile, input)
    const pushed = await runCli(['push', '--job', 'corpus', '--max-line-bytes', String(8 * 1024 * 1024)], {input, env: sandbox.env})
    expect(pushed.stderr).toBe('')
    expect(pushed.code).toBe(0)
  })

  const grep = (args: string[]) => {
    try {
      return execFileSync('grep', ['-a', '-E', ...args, inputFile], {env: {...process.env, LC_ALL: 'C'}, maxBuffer: 64 * 1024 * 1024})
    } catch (error) {
      if ((error as {status?: number}).status === 1) return Buffer.alloc(0) // no line matched
      throw error
    }
  }

  const cases: Array<[string, string[]]> = [
    ['a literal', ['ERROR']],
    ['a literal in many lines', ['INFO']],
    ['a literal in lines longer than a read', ['Exception']],
    ['a multi-byte literal', ['déjà vu']],
    ['a regex with a required literal', ['blk_-?[0-9]+']],
    ['a regex with a required literal across reads', ['blk_-[0-9]+ across']],
    ['a regex with no required literal', ['[Ee]rror|WARN']],
    ['a case-insensitive literal', ['-i', 'exception']],
    // Many matches: the raw output is the lines' stored bytes, picked without entries.
    ['a literal too short to search for, in nearly every line', ['e']],
    ['a regex with a required literal, in many lines', ['INFO +[A-Za-z]']],
    ['a regex in most lines', [':[0-9][0-9]:']],
    ['a case-insensitive literal in most lines', ['-i', 'info']],
    ['the first matching lines', ['-m', '777', 'INFO']],
  ]
  it.each(cases)('%s', async (_what, args) => {
    const pattern = args.at(-1)!
    const flags = args.slice(0, -1)
    const ours = flags.map((flag) => (flag === '-m' ? '--head' : flag))
    const got = await runCli(['get', 'corpus', ...ours, '--grep', pattern, '--output', 'raw'], {env: sandbox.env})
    expect(got.stderr).toBe('')
    expect(got.code).toBe(0)
    const expected = grep([...flags, '--', pattern])
    expect(expected.length).toBeGreaterThan(0)
    expect(got.stdoutBytes.equals(expected)).toBe(true)
  })

  /** Lines of raw output as Latin-1 strings (one character per byte), each with its newline. */
  const rawLines = (bytes: Buffer) => bytes.toString('latin1').split(/(?<=\n)/)

  it('takes every --grep and no --exclude, as grep piped through grep does', async () => {
    const got = await runCli(['get', 'corpus', '--grep', 'INFO', '--grep', '201', '--exclude', 'Receiving', '--exclude', 'dfs\\.', '--output', 'raw'], {env: sandbox.env})
    expect(got.code).toBe(0)
    const expected = rawLines(grep(['--', 'INFO'])).filter((line) => line.includes('201') && !line.includes('Receiving') && !line.includes('dfs.'))
    expect(expected.length).toBeGreaterThan(1000)
    expect(rawLines(got.stdoutBytes)).toEqual(expected)
  })

  it('picks the same lines for raw output as for JSON with --level, --stream, --since and --until', async () => {
    // JSON output goes through entries: its lines, as bytes, are what raw output must be.
    const viaEntries = async (...args: string[]) => {
      const got = await runCli(['get', 'corpus', ...args, '--output', 'json'], {env: sandbox.env})
      expect(got.code).toBe(0)
      const records = got.stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as {line: string; bytes?: string; partial?: boolean})
      return Buffer.concat(records.map((r) => Buffer.concat([r.bytes ? Buffer.from(r.bytes, 'base64') : Buffer.from(r.line, 'utf8'), Buffer.from(r.partial ? '' : '\n')])))
    }
    // Pushed without `logs run`, the lines have no stream: --stream takes none.
    for (const [args, some] of [
      [['--level', 'warn'], true],
      [['--level', 'warn', '--grep', '201'], true],
      [['--level', '=info', '--grep', ':[0-9][0-9]:', '--exclude', 'INFO'], true],
      [['--grep', 'INFO', '--until', '2999-01-01', '--after', '5000', '--head', '100'], true],
      [['--stream', 'stderr', '--grep', 'INFO'], false],
      [['--grep', 'INFO', '--since', '2999-01-01'], false],
    ] as Array<[string[], boolean]>) {
      const got = await runCli(['get', 'corpus', ...args, '--output', 'raw'], {env: sandbox.env})
      expect(got.code).toBe(0)
      expect(got.stdoutBytes.length > 0, args.join(' ')).toBe(some)
      expect(rawLines(got.stdoutBytes)).toEqual(rawLines(await viaEntries(...args)))
    }
  })

  it('keeps --level and --since working beside the byte search', async () => {
    const seqs = async (...args: string[]) => {
      const got = await runCli(['get', 'corpus', ...args, '--output', 'json'], {env: sandbox.env})
      expect(got.code).toBe(0)
      return got.stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => (JSON.parse(line) as {seq: number}).seq)
    }
    const warnings = new Set(await seqs('--level', 'warn'))
    const grepped = await seqs('--grep', 'blk_')
    const both = await seqs('--grep', 'blk_', '--level', 'warn')
    expect(both.length).toBeGreaterThan(0)
    expect(both).toEqual(grepped.filter((seq) => warnings.has(seq)))
    expect(await seqs('--grep', 'blk_', '--since', '1h')).toEqual(grepped)
    expect(await seqs('--grep', 'blk_', '--since', '2999-01-01')).toEqual([])
  })
})
