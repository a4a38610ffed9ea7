import {afterEach, describe, expect, it} from 'vitest'
import {ArchiveReadError} from '../../../src/lib/errors/index.js'
import {KEYS, entries, meta, renderViewer, screenLines, type Rendered} from './fake-terminal.js'

let view: Rendered | undefined
afterEach(() => view?.quit())

const logLines = (screen: string): string[] => screenLines(screen).slice(1, -1)

describe('Viewer scroll-back beyond the buffer', () => {
  const history = entries(1, 5000)

  function open(): Rendered {
    view = renderViewer({columns: 80, rows: 12, capacity: 300, history})
    view.source.push({type: 'job', job: 'big', meta: meta('big', {lines: 5000})})
    view.source.push({type: 'entries', job: 'big', entries: history.slice(-100), backlog: true})
    return view
  }

  it('reads older pages from the store as the view nears the oldest entry held, within --buffer', async () => {
    const v = open()
    await v.until((s) => s.includes('line 5000'))
    for (let i = 0; i < 14; i++) await v.press(KEYS.pageUp)
    const screen = await v.until((s) => logLines(s).at(-1) === `line ${5000 - 14 * 8}`, '14 pages up')
    expect(screen).toContain('paused')
    expect(v.source.reads[0]).toEqual({before: 4901, tail: 100})
    expect(v.feed.buffer.length).toBeLessThanOrEqual(300)
  })

  it('g reads the first page of the job; G reads the newest again, with what arrived meanwhile', async () => {
    const v = open()
    await v.until((s) => s.includes('line 5000'))
    await v.press('g')
    let screen = await v.until((s) => logLines(s)[0] === 'line 1', 'the first line at the top')
    expect(screen).toContain('paused')
    // Lines that arrive while the view shows the start are counted, not kept...
    history.push(...entries(5001, 5003))
    v.source.push({type: 'entries', job: 'big', entries: entries(5001, 5003)})
    await v.until((s) => s.includes('paused — 3 new lines'))
    expect(v.feed.buffer.newest()?.entry.seq).toBeLessThan(5001)
    // ...and G brings the newest back from the store.
    await v.press('G')
    screen = await v.until((s) => logLines(s).at(-1) === 'line 5003', 'newest after G')
    expect(screen).toContain('following')
    v.source.push({type: 'entries', job: 'big', entries: entries(5004, 5004)})
    await v.until((s) => logLines(s).at(-1) === 'line 5004')
    expect(logLines(v.screen()).filter((l) => l === 'line 5003')).toHaveLength(1)
  })
})

describe('Viewer with several jobs', () => {
  it('prefixes lines with their job and toggles jobs in the job list', async () => {
    view = renderViewer({columns: 80, rows: 14, multiJob: true})
    view.source.push({type: 'job', job: 'api', meta: meta('api')})
    view.source.push({type: 'job', job: 'build-7', meta: meta('build-7')})
    view.source.push({type: 'entries', job: 'api', entries: entries(1, 2, (s) => `api says ${s}`)})
    view.source.push({type: 'entries', job: 'build-7', entries: entries(1, 2, (s) => `build says ${s}`)})
    view.source.push({type: 'entries', job: 'api', entries: entries(3, 3, (s) => `api says ${s}`)})
    let screen = await view.until((s) => s.includes('api says 3'))
    expect(logLines(screen).filter((l) => l.trim())).toEqual(['api     api says 1', 'api     api says 2', 'build-7 build says 1', 'build-7 build says 2', 'api     api says 3'])
    expect(screenLines(screen).at(-1)).toContain('2 jobs: 2 running')
    await view.press('j')
    await view.until((s) => s.includes('[x] api'))
    await view.press(' ', KEYS.escape)
    screen = await view.until((s) => !s.includes('api says') && s.includes('build says 2'))
    expect(screen).toContain('2 shown / 5 total')
  })

  it('one job with a damaged archived block: its error in the status line, the other job shown on', async () => {
    view = renderViewer({columns: 100, rows: 10, multiJob: true})
    view.source.push({type: 'job', job: 'api', meta: meta('api')})
    view.source.push({type: 'job', job: 'dmg', meta: meta('dmg')})
    view.source.push({type: 'entries', job: 'dmg', entries: entries(1, 2, (s) => `dmg says ${s}`)})
    view.source.push({type: 'end', job: 'dmg', unreadable: new ArchiveReadError('dmg', ['block 3 (bytes 10..19, seq 3..4) could not be read: bad'])})
    view.source.push({type: 'entries', job: 'api', entries: entries(1, 1, (s) => `api says ${s}`)})
    const screen = await view.until((s) => s.includes('api says 1'))
    expect(screenLines(screen).at(-1)).toContain('job dmg: block 3 (bytes 10..19, seq 3..4) could not be read')
    expect(logLines(screen).filter((l) => l.trim())).toEqual(['dmg dmg says 1', 'dmg dmg says 2', 'api api says 1'])
  })
})

describe('Viewer paging forward after a jump back', () => {
  it('scrolling down from the start reads the next pages, and reaches the live entries again', async () => {
    const history = entries(1, 400)
    view = renderViewer({columns: 80, rows: 12, capacity: 150, history})
    view.source.push({type: 'job', job: 'p', meta: meta('p', {lines: 400})})
    view.source.push({type: 'entries', job: 'p', entries: history.slice(-50), backlog: true})
    await view.until((s) => s.includes('line 400'))
    await view.press('g')
    await view.until((s) => logLines(s)[0] === 'line 1')
    for (let i = 0; i < 60; i++) await view.press(KEYS.pageDown)
    const screen = await view.until((s) => logLines(s).at(-1) === 'line 400', 'the newest line by scrolling down')
    expect(screen).toContain('paused')
    expect(view.source.reads.some((r) => r.after !== undefined)).toBe(true)
    expect(view.feed.buffer.attached).toBe(true)
    history.push(...entries(401, 402))
    view.source.push({type: 'entries', job: 'p', entries: entries(401, 402)})
    await view.press('G')
    await view.until((s) => logLines(s).at(-1) === 'line 402')
  })
})

describe('Viewer paused on jobs that cannot be paged', () => {
  it('keeps showing the oldest lines held when the ring drops the ones on screen', async () => {
    view = renderViewer({columns: 80, rows: 10, capacity: 100, multiJob: true})
    view.source.push({type: 'job', job: 'a', meta: meta('a')})
    view.source.push({type: 'job', job: 'b', meta: meta('b')})
    view.source.push({type: 'entries', job: 'a', entries: entries(1, 50)})
    await view.until((s) => s.includes('line 50'))
    await view.press(KEYS.up)
    await view.until((s) => s.includes('paused'))
    view.source.push({type: 'entries', job: 'b', entries: entries(1, 300)})
    const screen = await view.until((s) => s.includes('paused — 300 new lines'))
    expect(logLines(screen).filter((l) => /^b +line \d+$/.test(l)).length).toBeGreaterThan(0)
    expect(view.feed.buffer.length).toBe(100)
  })
})

describe('Viewer jumps cover the whole job, not only the buffer', () => {
  // Errors at 40 and 4500 (outside the 100 entries held at start), and at 4950 (inside).
  const history = entries(1, 5000).map((e) => ([40, 4500, 4950].includes(e.seq) ? {...e, line: `ERROR at ${e.seq}`, level: 'error' as const} : e))

  function open(): Rendered {
    view = renderViewer({columns: 80, rows: 12, capacity: 300, history})
    view.source.push({type: 'job', job: 'big', meta: meta('big', {lines: 5000})})
    view.source.push({type: 'entries', job: 'big', entries: history.slice(-100), backlog: true})
    return view
  }

  it('E goes to the previous error, reading the store when the buffer has none further back', async () => {
    const v = open()
    await v.until((s) => s.includes('line 5000'))
    await v.press('E')
    await v.until((s) => s.includes('ERROR at 4950'), 'the error in the buffer')
    await v.press('E')
    let screen = await v.until((s) => s.includes('ERROR at 4500'), 'the error read from the store')
    expect(screen).not.toContain('no error')
    await v.press('E')
    await v.until((s) => s.includes('ERROR at 40'), 'the first error of the job')
    await v.press('E')
    screen = await v.until((s) => s.includes('no error above'), 'the message that there is none further back')
    expect(screen).toContain('ERROR at 40')
  })

  it('e goes forward through what was paged back, and a search (n/N) does the same', async () => {
    const v = open()
    await v.until((s) => s.includes('line 5000'))
    await v.press('g')
    await v.until((s) => logLines(s)[0] === 'line 1', 'the start of the job')
    await v.press('e')
    await v.until((s) => s.includes('ERROR at 40'), 'the first error')
    await v.press('e')
    await v.until((s) => s.includes('ERROR at 4500'), 'the next error, read from the store')
    await v.press('/')
    for (const c of 'line 4200') await v.press(c)
    await v.press(KEYS.enter)
    await v.until((s) => logLines(s).some((l) => l === 'line 4200'), 'the search result above')
  })
})
