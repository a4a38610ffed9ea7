/**
 * `logs get JOB` (text, no colour, timestamps or prefix) copies blocks of stored bytes that
 * text output would not change, and prints the others from their entries (render/plain-text.ts):
 * the job's lines, and the lines a filter on their bytes takes (--grep, --exclude, --level,
 * --stream). What it prints must be what text output prints entry by entry: the entries
 * `--output json` gives (never copied) formatted as write-entries.ts does, live and
 * archived, whole and with -n, --head, --after and filters.
 */
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {Chalk} from 'chalk'
import {beforeAll, describe, expect, it} from 'vitest'
import {fromRecord, type EntryRecord} from '../../../src/lib/entry.js'
import {TextLineJoiner} from '../../../src/lib/render/format-entry.js'
import {runCli} from '../../helpers/cli.js'
import {useIsolatedHome} from '../../helpers/isolated-home.js'

/** The file store reads raw bytes in blocks of 10 000 entries (file-store.ts RAW_STEP). */
const BLOCK = 10_000
const MAX_LINE = 64
const plain = (n: number): string => `2026-11-23 10:00:00 INFO step ${n} café ✓`
/** A line of 3 pieces whose second and third start as Buildkite section markers do. */
const LONG = `${'a'.repeat(MAX_LINE)}--- ${'b'.repeat(MAX_LINE - 4)}+++ done`

/** The line that is seq 2 * BLOCK + 1: the lines before it are 9999 + 3 pieces + 8 special + those from BLOCK + 100 on. */
const THIRD_BLOCK_START = 2 * BLOCK + 1 - (BLOCK - 1 + 3 + 8) + BLOCK + 100 - 1

/** Lines that text output shows otherwise than stored, at the start of the second block. */
const SPECIAL: Array<{stored: Buffer; text: string}> = [
  {stored: Buffer.from('::group::Build'), text: '▾ Build'},
  {stored: Buffer.from('::endgroup::'), text: '▴'},
  {stored: Buffer.from('section_start:1700000000:tests[collapsed=true]\r\u001B[0KRunning tests'), text: '▸ Running tests'},
  {stored: Buffer.from('--- :rocket: Deploy'), text: '▸ :rocket: Deploy'},
  {stored: Buffer.from('+++ Tests'), text: '▾ Tests'},
  {stored: Buffer.from('a CRLF line\r'), text: 'a CRLF line'},
  {stored: Buffer.from('\u001B[31mred\u001B[0m text'), text: 'red text'},
  {stored: Buffer.from([0x62, 0x61, 0x64, 0x20, 0xff, 0xfe, 0x21]), text: 'bad \uFFFD\uFFFD!'},
]

describe('logs get: text output copied from stored bytes', () => {
  const sandbox = useIsolatedHome()
  const lines: Buffer[] = []
  const expected: string[] = []
  const add = (stored: Buffer | string, text = String(stored)): void => {
    lines.push(Buffer.from(stored))
    expected.push(text)
  }
  for (let n = 1; n < BLOCK; n++) add(plain(n))
  // The long line's pieces are seqs BLOCK..BLOCK+2: the first block ends in the middle of it.
  add(LONG)
  for (const line of SPECIAL) add(line.stored, line.text)
  for (let n = BLOCK + 100; n < 3 * BLOCK; n++) {
    // The third block (seq 2 * BLOCK + 1 on) starts with a marker, and is plain text after it.
    if (n === THIRD_BLOCK_START) add('+++ Block three', '▾ Block three')
    else add(n === 2 * BLOCK + 500 ? LONG : plain(n))
  }
  // The job's last line has no newline.
  const input = Buffer.concat([...lines.flatMap((line) => [line, Buffer.from('\n')]), Buffer.from('no newline at the end')])
  const text = `${expected.join('\n')}\nno newline at the end`

  const get = async (job: string, ...args: string[]): Promise<string> => {
    const result = await runCli(['get', job, ...args], {env: sandbox.env})
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    return result.stdout
  }
  /** Text output entry by entry (write-entries.ts) of the entries --output json gives. */
  const throughEntries = async (job: string, ...args: string[]): Promise<string> => {
    const records = (await get(job, ...args, '--output', 'json')).split('\n').filter(Boolean)
    const lines = new TextLineJoiner()
    const style = {chalk: new Chalk({level: 0}), timestamps: false}
    return records.map((record) => lines.format(fromRecord(JSON.parse(record) as EntryRecord), style)).join('')
  }

  beforeAll(async () => {
    for (const job of ['mixed', 'moved']) {
      const pushed = await runCli(['push', '--job', job, '--max-line-bytes', String(MAX_LINE), '--exit-code', '0'], {input, env: sandbox.env})
      expect(pushed.code).toBe(0)
    }
    const archived = await runCli(['archive', '--job', 'moved', '--archive', `file://${sandbox.home}/archive`], {env: sandbox.env})
    expect(archived.code).toBe(0)
    expect(existsSync(join(sandbox.home, 'archive', 'moved.meta.json'))).toBe(true)
  })

  it('the pieces of the long line fall on both sides of a block boundary, one starting as a marker does; the third block starts with a marker', async () => {
    const records = (await get('mixed', '--output', 'json', '--after', String(BLOCK - 1), '--head', '3'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as {seq: number; line: string})
    expect(records.map((r) => r.line)).toEqual([LONG.slice(0, MAX_LINE), LONG.slice(MAX_LINE, 2 * MAX_LINE), LONG.slice(2 * MAX_LINE)])
    expect(records[0].seq).toBe(BLOCK)
    const third = JSON.parse(await get('mixed', '--output', 'json', '--after', String(2 * BLOCK), '--head', '1')) as {line: string}
    expect(third.line).toBe('+++ Block three')
  })

  it('prints the job as text output does: plain blocks as stored, markers as headers, CR, ANSI codes and invalid UTF-8 as text shows them', async () => {
    const whole = await get('mixed')
    expect(whole).toBe(text)
    expect(whole).toBe(await throughEntries('mixed'))
  })

  it('-n N, --head N and --after SEQ print what they print through entries', async () => {
    for (const args of [
      ['-n', '25000'],
      ['-n', '3'],
      ['--head', String(BLOCK + 4)],
      ['--after', String(BLOCK)],
      ['--after', String(BLOCK + 1), '--head', '12'],
    ]) {
      expect(await get('mixed', ...args), args.join(' ')).toBe(await throughEntries('mixed', ...args))
    }
    expect(await get('mixed', '-n', '1')).toBe('no newline at the end')
  })

  it('the lines a filter takes print as they print through entries: copied where none lacks its newline', async () => {
    for (const args of [
      ['--grep', 'step 1'],
      ['--grep', 'step [0-9]*7 café'],
      ['--grep', 'STEP 2', '-i'],
      ['--exclude', 'never matches this'],
      // The long line's pieces: the first two lack their newline; a filter may take one without the next.
      ['--grep', 'a{8}|b{8}'],
      ['--grep', 'bbbb'],
      ['--grep', 'done'],
      ['--exclude', 'step', '--head', '5'],
      ['--grep', 'Block|red|CRLF|bad', '--head', '3'],
      ['--level', 'info'],
      ['--stream', 'stderr'],
      ['--grep', 'step', '--after', String(BLOCK - 50), '--head', '60'],
    ]) {
      const printed = await get('mixed', ...args)
      expect(printed, args.join(' ')).toBe(await throughEntries('mixed', ...args))
    }
    // A line of the job taken: the copy is not empty.
    expect((await get('mixed', '--grep', 'step 12345 ')).trim()).toBe(plain(12_345))
  })

  it('an archived job prints the same', async () => {
    const archive = ['--archive', `file://${sandbox.home}/archive`]
    expect(await get('moved', ...archive)).toBe(text)
    expect(await get('moved', '--after', String(BLOCK - 2), '--head', '20', ...archive)).toBe(await throughEntries('mixed', '--after', String(BLOCK - 2), '--head', '20'))
    for (const args of [
      ['--grep', 'a{8}|b{8}|step 1'],
      ['--exclude', 'step'],
    ]) {
      expect(await get('moved', ...args, ...archive), args.join(' ')).toBe(await throughEntries('mixed', ...args))
    }
  })
})
