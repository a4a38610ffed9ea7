/** `s` in the viewer: writes the entries shown (after filters) to a file and says where. */
import {writeFileSync} from 'node:fs'
import {join, resolve} from 'node:path'
import {formatTimestamp} from '../render/format-entry.js'
import {stripAnsi} from '../level.js'
import type {LogBuffer} from './log-buffer.js'

export interface SaveOptions {
  dir: string
  timestamps: boolean
  /** Prefix lines with their job id (several jobs). */
  prefixed: boolean
  name: string
  now?: Date
}

export function saveShown(buffer: LogBuffer, options: SaveOptions): {path: string; lines: number} {
  const stamp = (options.now ?? new Date())
    .toISOString()
    .replaceAll(':', '')
    .replace(/\.\d+Z$/, 'Z')
  const path = resolve(join(options.dir, `logs-${options.name}-${stamp}.log`))
  const lines: string[] = []
  for (let p = buffer.ring.start; p < buffer.ring.end; p++) {
    const item = buffer.ring.get(p)!
    if (!buffer.matches(item)) continue
    let line = stripAnsi(item.entry.line.endsWith('\r') ? item.entry.line.slice(0, -1) : item.entry.line)
    if (options.timestamps) line = `${formatTimestamp(item.entry.ts)} ${line}`
    if (options.prefixed) line = `${item.job} ${line}`
    lines.push(line)
  }
  writeFileSync(path, lines.length > 0 ? `${lines.join('\n')}\n` : '', {flag: 'wx'})
  return {path, lines: lines.length}
}
