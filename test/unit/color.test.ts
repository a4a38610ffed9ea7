import {describe, expect, it} from 'vitest'
import {colorLevel} from '../../src/lib/color.js'

describe('colour, by the Node ecosystem conventions', () => {
  const tty = {isTTY: true}
  const pipe = {isTTY: false}
  const term = {TERM: 'xterm-256color'}

  it('on a terminal by default, at its depth; never into a pipe', () => {
    expect(colorLevel(tty, undefined, term)).toBe(2)
    expect(colorLevel(tty, undefined, {TERM: 'xterm', COLORTERM: 'truecolor'})).toBe(3)
    expect(colorLevel(tty, undefined, {})).toBe(1)
    expect(colorLevel(tty, undefined, {TERM: 'dumb'})).toBe(0)
    expect(colorLevel(pipe, undefined, term)).toBe(0)
  })

  it('NO_COLOR (non-empty) turns it off; an empty NO_COLOR does not', () => {
    expect(colorLevel(tty, undefined, {...term, NO_COLOR: '1'})).toBe(0)
    expect(colorLevel(tty, undefined, {...term, NO_COLOR: ''})).toBe(2)
  })

  it('FORCE_COLOR: 0/false off, empty/1/true 16 colours, 2 → 256, 3 → truecolor, into a pipe and over NO_COLOR', () => {
    expect(colorLevel(tty, undefined, {...term, FORCE_COLOR: '0'})).toBe(0)
    expect(colorLevel(tty, undefined, {...term, FORCE_COLOR: 'false'})).toBe(0)
    expect(colorLevel(pipe, undefined, {FORCE_COLOR: ''})).toBe(1)
    expect(colorLevel(pipe, undefined, {FORCE_COLOR: 'true'})).toBe(1)
    expect(colorLevel(pipe, undefined, {FORCE_COLOR: '1', NO_COLOR: '1'})).toBe(1)
    expect(colorLevel(pipe, undefined, {FORCE_COLOR: '2'})).toBe(2)
    expect(colorLevel(pipe, undefined, {FORCE_COLOR: '3'})).toBe(3)
    expect(colorLevel(pipe, undefined, {FORCE_COLOR: '1', ...term})).toBe(2)
  })

  it('--color forces it (pipe, NO_COLOR, FORCE_COLOR=0); --no-color wins over everything', () => {
    expect(colorLevel(pipe, true, {})).toBe(1)
    expect(colorLevel(pipe, true, {NO_COLOR: '1', ...term})).toBe(2)
    expect(colorLevel(pipe, true, {FORCE_COLOR: '0'})).toBe(1)
    expect(colorLevel(pipe, true, {FORCE_COLOR: '3'})).toBe(3)
    expect(colorLevel(tty, false, {...term, FORCE_COLOR: '3'})).toBe(0)
  })
})
