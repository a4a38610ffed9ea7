import {describe, expect, it} from 'vitest'
import type {LogEntry} from '../../../src/lib/entry.js'
import {TimeMerger} from '../../../src/lib/tail/time-merge.js'
import type {TailEvent} from '../../../src/lib/tail/types.js'

const entry = (seq: number, ts: number, line: string): LogEntry => ({seq, ts, line, eol: true})

/** A merger on a clock the test moves; `out` records `job:line` and other events as `job!type`. */
function setup(windowMs = 1000) {
  let now = 0
  const seen: string[] = []
  const events: TailEvent[] = []
  const merger = new TimeMerger({
    windowMs,
    now: () => now,
    out: async (event) => {
      events.push(event)
      if (event.type === 'entries') for (const e of event.entries) seen.push(`${event.job}:${e.line}`)
      else seen.push(`${event.job}!${event.type}`)
    },
  })
  return {merger, seen, events, setNow: (ms: number) => (now = ms)}
}

describe('TimeMerger', () => {
  it('holds backlogs until ready, then lets them out merged by time, each job in its own order', async () => {
    const {merger, seen, events} = setup()
    await merger.add({type: 'entries', job: 'a', backlog: true, entries: [entry(1, 100, 'a1'), entry(2, 300, 'a2'), entry(3, 500, 'a3')]})
    await merger.add({type: 'entries', job: 'b', backlog: true, entries: [entry(1, 200, 'b1'), entry(2, 400, 'b2')]})
    expect(seen).toEqual([])
    await merger.setReady()
    expect(seen).toEqual(['a:a1', 'b:b1', 'a:a2', 'b:b2', 'a:a3'])
    expect(events.every((e) => e.type === 'entries' && e.backlog === true)).toBe(true)
    merger.close()
  })

  it('a live entry waits out the reorder window, so a line written earlier but delivered later comes first', async () => {
    const {merger, seen, setNow} = setup(1000)
    await merger.setReady()
    setNow(10_000)
    await merger.add({type: 'entries', job: 'a', entries: [entry(1, 9_950, 'a-late')]})
    setNow(10_300)
    await merger.add({type: 'entries', job: 'b', entries: [entry(1, 9_900, 'b-early')]})
    expect(seen).toEqual([])
    // a-late arrived at 10 000: due at 11 000; b-early (older) must go first and is due at 11 300.
    setNow(11_000)
    await merger.setReady()
    expect(seen).toEqual([])
    setNow(11_300)
    await merger.setReady()
    expect(seen).toEqual(['b:b-early', 'a:a-late'])
    merger.close()
  })

  it("never reorders one job's entries, even when their timestamps go back", async () => {
    const {merger, seen} = setup()
    await merger.add({type: 'entries', job: 'a', entries: [entry(1, 500, 'a1'), entry(2, 100, 'a2')]})
    await merger.add({type: 'entries', job: 'b', entries: [entry(1, 300, 'b1')]})
    await merger.flushAll()
    expect(seen).toEqual(['b:b1', 'a:a1', 'a:a2'])
  })

  it("keeps a job's other events behind its entries, and passes them at once when nothing waits", async () => {
    const {merger, seen} = setup()
    await merger.add({type: 'job', job: 'a'})
    expect(seen).toEqual(['a!job'])
    await merger.add({type: 'entries', job: 'a', entries: [entry(1, 100, 'a1')]})
    await merger.add({type: 'end', job: 'a'})
    expect(seen).toEqual(['a!job'])
    await merger.flushAll()
    expect(seen).toEqual(['a!job', 'a:a1', 'a!end'])
  })

  it('lets live entries out by itself once the window has passed (its own timer)', async () => {
    let out: () => void = () => {}
    const done = new Promise<void>((resolve) => (out = resolve))
    const seen: string[] = []
    const merger = new TimeMerger({
      windowMs: 20,
      out: async (event) => {
        if (event.type === 'entries') seen.push(...event.entries.map((e) => e.line))
        out()
      },
    })
    await merger.setReady()
    await merger.add({type: 'entries', job: 'a', entries: [entry(1, Date.now(), 'x')]})
    await done
    expect(seen).toEqual(['x'])
    merger.close()
  })
})
