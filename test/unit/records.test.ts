import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {LineSplitter} from '../../src/lib/ingest/line-splitter.js'
import {RecordTracker} from '../../src/lib/structure/records.js'

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'traces')

/** Levels as capture stores them, the lines arriving one read per line (a live stream); `prefix` goes before each line. */
function levels(name: string, prefix = ''): Array<[string, string | undefined]> {
  const splitter = new LineSplitter()
  const records = new RecordTracker()
  const out: Array<[string, string | undefined]> = []
  for (const line of readFileSync(join(FIXTURES, name), 'utf8').split(/(?<=\n)/)) {
    const entries = splitter.push(Buffer.from(prefix + line), 0)
    records.observe(entries)
    for (const entry of entries) out.push([entry.bytes.toString(), entry.level])
  }
  return out
}

describe('multi-line records keep their level', () => {
  it("Java: frames, Caused by, ... N more and Suppressed take the exception's level", () => {
    expect(levels('java.log').map(([, level]) => level)).toEqual(['info', 'error', 'error', 'error', 'error', 'error', 'error', 'error', 'error', 'error', 'info'])
  })

  it('Python: a traceback with no level word is an error, to its exception line', () => {
    expect(levels('python.log').map(([, level]) => level)).toEqual(['info', 'error', 'error', 'error', 'error', 'error', 'error', 'info'])
  })

  it('Go: the panic, its goroutine and frames; not the exit status line', () => {
    const got = levels('go.log')
    expect(got.slice(1, 8).every(([, level]) => level === 'error' || level === 'fatal')).toBe(true)
    expect(new Set(got.slice(1, 8).map(([, level]) => level)).size).toBe(1)
    expect(got[8]).toEqual(['exit status 2', undefined])
  })

  it("Rust: a panic, its message, the assertion's left and right, its backtrace; not the note after it", () => {
    const got = levels('rust.log')
    const errors = got.flatMap(([, level], i) => (level === 'error' ? [i + 1] : []))
    // Lines 3-4 (a panic and its message), 8-26 (with its backtrace), 29-32 (an assertion's); each note is info.
    expect(errors).toEqual([3, 4, ...Array.from({length: 19}, (_, i) => 8 + i), 29, 30, 31, 32])
    expect([got[4][1], got[26][1], got[32][1]]).toEqual(['info', 'info', 'info'])
    expect(got[27]).toEqual(['---- tests::it_fails stdout ----', undefined])
  })

  it('Node.js: "    at" frames after a TypeError', () => {
    expect(levels('node.log').map(([, level]) => level)).toEqual([undefined, 'error', 'error', 'error', undefined])
  })

  it('Node.js: an error with its code, as Node prints an uncaught one, is an error with its frames', () => {
    const records = new RecordTracker()
    const lines = [
      'node:internal/errors:541',
      '      throw error;',
      '      ^',
      '',
      'TypeError [ERR_INVALID_ARG_TYPE]: The "path" argument must be of type string',
      '    at Object.openSync (node:fs:571:10)',
      'Node.js v20.20.2',
    ]
    const entries = lines.map((line) => ({ts: 0, bytes: Buffer.from(line), eol: true}))
    records.observe(entries)
    expect(entries.map((e) => (e as {level?: string}).level)).toEqual([undefined, undefined, undefined, undefined, 'error', 'error', undefined])
  })

  it("database server logs: DETAIL and STATEMENT lines take the ERROR's level", () => {
    expect(levels('postgres.log').map(([, level]) => level)).toEqual(['info', 'error', 'error', 'error', 'info'])
  })

  it('a frame after a line with no level makes the frames errors; ordinary indented lines stay as they are', () => {
    const records = new RecordTracker()
    const entries = ['something happened', '\tat x.y(Z.java:1)', 'plain', '  indented but no frame'].map((line) => ({ts: 0, bytes: Buffer.from(line), eol: true}))
    records.observe(entries)
    expect(entries.map((e) => (e as {level?: string}).level)).toEqual([undefined, 'error', undefined, undefined])
  })

  it.each(['java.log', 'python.log', 'go.log', 'rust.log', 'node.log'])(
    '%s behind the timestamp kubectl logs --timestamps writes, GitLab with its stream token, Jenkins in brackets, or gh run view --log behind its job and step: the levels it has without',
    (name) => {
      const plain = levels(name).map(([, level]) => level)
      expect(levels(name, '2026-12-06T09:00:00.123456789Z ').map(([, level]) => level)).toEqual(plain)
      expect(levels(name, '2026-12-06T09:00:00.123456Z 01E ').map(([, level]) => level)).toEqual(plain)
      expect(levels(name, '[2026-12-06T09:00:00.123Z] ').map(([, level]) => level)).toEqual(plain)
      expect(levels(name, 'build (linux)\tRun tests\t2026-12-06T09:00:00.1234567Z ').map(([, level]) => level)).toEqual(plain)
    },
  )

  it('marks the lines of a record: its first line when it comes in the same read, each continuation', () => {
    const marks = (reads: string[]) => {
      const splitter = new LineSplitter()
      const records = new RecordTracker()
      return reads.flatMap((read) => {
        const entries = splitter.push(Buffer.from(read), 0)
        records.observe(entries)
        return entries.map((entry) => entry.record)
      })
    }
    const java = readFileSync(join(FIXTURES, 'java.log'), 'utf8')
    // The exception line starts the record, its frames, Caused by, ... 2 more and Suppressed continue it.
    expect(marks([java])).toEqual([undefined, undefined, 'start', ...Array(7).fill('continuation'), undefined])
    // A live stream: the first line was stored before its continuation came, so it stays unmarked.
    expect(marks(java.split(/(?<=\n)/))).toEqual([undefined, undefined, undefined, ...Array(7).fill('continuation'), undefined])
    expect(marks([readFileSync(join(FIXTURES, 'python.log'), 'utf8')])).toEqual([undefined, 'start', ...Array(5).fill('continuation'), undefined])
  })
})
