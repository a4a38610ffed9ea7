import {describe, expect, it} from 'vitest'
import {RecentJobs} from '../../../src/lib/relay/recent-jobs.js'

/** At most two jobs; `gone` lists the ones let go. */
function twoJobs(): {jobs: RecentJobs<{job: string}>; gone: string[]} {
  const gone: string[] = []
  return {
    jobs: new RecentJobs(
      (job) => ({job}),
      2,
      (state) => gone.push(state.job),
    ),
    gone,
  }
}

describe('RecentJobs', () => {
  it('keeps one state per job, at most max, letting go of the least recently written first', () => {
    const {jobs, gone} = twoJobs()
    const a = jobs.use('a')
    jobs.use('b')
    expect(jobs.use('a')).toBe(a) // a is now the most recent
    jobs.use('c')
    expect(gone).toEqual(['b'])
    expect(jobs.values().map((state) => state.job)).toEqual(['a', 'c'])
    expect(jobs.take('a')).toBe(a)
    expect(jobs.take('a')).toBeUndefined()
    expect(jobs.use('a')).not.toBe(a) // taken: a new state
  })

  it('peek reads a state without making it the most recently written, and makes none', () => {
    const {jobs, gone} = twoJobs()
    const a = jobs.use('a')
    jobs.use('b')
    expect(jobs.peek('a')).toBe(a)
    expect(jobs.peek('x')).toBeUndefined()
    jobs.use('c')
    expect(gone).toEqual(['a']) // still the least recently written
    expect(jobs.values().map((state) => state.job)).toEqual(['b', 'c'])
  })
})
