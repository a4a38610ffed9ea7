import {describe, expect, it} from 'vitest'
import type {LogEntry} from '../../src/lib/entry.js'
import {markStarts, RecordStarts} from '../../src/lib/record-starts.js'

const entry = (seq: number, record?: LogEntry['record'], stream?: LogEntry['stream']): LogEntry => ({seq, ts: seq, line: `line ${seq}`, eol: true, record, stream})

/** The marks as a read hands the entries on: through take, then last. */
async function read(entries: LogEntry[], next?: (seq: number) => Promise<LogEntry | undefined>): Promise<Array<LogEntry['record']>> {
  const starts = new RecordStarts()
  const out: LogEntry[] = []
  for (const e of entries) {
    const ready = starts.take(e)
    if (ready) out.push(ready)
  }
  const last = await starts.last(next)
  if (last) out.push(last)
  expect(out.map((e) => e.seq)).toEqual(entries.map((e) => e.seq))
  return out.map((e) => e.record)
}

describe('record starts marked where entries are read', () => {
  it('a line of no record followed by a continuation of the same stream starts it; nothing else does', async () => {
    const entries = () => [
      entry(1),
      entry(2),
      entry(3, 'continuation'),
      entry(4, 'start'),
      entry(5, 'continuation'),
      entry(6, undefined, 'stdout'),
      entry(7, 'continuation', 'stderr'),
      entry(9),
      entry(11, 'continuation'),
    ]
    const expected = [undefined, 'start', 'continuation', 'start', 'continuation', undefined, 'continuation', undefined, 'continuation']
    expect(await read(entries())).toEqual(expected)
    const batch = entries()
    markStarts(batch)
    expect(batch.map((e) => e.record)).toEqual(expected)
  })

  it('looks at the entry after the last one only when that one may start a record', async () => {
    const asked: number[] = []
    const next = async (seq: number) => {
      asked.push(seq)
      return entry(seq + 1, 'continuation')
    }
    expect(await read([entry(1), entry(2)], next)).toEqual([undefined, 'start'])
    expect(await read([entry(1), entry(2, 'continuation')], next)).toEqual(['start', 'continuation'])
    expect(await read([entry(1), entry(2)])).toEqual([undefined, undefined])
    expect(asked).toEqual([2])
  })
})
