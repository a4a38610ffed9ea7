import {describe, expect, it} from 'vitest'
import type {Section} from '../../../src/lib/job.js'
import {Folds, NO_FOLDS, withFold} from '../../../src/lib/ui/folds.js'
import {SectionFolds} from '../../../src/lib/structure/folds.js'

const section = (name: string, firstSeq: number, lastSeq: number, extra: Partial<Section> = {}): Section => ({
  name,
  title: name,
  family: 'gitlab',
  depth: 0,
  firstSeq,
  lastSeq,
  start: 0,
  end: 1,
  lines: lastSeq - firstSeq + 1,
  levels: {},
  ...extra,
})
const item = (seq: number, job = 'j') => ({job, entry: {seq, ts: 0, line: '', eol: true}})
const hidden = (folds: Folds, last: number) => Array.from({length: last}, (_, i) => i + 1).filter((seq) => folds.hides(item(seq)))

describe('Folds', () => {
  const outer = section('outer', 1, 6, {collapsed: true})
  const inner = section('inner', 3, 5, {depth: 1, parent: 'outer'})
  const open = section('open', 7, 7, {end: undefined})

  it("folds what the markers say, a folded section's header shown, nested ones hidden with it", () => {
    const folds = new Folds(new Map([['j', [outer, inner, open]]]), NO_FOLDS)
    expect(hidden(folds, 10)).toEqual([2, 3, 4, 5, 6])
    expect(folds.startingAt(item(1))).toEqual({section: outer, folded: true})
    expect(folds.startingAt(item(2))).toBeUndefined()
    expect(folds.around(item(4))).toBe(inner)
    expect(folds.around(item(6))).toBe(outer)
    expect(folds.around(item(9))).toBe(open) // an open section reaches the newest line
    expect(folds.hides(item(2, 'other'))).toBe(false)
  })

  it('z overrides one section; Z sets all, an open one folding everything after its header', () => {
    const unfolded = new Folds(new Map([['j', [outer, inner, open]]]), withFold(NO_FOLDS, 'j', outer, false))
    expect(hidden(unfolded, 10)).toEqual([])
    const innerFolded = new Folds(new Map([['j', [outer, inner, open]]]), withFold(unfolded.choices, 'j', inner, true))
    expect(hidden(innerFolded, 10)).toEqual([4, 5])
    const all = new Folds(new Map([['j', [outer, inner, open]]]), {overrides: new Map(), all: true})
    expect(hidden(all, 10)).toEqual([2, 3, 4, 5, 6, 8, 9, 10])
    expect(all.anyOpen()).toBe(false)
    expect(innerFolded.anyOpen()).toBe(true)
  })

  it('rows of a folded log: how many are shown, the seq of each, the row of each seq', () => {
    const folds = new SectionFolds('j', [outer, inner, section('later', 8, 9, {collapsed: true})], NO_FOLDS)
    expect(folds.hidden).toEqual([
      [2, 6],
      [9, 9],
    ])
    expect(folds.shown(10)).toBe(4) // 1, 7, 8, 10
    expect([0, 1, 2, 3, 4].map((i) => folds.seqAt(i))).toEqual([1, 7, 8, 10, 11])
    expect([1, 4, 7, 8, 9, 10].map((seq) => folds.indexOf(seq))).toEqual([0, 0, 1, 2, 2, 3])
    expect(folds.enclosing(4).map((s) => s.name)).toEqual(['inner', 'outer'])
  })
})
