/**
 * A log line's ANSI SGR colour codes → styled segments. The line is made terminalSafe
 * first, as the terminal commands print it: colours are then the only escapes it holds, and
 * a carriage return has started it again. The page builds DOM nodes from the segments
 * with textContent, so log text is never parsed as HTML.
 */
import {terminalSafe} from '../../src/lib/render/terminal-safe.js'

export interface SegmentStyle {
  fg?: string
  bg?: string
  bold?: boolean
  dim?: boolean
  italic?: boolean
  underline?: boolean
  inverse?: boolean
}

export interface Segment {
  text: string
  style?: SegmentStyle
}

// eslint-disable-next-line no-control-regex
const SGR = /\u001B\[([0-9;:]*)m/g

/** The 16 basic colours are CSS classes (themed light/dark); 256-colour and truecolour are exact values. */
const BASIC = ['black', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white']

export function parseAnsi(line: string): Segment[] {
  const text = terminalSafe(line, true)
  if (!text.includes('\u001B')) return [{text}]
  const segments: Segment[] = []
  let style: SegmentStyle = {}
  let last = 0
  for (const match of text.matchAll(SGR)) {
    const index = match.index ?? 0
    if (index > last) segments.push(makeSegment(text.slice(last, index), style))
    last = index + match[0].length
    style = applySgr(style, match[1] ?? '')
  }
  if (last < text.length) segments.push(makeSegment(text.slice(last), style))
  return segments
}

export function plainText(segments: Segment[]): string {
  return segments.length === 1 ? segments[0].text : segments.map((s) => s.text).join('')
}

function makeSegment(text: string, style: SegmentStyle): Segment {
  return Object.keys(style).length === 0 ? {text} : {text, style: {...style}}
}

function applySgr(current: SegmentStyle, params: string): SegmentStyle {
  const codes = params === '' ? [0] : params.split(/[;:]/).map((p) => (p === '' ? 0 : Number(p)))
  let style = {...current}
  for (let i = 0; i < codes.length; i++) {
    const code = codes[i]
    if (code === 0) style = {}
    else if (code === 1) style.bold = true
    else if (code === 2) style.dim = true
    else if (code === 3) style.italic = true
    else if (code === 4) style.underline = true
    else if (code === 7) style.inverse = true
    else if (code === 22) {
      delete style.bold
      delete style.dim
    } else if (code === 23) delete style.italic
    else if (code === 24) delete style.underline
    else if (code === 27) delete style.inverse
    else if (code >= 30 && code <= 37) style.fg = `c-${BASIC[code - 30]}`
    else if (code >= 90 && code <= 97) style.fg = `c-bright-${BASIC[code - 90]}`
    else if (code >= 40 && code <= 47) style.bg = `c-${BASIC[code - 40]}`
    else if (code >= 100 && code <= 107) style.bg = `c-bright-${BASIC[code - 100]}`
    else if (code === 39) delete style.fg
    else if (code === 49) delete style.bg
    else if (code === 38 || code === 48) {
      const [color, used] = extendedColor(codes, i + 1)
      i += used
      if (color) style[code === 38 ? 'fg' : 'bg'] = color
    }
  }
  return style
}

/** `5;n` (256 colours) or `2;r;g;b` (truecolour) after 38/48; returns the colour and how many codes it used. */
function extendedColor(codes: number[], at: number): [string | undefined, number] {
  if (codes[at] === 5 && codes[at + 1] !== undefined) return [xterm256(codes[at + 1]), 2]
  if (codes[at] === 2 && codes[at + 3] !== undefined) {
    const [r, g, b] = codes.slice(at + 1, at + 4).map((n) => Math.max(0, Math.min(255, n)))
    return [`rgb(${r}, ${g}, ${b})`, 4]
  }
  return [undefined, 0]
}

function xterm256(n: number): string | undefined {
  if (!Number.isInteger(n) || n < 0 || n > 255) return undefined
  if (n < 8) return `c-${BASIC[n]}`
  if (n < 16) return `c-bright-${BASIC[n - 8]}`
  if (n < 232) {
    const v = n - 16
    const level = (x: number) => (x === 0 ? 0 : 55 + x * 40)
    return `rgb(${level(Math.floor(v / 36))}, ${level(Math.floor(v / 6) % 6)}, ${level(v % 6)})`
  }
  const grey = 8 + (n - 232) * 10
  return `rgb(${grey}, ${grey}, ${grey})`
}

/** A colour is either a class (`c-red`) or a CSS colour value. */
export function isColorClass(color: string): boolean {
  return color.startsWith('c-')
}
