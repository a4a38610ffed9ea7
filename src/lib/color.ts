import {Chalk, supportsColor, type ChalkInstance} from 'chalk'

/** Colour only on a TTY, never with NO_COLOR or --no-color; FORCE_COLOR wins for tests and pagers. */
export function colorEnabled(stream: {isTTY?: boolean}, flag: boolean | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  if (flag === false) return false
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false
  return Boolean(stream.isTTY)
}

export function makeChalk(enabled: boolean): ChalkInstance {
  return new Chalk({level: enabled ? (supportsColor ? supportsColor.level : 1) || 1 : 0})
}
