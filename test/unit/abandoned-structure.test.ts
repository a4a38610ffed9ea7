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

  it('closes a section timed by its marker on that clock: the last write moved by how far its line was read from its start', () => {
    // A GitLab section of 2023 imported in 2026: its first line read at 5000, the job's last write at 9000.
    const imported = section('imported', 100, {firstSeq: 7})
    const meta = {...newJobMeta('j', 0), sections: [imported, section('live', 5000, {firstSeq: 8})]}
    const readAt = (s: Section): number | undefined => ({7: 5000, 8: 5000})[s.firstSeq]
    expect(abandonedStructure(meta, 9000, readAt).sections).toEqual([
      section('imported', 100, {firstSeq: 7, end: 4100, duration: 4000}),
      section('live', 5000, {firstSeq: 8, end: 9000, duration: 4000}),
    ])
    // Without the time its line was read, on the last write's clock as before.
    expect(abandonedStructure(meta, 9000).sections![0]).toEqual(section('imported', 100, {firstSeq: 7, end: 9000, duration: 8900}))
  })

  it('gives no sections to a job that has none', () => {
    expect(abandonedStructure(newJobMeta('j', 0), 5)).toEqual({sections: undefined, phase: undefined, progress: undefined})
  })
})
