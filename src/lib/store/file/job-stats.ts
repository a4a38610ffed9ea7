/**
 * A job's running counters, in a fixed-size binary file (`stats`) rewritten in place with
 * one pwrite per append — replacing meta.json by rename on every batch made ext4 flush
 * each time. `lines` and `bytes` are not here: the sizes of `idx` and `log` are exact.
 *
 *   f64 × 6  lines per level (LEVELS order)
 *   f64      first ts, last ts, updated at (0 = none)
 */
import {closeSync, constants, openSync, readSync, writeSync} from 'node:fs'
import {join} from 'node:path'
import {LEVELS, type Level} from '../../level.js'

export const STATS_FILE = 'stats'
const SIZE = (LEVELS.length + 3) * 8

export interface JobStats {
  levels: Partial<Record<Level, number>>
  firstTs?: number
  lastTs?: number
  updatedAt?: number
}

export function readStats(dir: string): JobStats {
  const buffer = Buffer.alloc(SIZE)
  let fd: number
  try {
    fd = openSync(join(dir, STATS_FILE), 'r')
  } catch {
    return {levels: {}}
  }
  try {
    readSync(fd, buffer, 0, SIZE, 0)
  } finally {
    closeSync(fd)
  }
  const levels: Partial<Record<Level, number>> = {}
  LEVELS.forEach((level, i) => {
    const count = buffer.readDoubleLE(i * 8)
    if (count > 0) levels[level] = count
  })
  const at = LEVELS.length * 8
  const optional = (value: number) => (value > 0 ? value : undefined)
  return {levels, firstTs: optional(buffer.readDoubleLE(at)), lastTs: optional(buffer.readDoubleLE(at + 8)), updatedAt: optional(buffer.readDoubleLE(at + 16))}
}

/** Adds entries' levels and times to the counters. The caller holds the job's lock. */
export function addToStats(dir: string, entries: {ts: number; level?: Level}[], now = Date.now()): void {
  const stats = readStats(dir)
  for (const entry of entries) if (entry.level) stats.levels[entry.level] = (stats.levels[entry.level] ?? 0) + 1
  if (entries.length > 0) {
    stats.firstTs ??= entries[0].ts
    stats.lastTs = entries.at(-1)!.ts
  }
  const buffer = Buffer.alloc(SIZE)
  LEVELS.forEach((level, i) => buffer.writeDoubleLE(stats.levels[level] ?? 0, i * 8))
  const at = LEVELS.length * 8
  buffer.writeDoubleLE(stats.firstTs ?? 0, at)
  buffer.writeDoubleLE(stats.lastTs ?? 0, at + 8)
  buffer.writeDoubleLE(now, at + 16)
  // In place, never truncated: a concurrent reader sees the old counters or the new ones.
  const fd = openSync(join(dir, STATS_FILE), constants.O_RDWR | constants.O_CREAT)
  try {
    writeSync(fd, buffer, 0, SIZE, 0)
  } finally {
    closeSync(fd)
  }
}
