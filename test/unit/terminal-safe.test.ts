import {Chalk} from 'chalk'
import {describe, expect, it} from 'vitest'
import type {LogEntry} from '../../src/lib/entry.js'
import {formatText} from '../../src/lib/render/format-entry.js'
import {terminalSafe} from '../../src/lib/render/terminal-safe.js'
import {stripAnsi} from '../../src/lib/level.js'

const OSC52 = '\u001B]52;c;cm0gLXJmIH4=\u0007' // sets the reader's clipboard to "rm -rf ~"
const TITLE = '\u001B]0;owned\u001B\\'
const RED = '\u001B[31m'
const RESET = '\u001B[0m'

describe('terminalSafe', () => {
  it('keeps colours when asked, drops every other escape and control character', () => {
    expect(terminalSafe(`${RED}red${RESET}\u001B[2J\u0007x\r`, true)).toBe(`${RED}red${RESET}x`)
    expect(terminalSafe(`${RED}red${RESET}`, false)).toBe('red')
    expect(terminalSafe(`a${OSC52}b${TITLE}c`, true)).toBe('abc')
    expect(terminalSafe('bell\u0007 back\bspace nul\u0000 del\u007F esc\u001B7 charset\u001B(0', true)).toBe('bell backspace nul del esc charset')
    expect(terminalSafe('dcs\u001BPq#0;2;0;0;0\u001B\\ end', true)).toBe('dcs end')
    expect(terminalSafe(`unterminated \u001B]0;title and the rest`, true)).toBe('unterminated ')
  })

  it('drops C1 controls, a CSI to some terminals, and keeps the characters around them', () => {
    expect(terminalSafe('c1\u009B2J é\u0085x 日本', true)).toBe('c12J éx 日本')
  })

  it('keeps tabs', () => {
    expect(terminalSafe('a\tb\u0007\tc', false)).toBe('a\tb\tc')
  })

  it('starts the line again at a carriage return, as the terminal that showed the job did', () => {
    expect(terminalSafe('10%\r20%\r30%', false)).toBe('30%')
    expect(terminalSafe('Downloading 10%\rDownloading 100%\r', false)).toBe('Downloading 100%')
    expect(terminalSafe('plain text', false)).toBe('plain text')
    expect(terminalSafe('fetch 10%\rfetch 100%\r\r\r', false)).toBe('fetch 100%')
  })
})

describe('text output', () => {
  const entry = (line: string): LogEntry => ({seq: 1, ts: 0, line, level: 'error', stream: 'stdout', eol: true})

  it('on a terminal or in colour keeps no control code but colours', () => {
    const colored = {chalk: new Chalk({level: 1}), timestamps: false}
    expect(formatText(entry(`${OSC52}${RED}own${RESET} colours`), colored)).toBe(`${RED}own${RESET} colours\n`)
    expect(formatText(entry(`failed${OSC52}`), colored)).toBe(`${RED}failed\u001B[39m\n`) // the level's colour, as for any plain line
    const terminal = {chalk: new Chalk({level: 0}), terminal: true, timestamps: false}
    expect(formatText(entry(`${RED}x${RESET}\u0007\u009B2J 1%\r2%`), terminal)).toBe('2%\n')
  })

  it('into a pipe without colour keeps the line as it was stored, but for its colours', () => {
    const piped = {chalk: new Chalk({level: 0}), timestamps: false}
    expect(formatText(entry(`${RED}x${RESET}\u0007 1%\r2%`), piped)).toBe('x\u0007 1%\r2%\n')
  })
})

describe('stripAnsi (text output into a pipe, level detection) reads escape sequences as terminalSafe does', () => {
  it('drops the same sequences, but keeps the control characters', () => {
    expect(stripAnsi(`a${OSC52}b${TITLE}c${RED}d${RESET} esc\u001B7 charset\u001B(0 bell\u0007 dcs\u001BPq#0\u001B\\ end`)).toBe('abcd esc charset bell\u0007 dcs end')
    expect(stripAnsi('unterminated \u001B]0;title and the rest')).toBe('unterminated ')
  })
})
