import {describe, expect, it} from 'vitest'
import type {Section, SectionFamily} from '../../src/lib/job.js'
import {joinRunSections} from '../../src/lib/run-sections.js'

const section = (name: string, family: SectionFamily, firstSeq: number, parent?: string): Section => ({
  name,
  title: name,
  family,
  depth: parent ? 1 : 0,
  ...(parent && {parent}),
  firstSeq,
  lastSeq: firstSeq,
  start: 0,
  lines: 1,
  levels: {},
})

describe('joinRunSections', () => {
  it("numbers a later run's sections after the earlier runs' highest, parents included; GitLab's own names stay", () => {
    const earlier = [section('github-1', 'github', 1), section('prepare', 'gitlab', 2), section('buildkite-3', 'buildkite', 3)]
    const later = [section('github-1', 'github', 10), section('buildkite-2', 'buildkite', 11, 'github-1'), section('prepare', 'gitlab', 12), section('github-9x', 'github', 13)]
    expect(joinRunSections(earlier, later).map((s) => [s.name, s.parent])).toEqual([
      ['github-1', undefined],
      ['prepare', undefined],
      ['buildkite-3', undefined],
      ['github-4', undefined],
      ['buildkite-5', 'github-4'],
      ['prepare', undefined],
      ['github-9x', undefined],
    ])
  })

  it('leaves the sections as they are when the earlier runs named none themselves', () => {
    const later = [section('github-1', 'github', 5)]
    expect(joinRunSections([section('deploy', 'gitlab', 1)], later)).toEqual([section('deploy', 'gitlab', 1), later[0]])
    expect(joinRunSections([], later)[0]).toBe(later[0])
  })
})
