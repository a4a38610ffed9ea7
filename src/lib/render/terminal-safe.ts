/**
 * A job's line made safe to print on a terminal. A log is written by whatever the job
 * ran, and a terminal obeys what it prints: an OSC 52 sequence sets the reader's
 * clipboard, others retitle the window, move the cursor or clear the screen, and a C1
 * CSI (U+009B) is an escape to some terminals. So only colour (SGR) sequences are kept, and
 * only when colour is on; every other escape and control character is dropped, as `less -R`
 * does. A carriage return inside the line starts it again, as on the terminal that showed
 * the job: a progress bar's `10%\r20%\r30%` is `30%`.
 */
import stringWidth from 'string-width'

/**
 * An escape sequence (ECMA-48): CSI; a control string (OSC, DCS, SOS, PM, APC) to its
 * terminator, or to the line's end when it has none, which the terminal would have swallowed;
 * else ESC, intermediates, a final byte (`ESC 7`, `ESC ( 0`).
 */
// eslint-disable-next-line no-control-regex
const ESCAPE = /\u001B(?:\[[0-?]*[ -/]*[@-~]|[\]PX^_][^\u0007\u001B]*(?:\u0007|\u001B\\)?|[ -/]*[0-~])/y
// eslint-disable-next-line no-control-regex
const SGR = /^\u001B\[[0-9;:]*m$/
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/
const TAB_STOP = 8

export interface TerminalSafeOptions {
  /** Keep the line's own colour sequences. */
  keepColor: boolean
  /** Tabs become spaces to the next tab stop (a full-screen UI, which must know each column). */
  expandTabs?: boolean
}

export function terminalSafe(line: string, {keepColor, expandTabs = false}: TerminalSafeOptions): string {
  let text = line.endsWith('\r') ? line.slice(0, -1) : line
  if (!CONTROL.test(text)) return text
  const restart = text.lastIndexOf('\r')
  if (restart !== -1) text = text.slice(restart + 1)
  let out = ''
  let column = 0
  for (let i = 0; i < text.length;) {
    const ch = text[i]
    if (ch === '\u001B') {
      ESCAPE.lastIndex = i
      const match = ESCAPE.exec(text)
      if (match) {
        if (keepColor && SGR.test(match[0])) out += match[0]
        i += match[0].length
      } else i++
      continue
    }
    if (ch === '\t') {
      const spaces = TAB_STOP - (column % TAB_STOP)
      out += expandTabs ? ' '.repeat(spaces) : ch
      column += spaces
    } else if (!isControl(ch.charCodeAt(0))) {
      const char = String.fromCodePoint(text.codePointAt(i)!)
      out += char
      column += ch < '\u0300' ? 1 : stringWidth(char) // tab stops count columns, not characters
      i += char.length
      continue
    }
    i++
  }
  return out
}

function isControl(code: number): boolean {
  return code < 0x20 || (code >= 0x7f && code <= 0x9f)
}
