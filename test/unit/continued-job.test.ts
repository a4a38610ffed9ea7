/**
 * The ranges a continued job (store/continued-job.ts) is read with: an archived run of 5
 * lines, then 4 live ones the live store numbers 1..4, read as the job's 6..9. Every range
 * gives what the same range of one job of 9 lines gives.
 */
import {describe, expect, it} from 'vitest'
import type {LogEntry} from '../../src/lib/entry.js'
import {continuedEntries} from '../../src/lib/store/continued-job.js'
import type {ReadRange} from '../../src/lib/store/types.js'

const entry = (seq: number): LogEntry => ({seq, ts: 1000 + seq, line: `line ${seq}`}) as LogEntry

/** What a store gives for a range of entries 1..count (after/before/seqRanges, then tail, then limit), as resolveRange does. */
async function* stored(count: number, range: ReadRange): AsyncIterable<LogEntry> {
  let seqs = Array.from({length: count}, (_, i) => i + 1).filter((seq) => seq > (range.after ?? 0) && seq < (range.before ?? Infinity))
  if (range.seqRanges) seqs = seqs.filter((seq) => range.seqRanges!.some(([a, b]) => seq >= a && seq <= b))
  if (range.tail !== undefined) seqs = seqs.slice(Math.max(0, seqs.length - range.tail))
  if (range.limit !== undefined) seqs = seqs.slice(0, range.limit)
  for (const seq of seqs) yield entry(seq)
}

async function seqs(range: ReadRange): Promise<number[]> {
  const out: number[] = []
  for await (const e of continuedEntries(
    range,
    5,
    (r) => stored(5, r),
    (r) => stored(4, r),
  ))
    out.push(e.seq)
  return out
}

async function whole(range: ReadRange): Promise<number[]> {
  const out: number[] = []
  for await (const e of stored(9, range)) out.push(e.seq)
  return out
}

describe('continuedEntries', () => {
  it.each<[string, ReadRange]>([
    ['all', {}],
    ['after in the archived run', {after: 3}],
    ['after at the seam', {after: 5}],
    ['after in the live run', {after: 7}],
    ['before in the archived run', {before: 4}],
    ['before in the live run', {after: 2, before: 8}],
    ['tail within the live run', {tail: 3}],
    ['tail across the seam', {tail: 6}],
    ['tail longer than the job', {tail: 20}],
    ['tail and limit', {tail: 6, limit: 2}],
    ['tail before a bound', {tail: 3, before: 7}],
    ['limit within the archived run', {limit: 3}],
    ['limit across the seam', {limit: 7}],
    ['limit after a start', {after: 4, limit: 3}],
    [
      'seq ranges on both sides',
      {
        seqRanges: [
          [2, 3],
          [5, 7],
          [9, 9],
        ],
      },
    ],
    ['seq ranges in the live run only', {seqRanges: [[7, 8]]}],
  ])('%s', async (_name, range) => {
    expect(await seqs(range)).toEqual(await whole(range))
  })
})
