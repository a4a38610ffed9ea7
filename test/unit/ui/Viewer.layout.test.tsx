import {afterEach, describe, expect, it} from 'vitest'
import {entries, entry, meta, renderViewer, screenLines, type Rendered} from './fake-terminal.js'

let view: Rendered | undefined
afterEach(() => view?.quit())

describe('Viewer layout', () => {
  it('fills an 80×24 terminal: toolbar, the newest lines that fit, status bar', async () => {
    view = renderViewer({columns: 80, rows: 24})
    view.source.push({type: 'job', job: 'job-1', meta: meta('job-1', {lines: 100})})
    view.source.push({type: 'entries', job: 'job-1', entries: entries(1, 100), backlog: true})
    const screen = await view.until((s) => s.includes('line 100'))
    const lines = screenLines(screen)
    expect(lines).toHaveLength(23) // one row short of the terminal: ink redraws in place
    expect(lines[0]).toContain('level: all')
    expect(lines[0]).toContain('following')
    expect(lines[1]).toBe('line 80')
    expect(lines[21]).toBe('line 100')
    expect(lines[22]).toMatch(/live · job-1 running · 100 shown \/ 100 total · 0 lines\/s · last line/)
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80)
  })

  it('uses a 250-column terminal, cuts or wraps long lines, and survives a resize', async () => {
    view = renderViewer({columns: 250, rows: 10})
    const long = `start ${'x'.repeat(400)} end`
    view.source.push({type: 'job', job: 'j', meta: meta('j')})
    view.source.push({type: 'entries', job: 'j', entries: [entry(1, 'short'), entry(2, long)]})
    let lines = screenLines(await view.until((s) => s.includes('start')))
    // Wrapped (the default): the long line takes two rows of 250 columns, "end" on the second.
    expect(lines.some((line) => line.startsWith('start') && line.length === 250)).toBe(true)
    expect(lines.some((line) => line.endsWith(' end'))).toBe(true)
    await view.press('w')
    lines = screenLines(await view.until((s) => !s.includes(' end')))
    expect(lines.filter((line) => line.startsWith('start'))).toHaveLength(1)
  })

  it('re-lays out on a terminal resize', async () => {
    view = renderViewer({columns: 120, rows: 12})
    view.source.push({type: 'job', job: 'j', meta: meta('j')})
    view.source.push({type: 'entries', job: 'j', entries: entries(1, 50, (seq) => `entry ${seq} ${'y'.repeat(100)}`)})
    await view.until((s) => s.includes('entry 50'))
    view.stdout.resize(80, 24)
    const lines = screenLines(await view.until((s) => screenLines(s).length === 23, '23 rows after resize'))
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80)
    expect(lines.at(-1)).toContain('50 shown / 50 total')
  })
})
