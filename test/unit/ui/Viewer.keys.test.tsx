import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {KEYS, entries, entry, meta, renderViewer, screenLines, type Rendered} from './fake-terminal.js'

let view: Rendered | undefined
afterEach(() => view?.quit())

function open(count = 100, options: Parameters<typeof renderViewer>[0] = {}): Rendered {
  view = renderViewer({columns: 80, rows: 12, ...options})
  view.source.push({type: 'job', job: 'job-1', meta: meta('job-1', {lines: count})})
  view.source.push({type: 'entries', job: 'job-1', entries: entries(1, count), backlog: true})
  return view
}

const logLines = (screen: string): string[] => screenLines(screen).slice(1, -1)

describe('Viewer keys', () => {
  it('scrolling up pauses and counts new lines; G resumes at the newest', async () => {
    const v = open()
    await v.until((s) => s.includes('line 100'))
    await v.press(KEYS.up, KEYS.up)
    let screen = await v.until((s) => s.includes('paused — 0 new lines'))
    expect(logLines(screen).at(-1)).toBe('line 98')
    v.source.push({type: 'entries', job: 'job-1', entries: entries(101, 105)})
    screen = await v.until((s) => s.includes('paused — 5 new lines'))
    expect(logLines(screen).at(-1)).toBe('line 98') // the view does not move while paused
    await v.press('G')
    screen = await v.until((s) => s.includes('following'))
    expect(logLines(screen).at(-1)).toBe('line 105')
  })

  it('space pauses and resumes; PgUp/PgDn move by a screen', async () => {
    const v = open()
    await v.until((s) => s.includes('line 100'))
    await v.press(' ')
    await v.until((s) => s.includes('paused'))
    await v.press(KEYS.pageUp)
    // 12 rows: 9 log rows, a page is 8 entries (one stays on screen for context).
    await v.until((s) => logLines(s).at(-1) === 'line 92', 'one page up')
    await v.press(KEYS.pageDown)
    const screen = await v.until((s) => logLines(s).at(-1) === 'line 100', 'one page down')
    expect(screen).toContain('paused')
    await v.press(' ')
    await v.until((s) => s.includes('following'))
  })

  it('/ highlights every match, Enter lands on the newest, n/N move between matches', async () => {
    const v = open(60, {rows: 30})
    await v.until((s) => s.includes('line 60'))
    await v.press('/', 'l', 'i', 'n', 'e', ' ', '5', KEYS.enter)
    await v.until((s) => s.includes('/line 5 '))
    const raw = v.raw()
    // line 5 and line 50..59 match "line 5"; the current match (line 59) is marked apart.
    expect(raw).toContain('\u001B[30m\u001B[43mline 5\u001B[49m\u001B[39m9')
    expect(raw).toContain('\u001B[7mline 5\u001B[27m8')
    expect(raw).not.toContain('\u001B[7mline 4')
    await v.press('N')
    await v.until(() => v.raw().includes('\u001B[43mline 5\u001B[49m\u001B[39m8'), 'N on line 58')
    await v.press('n', 'n')
    // Past the newest match it wraps around to the oldest: line 5, which scrolls into view.
    const screen = await v.until(() => v.raw().includes('\u001B[43mline 5\u001B[49m\u001B[39m\n'), 'wrap to line 5')
    expect(screen).toContain('paused')
  })

  it('a search typed in one chunk (a paste, tmux send-keys) submits on \\r, \\n or Ctrl+J, and keeps no control characters', async () => {
    for (const enter of ['\r', '\n']) {
      const v = open(60, {rows: 30})
      await v.until((s) => s.includes('line 60'))
      await v.press(`/li\tne 5x\b${enter}`)
      await v.until((s) => s.includes('/line 5 ') && s.includes('paused'), `the search submitted by ${JSON.stringify(enter)}`)
      expect(v.raw()).toContain('\u001B[30m\u001B[43mline 5\u001B[49m\u001B[39m9')
      v.quit()
    }
    const v = open(60, {rows: 30})
    await v.until((s) => s.includes('line 60'))
    await v.press('/', 'line 5', '\n')
    await v.until((s) => s.includes('/line 5 ') && s.includes('paused'), 'the search submitted by Ctrl+J')
  })

  it('l cycles the level filter and the counts follow it', async () => {
    view = renderViewer({columns: 80, rows: 12})
    view.source.push({type: 'job', job: 'j', meta: meta('j')})
    view.source.push({
      type: 'entries',
      job: 'j',
      entries: [entry(1, 'debug one', 'debug'), entry(2, 'info two', 'info'), entry(3, 'warn three', 'warn'), entry(4, 'error four', 'error'), entry(5, 'plain five')],
    })
    await view.until((s) => s.includes('plain five'))
    await view.press('l', 'l', 'l')
    const screen = await view.until((s) => s.includes('level: warn+'))
    expect(logLines(screen).filter((l) => l.trim())).toEqual(['warn three', 'error four'])
    expect(screen).toContain('2 shown / 5 total')
    await view.press('l', 'l')
    await view.until((s) => s.includes('level: all') && s.includes('5 shown'))
  })

  it('t shows the time each line was read', async () => {
    const v = open(5)
    await v.until((s) => s.includes('line 5'))
    await v.press('t')
    const screen = await v.until((s) => s.includes('Z line 5'))
    expect(logLines(screen).at(-1)).toBe(`${new Date(1_700_000_000_005).toISOString()} line 5`)
  })

  it('e jumps to the next error', async () => {
    const v = open(200, {rows: 12})
    v.source.push({type: 'entries', job: 'job-1', entries: [entry(201, 'boom: disk full', 'error'), ...entries(202, 260)]})
    await v.until((s) => s.includes('line 260'))
    await v.press('e')
    const screen = await v.until((s) => s.includes('boom: disk full') && s.includes('paused'))
    expect(screen).not.toContain('line 260')
  })

  it('the ended job: status says how, the viewer stays open and keys still work', async () => {
    const v = open(30)
    await v.until((s) => s.includes('line 30'))
    v.source.push({type: 'end', job: 'job-1', meta: meta('job-1', {status: 'failed', exitCode: 3, lines: 30})})
    let screen = await v.until((s) => s.includes('failed (exit 3)'))
    expect(screenLines(screen).at(-1)).toMatch(/^ ended · job-1 failed \(exit 3\)/)
    await v.press(KEYS.up)
    screen = await v.until((s) => logLines(s).at(-1) === 'line 29')
    expect(screen).toContain('failed (exit 3)')
  })

  it('an archived job opens read-only', async () => {
    view = renderViewer({columns: 100, rows: 10})
    const archived = meta('old', {status: 'succeeded', exitCode: 0, lines: 3, location: {kind: 'archived', url: 'file:///a/old.jsonl.gz', size: 1, sha256: 'x', archivedAt: 1}})
    view.source.push({type: 'job', job: 'old', meta: archived})
    view.source.push({type: 'entries', job: 'old', entries: entries(1, 3), backlog: true})
    view.source.push({type: 'end', job: 'old', meta: archived})
    const screen = await view.until((s) => s.includes('line 3') && s.includes('ended'))
    expect(screen).toContain('old archived, succeeded (read-only)')
  })

  it("renders the job's own ANSI colours, or strips them without colour", async () => {
    const red = '\u001B[31mred text\u001B[39m'
    view = renderViewer({columns: 80, rows: 8})
    view.source.push({type: 'job', job: 'j', meta: meta('j')})
    view.source.push({type: 'entries', job: 'j', entries: [entry(1, red), entry(2, 'bad thing', 'error'), entry(3, 'cursor\u001B[2Jmove')]})
    await view.until((s) => s.includes('bad thing'))
    expect(view.raw()).toContain(red)
    expect(view.raw()).toContain('\u001B[31mbad thing\u001B[39m') // level colour
    expect(view.raw()).not.toContain('\u001B[2J') // never a screen-clearing code from the job
    view.quit()
    view = renderViewer({columns: 80, rows: 8, color: false})
    view.source.push({type: 'job', job: 'j', meta: meta('j')})
    view.source.push({type: 'entries', job: 'j', entries: [entry(1, red), entry(2, 'bad thing', 'error')]})
    await view.until((s) => s.includes('bad thing'))
    expect(view.raw()).not.toContain('\u001B[31m')
    expect(view.screen()).toContain('red text')
  })

  it('? shows the keys; any key closes it; q quits', async () => {
    const v = open(10)
    await v.until((s) => s.includes('line 10'))
    await v.press('?')
    await v.until((s) => s.includes('cycle level filter'))
    await v.press('x')
    await v.until((s) => s.includes('line 10') && !s.includes('cycle level filter'))
    const exited = v.instance.waitUntilExit()
    await v.press('q')
    await exited
  })

  it('s saves what is shown to a file and says where', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'logs-save-'))
    try {
      view = renderViewer({columns: 200, rows: 10, saveDir: dir, name: 'job-1'})
      view.source.push({type: 'job', job: 'job-1', meta: meta('job-1')})
      view.source.push({type: 'entries', job: 'job-1', entries: [entry(1, 'keep me', 'error'), entry(2, 'skip me', 'info'), entry(3, '\u001B[31malso kept\u001B[39m', 'error')]})
      await view.until((s) => s.includes('also kept'))
      await view.press('l', 'l', 'l', 'l', 's')
      const screen = await view.until((s) => s.includes('saved 2 lines to '))
      const path = /saved 2 lines to (\S+)/.exec(screen)![1]
      expect(path.startsWith(dir)).toBe(true)
      expect(readFileSync(path, 'utf8')).toBe('keep me\nalso kept\n')
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})
