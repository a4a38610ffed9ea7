import {describe, expect, it} from 'vitest'
import {StoreUnavailableError} from '../../src/lib/errors/index.js'
import {newJobMeta} from '../../src/lib/job.js'
import {resumedFollow} from '../../src/lib/store/resumed-follow.js'
import type {RetryPolicy} from '../../src/lib/store/retry.js'
import type {FollowEvent, FollowOptions} from '../../src/lib/store/types.js'

// The follow source stands for a relay that answers each reconnect with the job's status; the
// clock is the test's, advanced by the source, so no assertion depends on real time.
const POLICY: RetryPolicy = {baseMs: 1, capMs: 10, budgetMs: 50}
const meta = newJobMeta('j', 0)

/** Each attempt answers its first look (when `answers`), yields its events, stays up `upFor` ms of the test's clock, and is cut (unless it ended). */
function relayLike(attempt: (n: number) => {events: FollowEvent[]; upFor: number; answers?: boolean}) {
  let now = 0
  let attempts = 0
  const followFrom = async function* (options: FollowOptions): AsyncIterable<FollowEvent> {
    const n = attempts++
    if (n > 10_000) throw new Error('still following after 10 000 failed attempts')
    const {events, upFor, answers} = attempt(n)
    if (answers) options.answered?.()
    for (const event of events) {
      yield event
      if (event.type === 'end') return
    }
    now += upFor
    throw new StoreUnavailableError('relay', 'the stream was cut')
  }
  return {followFrom, clock: () => now, attempts: () => attempts}
}

async function drain(events: AsyncIterable<FollowEvent>): Promise<FollowEvent[]> {
  const seen: FollowEvent[] = []
  for await (const event of events) seen.push(event)
  return seen
}

describe('resumedFollow', () => {
  it('gives up on a source that answers each reconnect with the status it said before and fails at once', async () => {
    const source = relayLike(() => ({events: [{type: 'meta', meta}], upFor: 1}))
    const error = await drain(resumedFollow(source.followFrom, {after: 0, known: meta}, POLICY, source.clock)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(StoreUnavailableError)
    expect((error as Error).message).toMatch(/the stream was cut \(waited .* for an answer\)/)
  })

  it('starts the budget again after a follow that had been answering for longer than the longest wait (an idle follower outlives relay restarts)', async () => {
    // Up for 20 ms, then cut: 20 cuts are 400 ms, eight budgets.
    const source = relayLike((n) => (n === 20 ? {events: [{type: 'end', meta: {...meta, status: 'succeeded'}}], upFor: 0} : {events: [{type: 'meta', meta}], upFor: 20}))
    const events = await drain(resumedFollow(source.followFrom, {after: 0, known: meta}, POLICY, source.clock))
    expect(events.at(-1)).toMatchObject({type: 'end'})
    expect(source.attempts()).toBe(21)
  })

  it('starts the budget again after a follow whose first look was answered and that then stayed up, idle, for longer than the longest wait', async () => {
    const source = relayLike((n) => (n === 20 ? {events: [{type: 'end', meta: {...meta, status: 'succeeded'}}], upFor: 0} : {events: [], upFor: 20, answers: true}))
    const events = await drain(resumedFollow(source.followFrom, {after: 0, known: meta}, POLICY, source.clock))
    expect(events).toEqual([{type: 'end', meta: {...meta, status: 'succeeded'}}])
  })

  it('gives up on a source that never answers, however long each attempt takes', async () => {
    const source = relayLike(() => ({events: [], upFor: 20}))
    await expect(drain(resumedFollow(source.followFrom, {after: 0, known: meta}, POLICY, source.clock))).rejects.toThrow(/waited .* for an answer/)
  })

  it('starts the budget again on news: new entries', async () => {
    const source = relayLike((n) =>
      n === 30
        ? {events: [{type: 'end', meta: {...meta, status: 'succeeded', lines: 30}}], upFor: 0}
        : {events: [{type: 'entries', entries: [{seq: n + 1, ts: n, line: `line ${n + 1}`, eol: true}]}], upFor: 5},
    )
    const events = await drain(resumedFollow(source.followFrom, {after: 0, known: meta}, POLICY, source.clock))
    expect(events.flatMap((e) => (e.type === 'entries' ? e.entries.map((x) => x.seq) : []))).toEqual(Array.from({length: 30}, (_, i) => i + 1))
  })
})
