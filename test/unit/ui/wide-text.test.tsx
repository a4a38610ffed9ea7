/**
 * Wide characters in the viewer: emoji and CJK take the columns the terminal gives them
 * (string-width), wrapped lines take the rows Ink gives them (wrap-ansi), so the viewer's
 * layout and the first screen never shift or overflow.
 */
import {Box, Text, render} from 'ink'
import stringWidth from 'string-width'
import {afterEach, describe, expect, it} from 'vitest'
import {stripAnsi} from '../../../src/lib/level.js'
import {plainScreen} from '../../../src/lib/ui/first-paint.js'
import {cutToWidth, displayWidth, expandTabs, rowsFor} from '../../../src/lib/ui/line-text.js'
import {terminalSafe} from '../../../src/lib/render/terminal-safe.js'
import {FakeStdout, entry, meta, renderViewer, screenLines, type Rendered} from './fake-terminal.js'

// [text, columns a terminal draws it in]: CJK and full-width forms, emoji with skin tones,
// ZWJ sequences, flags, variation selectors and keycaps, a combining accent.
const SAMPLES: Array<[string, number]> = [
  ['日本語', 6],
  ['한국어', 6],
  ['ｆｕｌｌ', 8],
  ['😀', 2],
  ['👍🏽', 2],
  ['👨‍👩‍👧', 2],
  ['🇯🇵', 2],
  ['❤️', 2],
  ['e\u0301', 1],
  ['1️⃣', 2],
  ['☕', 2],
  ['✅', 2],
  ['🏳️‍🌈', 2],
]

let view: Rendered | undefined
afterEach(() => view?.quit())

/** Rows Ink itself draws `text` in, in a box `columns` wide with wrapping on. */
function inkRows(text: string, columns: number): number {
  const stdout = new FakeStdout(columns, 50)
  const app = render(
    <Box width={columns}>
      <Text wrap="wrap">{text}</Text>
    </Box>,
    {stdout: stdout as unknown as NodeJS.WriteStream, debug: true, patchConsole: false},
  )
  app.unmount()
  return stripAnsi(stdout.lastFrame()).replace(/\n$/, '').split('\n').length
}

describe('wide text', () => {
  it.each(SAMPLES)('%s takes %i columns', (text, columns) => {
    expect(displayWidth(text)).toBe(columns)
  })

  it('counts the rows of a wrapped line as Ink lays it out (word wrap, wide characters)', () => {
    const lines = [
      '日本語'.repeat(5),
      `ok ${'日本語'.repeat(4)}`,
      `${'a'.repeat(18)} ${'b'.repeat(18)} cc`,
      '😀👍🏽🇯🇵❤️✅'.repeat(4),
      `x${'漢'.repeat(10)}`,
      SAMPLES.map(([text]) => text).join(' '),
    ]
    for (const columns of [7, 10, 20, 33]) {
      for (const line of lines) expect(rowsFor(line, columns, true), `${JSON.stringify(line)} in ${columns} columns`).toBe(inkRows(line, columns))
    }
  })

  it('expands a tab after wide characters to the next tab stop in columns', () => {
    expect(stringWidth(expandTabs(terminalSafe('日本\tx', false)))).toBe(9)
    expect(stringWidth(expandTabs(terminalSafe('😀\tx', false)))).toBe(9)
  })

  it('keeps the viewer within the terminal with wrapped emoji and CJK lines', async () => {
    view = renderViewer({columns: 20, rows: 12})
    view.source.push({type: 'job', job: 'j', meta: meta('j')})
    const wide = SAMPLES.map(([text], i) => entry(i + 1, `${i + 1} ${text.repeat(9)} end`))
    view.source.push({type: 'entries', job: 'j', entries: wide})
    const lines = screenLines(await view.until((s) => s.includes(SAMPLES.at(-1)![0]) && s.includes('live')))
    expect(lines).toHaveLength(11)
    for (const line of lines) expect(stringWidth(line), line).toBeLessThanOrEqual(20)
    expect(lines.at(-1)).toContain('live · j running')
    expect(lines.at(-2)).toMatch(/end$/) // the newest line ends right above the status bar
  })

  it('cuts the first screen at the terminal width in columns, not characters', async () => {
    view = renderViewer({columns: 11, rows: 6})
    view.source.push({type: 'job', job: 'j', meta: meta('j')})
    view.source.push({type: 'entries', job: 'j', entries: [entry(1, '日本語日本語日本語'), entry(2, '😀'.repeat(20))]})
    await view.until((s) => s.includes('😀'))
    const screen = plainScreen(view.feed, 11, 6, {timestamps: false, multiJob: false})
    const lines = screen.split('\n')
    expect(lines).toHaveLength(5) // as ink draws it: one row short of the terminal
    for (const line of lines) expect(stringWidth(line), line).toBeLessThanOrEqual(11)
    expect(lines).toContain('日本語日本…')
    expect(lines).toContain('😀😀😀😀😀…')
  })

  // Mixed: narrow, CJK, emoji (ZWJ, skin tone, flag), a combining accent, so the cut falls
  // before, after and in the middle of wide characters.
  const MIXED = `ab漢字😀c${SAMPLES.map(([text]) => text).join('')}x日本語e\u0301end`

  it('cuts a line to every width with "…", exactly the width or one column less', () => {
    const full = stringWidth(MIXED)
    const colored = `\u001B[31mab漢\u001B[39m${MIXED.slice(3)}`
    for (let columns = 1; columns < full; columns++) {
      for (const text of [MIXED, colored]) {
        const cut = cutToWidth(text, columns)
        const plain = stripAnsi(cut)
        expect(plain.endsWith('…'), `${JSON.stringify(cut)} in ${columns}`).toBe(true)
        expect(MIXED.startsWith(plain.slice(0, -1)), `${JSON.stringify(cut)} in ${columns}`).toBe(true)
        expect([columns - 1, columns], `${JSON.stringify(cut)} in ${columns}`).toContain(stringWidth(plain))
      }
    }
    expect(cutToWidth(MIXED, full)).toBe(MIXED)
    expect(cutToWidth('日本', 1)).toBe('…')
    expect(cutToWidth(`\u001B[31m${'日本語'}\u001B[39m`, 4)).toBe('\u001B[31m日\u001B[0m…') // no colour left open
  })

  it('shows "…" at the end of a cut line whatever the width', async () => {
    const full = stringWidth(MIXED)
    for (let columns = 8; columns < full; columns++) {
      view = renderViewer({columns, rows: 6})
      view.source.push({type: 'job', job: 'j', meta: meta('j')})
      view.source.push({type: 'entries', job: 'j', entries: [entry(1, MIXED), entry(2, 'zz')]})
      await view.until((s) => s.includes('zz'))
      await view.press('w')
      // Cut, MIXED takes the one row right above "zz" (wrapped, two rows or more).
      const above = (s: string, n: number): string => screenLines(s)[screenLines(s).indexOf('zz') - n]
      const line = above(await view.until((s) => above(s, 2).trim() === '', 'one row above zz'), 1)
      expect(line.endsWith('…'), `${JSON.stringify(line)} in ${columns}`).toBe(true)
      expect([columns - 1, columns], `${JSON.stringify(line)} in ${columns}`).toContain(stringWidth(line))
      view.quit()
    }
  })
})
