import {describe, expect, it} from 'vitest'
import {newJobMeta, type Section} from '../../src/lib/job.js'
import {abandonedStructure} from '../../src/lib/structure/job-sections.js'

const section = (name: string, start: number, more: Partial<Section> = {}): Section => ({
  name,
  title: name,
  family: 'gitlab',
  depth: 0,
  firstSeq: 1,
  lastSeq: 2,
  start,
  lines: 2,
  levels: {info: 1},
  ...more,
})

describe('abandonedStructure', () => {
  it('ends open sections at the given time (not before their start), keeps closed ones, drops phase and progress', () => {
    const closed = section('done', 100, {end: 150, duration: 50})
    const meta = {
      ...newJobMeta('j', 0),
      sections: [closed, section('outer', 200), section('inner', 300, {depth: 1, parent: 'outer'}), section('ahead', 2000)],
      phase: 'inner',
      progress: 40,
    }
    const patch = abandonedStructure(meta, 1000)
    expect(patch).toEqual({
      sections: [
        closed,
        section('outer', 200, {end: 1000, duration: 800}),
        section('inner', 300, {depth: 1, parent: 'outer', end: 1000, duration: 700}),
        // A GitLab marker's own time after the last write: it ends as it starts.
        section('ahead', 2000, {end: 2000, duration: 0}),
      ],
      phase: undefined,
      progress: undefined,
    })
    expect(patch.sections![0]).toBe(closed)
    expect(meta.sections[1].end).toBeUndefined()
  })

  it('gives no sections to a job that has none', () => {
    expect(abandonedStructure(newJobMeta('j', 0), 5)).toEqual({sections: undefined, phase: undefined, progress: undefined})
  })
})
