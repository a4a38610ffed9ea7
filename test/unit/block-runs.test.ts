import {describe, expect, it} from 'vitest'
import type {BlockInfo} from '../../src/lib/archive/block-index.js'
import {runsOf} from '../../src/lib/archive/block-runs.js'

/** Blocks of `size` compressed bytes and `bytes` of NDJSON each, back to back from offset 0. */
function blocks(count: number, size = 100, bytes = 1000): BlockInfo[] {
  return Array.from({length: count}, (_, n) => ({
    offset: n * size,
    size,
    bytes,
    lines: 10,
    firstSeq: n * 10 + 1,
    lastSeq: n * 10 + 10,
    minTs: 0,
    maxTs: 0,
    levels: {},
    filter: {offset: 0, size: 0, kind: 'none'},
  }))
}
const offsets = (runs: BlockInfo[][]): number[][] => runs.map((run) => run.map((b) => b.offset))

describe('runsOf', () => {
  it('groups neighbours, cuts at a gap, and keeps the order given (ascending or descending)', () => {
    const all = blocks(8)
    const wanted = [all[0], all[1], all[2], all[4], all[5], all[7]]
    expect(offsets(runsOf(wanted))).toEqual([[0, 100, 200], [400, 500], [700]])
    expect(offsets(runsOf([...wanted].reverse()))).toEqual([[700], [500, 400], [200, 100, 0]])
  })

  it('holds at most maxBytes of NDJSON per run (a bigger block alone)', () => {
    expect(offsets(runsOf(blocks(5), 2500))).toEqual([[0, 100], [200, 300], [400]])
    expect(offsets(runsOf(blocks(3, 100, 5000), 2500))).toEqual([[0], [100], [200]])
  })

  it('does not join blocks given out of order', () => {
    const all = blocks(3)
    expect(offsets(runsOf([all[1], all[0], all[1]]))).toEqual([[100, 0], [100]])
    expect(offsets(runsOf([all[0], all[1], all[0]]))).toEqual([[0, 100], [0]])
  })
})
