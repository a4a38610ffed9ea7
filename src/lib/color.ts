/**
 * When to colour, by the Node ecosystem's conventions (chalk's supports-color, Node's
 * tty.getColorDepth, no-color.org), in this order:
 * 1. `--no-color` → never; `--color` → always, even into a pipe and despite NO_COLOR
 *    (a command-line flag is the most specific wish, as no-color.org asks).
 * 2. `FORCE_COLOR`: `0`/`false` → never; empty, `1`/`true` → 16 colours; `2` → 256; `3` →
 *    truecolor — on a pipe too, and over NO_COLOR (as in Node and supports-color).
 * 3. `NO_COLOR` set and not empty → never.
 * 4. Otherwise colour only on a terminal whose TERM is not `dumb`.
 * The depth, when colour is on, is the terminal's (COLORTERM, TERM, …), at least 16 colours.
 */
import {Chalk, type ChalkInstance} from 'chalk'

export type ColorLevel = 0 | 1 | 2 | 3

export function colorLevel(stream: {isTTY?: boolean}, flag: boolean | undefined, env: NodeJS.ProcessEnv = process.env): ColorLevel {
  if (flag === false) return 0
  const forced = forceColorLevel(env.FORCE_COLOR)
  if (flag === true) return Math.max(1, forced ?? 0, terminalLevel(env)) as ColorLevel
  if (forced !== undefined) return forced === 0 ? 0 : (Math.max(forced, terminalLevel(env)) as ColorLevel)
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0
  if (!stream.isTTY || env.TERM === 'dumb') return 0
  return Math.max(1, terminalLevel(env)) as ColorLevel
}

function forceColorLevel(value: string | undefined): ColorLevel | undefined {
  if (value === undefined) return undefined
  if (value === '' || value === 'true') return 1
  if (value === 'false') return 0
  const level = Number.parseInt(value, 10)
  return Number.isNaN(level) ? 1 : (Math.min(Math.max(level, 0), 3) as ColorLevel)
}

/** The depth TERM/COLORTERM/CI describe, judged by Node itself with our own decision taken out. */
function terminalLevel(env: NodeJS.ProcessEnv): ColorLevel {
  const {FORCE_COLOR: _force, NO_COLOR: _no, NODE_DISABLE_COLORS: _disable, ...rest} = env
  // node:tty taken here, not imported: it loads node:net, which a command writing to a file never needs.
  const bits = process.getBuiltinModule('node:tty').WriteStream.prototype.getColorDepth.call(undefined, rest)
  return bits >= 24 ? 3 : bits >= 8 ? 2 : bits >= 4 ? 1 : 0
}

export function makeChalk(level: ColorLevel): ChalkInstance {
  return new Chalk({level})
}
