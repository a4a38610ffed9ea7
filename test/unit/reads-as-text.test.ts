/**
 * readsAsText (render/format-entry.ts): whether text output prints a block of stored bytes
 * as they are. Every marker start is found at the start of the block and after any newline
 * in it, and only there; near misses and a marker cut off by the block's end do not count.
 */
import {describe, expect, it} from 'vitest'
import {readsAsText} from '../../src/lib/render/format-entry.js'
import {MARKER_STARTS} from '../../src/lib/structure/marker-text.js'

const block = (...lines: string[]): Buffer => Buffer.from(`${lines.join('\n')}\n`)

describe('readsAsText', () => {
  it('takes plain UTF-8 lines', () => {
    expect(readsAsText(block('2026-11-23 INFO step 1 café ✓', 'a line with --- and ::group:: inside', '----------', '+++', ' ~~~ indented'))).toBe(true)
  })

  it.each(MARKER_STARTS)('refuses a line starting %j, first or further on, however long the block', (start) => {
    expect(readsAsText(block(`${start}name`, 'plain'))).toBe(false)
    expect(readsAsText(block('plain', `${start}name`))).toBe(false)
    const filler = Array.from({length: 5000}, (_, i) => `line ${i} ${start.slice(0, -1)}x`)
    expect(readsAsText(block(...filler))).toBe(true)
    expect(readsAsText(block(...filler, `${start}name`))).toBe(false)
  })

  it('takes near misses of the markers: the first bytes alone, or cut off by the end of the block', () => {
    expect(readsAsText(block('plain', 'sectio', 'section', '--x', '::'.slice(0, 1)))).toBe(true)
    expect(readsAsText(Buffer.from('plain\nsect'))).toBe(true)
    expect(readsAsText(Buffer.from('plain\nsection_'))).toBe(false)
  })

  it('refuses a marker behind a timestamp prefix (a downloaded CI log), first or further on; takes the same words elsewhere', () => {
    const filler = Array.from({length: 5000}, (_, i) => `2026-06-21T05:34:54.${String(i).padStart(7, '0')}Z step ${i}: section_x ##[x]`)
    expect(readsAsText(block(...filler))).toBe(true)
    for (const marker of [
      '2026-06-21T05:34:55.0000000Z ##[group]Run tests',
      '2026-06-21T05:34:55Z ##[endgroup]',
      '2026-09-26T10:42:55.100000Z 00O section_start:1790419375:step_script',
      '2026-09-26T10:42:55Z 01E+section_end:1:x',
      '[2026-12-06T09:00:00.137Z] [Pipeline] { (Build)',
      `${'j'.repeat(200)}\tRun tests\t2026-06-21T05:34:55.0000000Z ##[group]Run npm test`,
    ]) {
      expect(readsAsText(block(marker, 'plain')), marker).toBe(false)
      expect(readsAsText(block(...filler, marker)), marker).toBe(false)
    }
    expect(readsAsText(block('plain', 'x'.repeat(100_000) + ' 2026-06-21T05:34:55Z ##[group]inside a line'))).toBe(true)
    expect(readsAsText(block('plain', '2026-06-21 05:34:55Z ##[group]no T'))).toBe(true)
    expect(readsAsText(block('plain', '[2026-12-06T09:00:00.137Z]  [Pipeline] { (two blanks)'))).toBe(true)
    expect(readsAsText(block('plain', `${'j'.repeat(300)}\tRun tests\t2026-06-21T05:34:55Z ##[group]columns too long`))).toBe(true)
  })

  it('refuses ANSI codes, carriage returns and invalid UTF-8', () => {
    expect(readsAsText(block('\u001B[31mred\u001B[0m'))).toBe(false)
    expect(readsAsText(block('a CRLF line\r'))).toBe(false)
    expect(readsAsText(Buffer.from([0x62, 0x61, 0x64, 0xff, 0x0a]))).toBe(false)
  })
})
