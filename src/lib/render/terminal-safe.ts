/**
 * A job's line made safe to print on a terminal. A log is written by whatever the job
 * ran, and a terminal obeys what it prints: an OSC 52 sequence sets the reader's
 * clipboard, others retitle the window, move the cursor or clear the screen, and a C1
 * CSI (U+009B) is an escape to some terminals. So only colour (SGR) sequences are kept, and
 * only when colour is on; every other escape and control character is dropped, as `less -R`
 * does. A carriage return inside the line starts it again, as on the terminal that showed
 * the job: a progress bar's `10%\r20%\r30%` is `30%`.
 */
import {ESCAPE_SEQUENCE} from '../level.js'

const ESCAPE = new RegExp(ESCAPE_SEQUENCE, 'y')
// eslint-disable-next-line no-control-regex
const SGR = /^\u001B\[[0-9;:]*m$/
/** Control characters (C0 but the tab, DEL, C1). */
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000A-\u001F\u007F-\u009F]/g

/** The line as it is safe to print: with its own colour sequences (`keepColor`) or without, tabs kept. */
export function terminalSafe(line: string, keepColor: boolean): string {
  let text = line.endsWith('\r') ? line.slice(0, -1) : line
  CONTROLS.lastIndex = 0
  if (!CONTROLS.test(text)) return text
  // Returns that end the line start no text after them: `100%\r\r` shows `100%`.
  let end = text.length
  while (end > 0 && text.charCodeAt(end - 1) === 13 /* \r */) end--
  text = text.slice(text.lastIndexOf('\r', end - 1) + 1, end)
  let out = ''
  let kept = 0
  CONTROLS.lastIndex = 0
  for (let control = CONTROLS.exec(text); control; control = CONTROLS.exec(text)) {
    out += text.slice(kept, control.index)
    kept = control.index + 1
    if (control[0] === '\u001B') {
      ESCAPE.lastIndex = control.index
      const sequence = ESCAPE.exec(text)?.[0]
      if (sequence !== undefined) {
        if (keepColor && SGR.test(sequence)) out += sequence
        kept = control.index + sequence.length
      }
    }
    CONTROLS.lastIndex = kept
  }
  return out + text.slice(kept)
}
