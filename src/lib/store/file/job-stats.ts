/**
 * A job's running counters, in a fixed-size binary file (`stats`) rewritten in place with
 * one pread and one pwrite per append — replacing meta.json by rename on every batch made ext4 flush
 * each time. `lines` and `bytes` are not here: the sizes of `idx` and `log` are exact.
 *
 *   f64 × 6  lines per level (LEVELS order)
 *   f64      first ts, last ts, updated at (0 = none)
 *   f64      secrets masked at capture (absent in files written before it: read as 0)
 */
import {closeSync, constants, openSync, readSync, writeSync} from 'node:fs'
import {join} from 'node:path'
import {LEVELS, levelCode, type Level} from '../../level.js'

export const STATS_FILE = 'stats'
const SIZE = (LEVELS.length + 4) * 8

export interface JobStats {
  levels: Partial<Record<Level, number>>
  firstTs?: number
  lastTs?: number
  updatedAt?: number
  masked?: number
}

export function readStats(dir: string): JobStats {
  let fd: number
  try {
    fd = openSync(join(dir, STATS_FILE), 'r')
  } catch {
    return {levels: {}}
  }
  try {
    return readFrom(fd)
  } finally {
    closeSync(fd)
  }
}

/** The writer's side: the file stays open for the writer's lifetime, so an append costs one pread and one pwrite. */
export class JobStatsFile {
  private readonly fd: number
  /** The counters as this writer last wrote them, while no other writer can have written since. */
  private written: JobStats | undefined
  private readonly encoded = Buffer.alloc(SIZE)

  constructor(dir: string) {
    this.fd = openSync(join(dir, STATS_FILE), constants.O_RDWR | constants.O_CREAT)
  }

  /** Another writer may have written the counters since this one did: the next add() reads them first. */
  forget(): void {
    this.written = undefined
  }

  /** Adds entries' levels and times to the counters. The caller holds the job's lock. */
  add(entries: {ts: number; level?: Level; masked?: number}[], now = Date.now()): void {
    const counts = new LevelCounts()
    for (let i = 0; i < entries.length; i++) counts.count(levelCode(entries[i].level), entries[i].masked)
    this.addCounts(counts, entries.length > 0 ? entries[0].ts : undefined, entries.at(-1)?.ts, now)
  }

  /** Adds counts made by the caller (an append counts in the loop that writes its records), with the times of its first and last entry. */
  addCounts(counts: LevelCounts, firstTs: number | undefined, lastTs: number | undefined, now = Date.now()): void {
    const stats = this.written ?? readFrom(this.fd)
    const masked = counts.masked
    LEVELS.forEach((level, i) => {
      const count = counts.byCode[i + 1]
      if (count > 0) stats.levels[level] = (stats.levels[level] ?? 0) + count
    })
    if (masked > 0) stats.masked = (stats.masked ?? 0) + masked
    if (firstTs !== undefined && lastTs !== undefined) {
      stats.firstTs ??= firstTs
      stats.lastTs = lastTs
    }
    stats.updatedAt = now
    // In place, never truncated: a concurrent reader sees the old counters or the new ones.
    writeSync(this.fd, encode(stats, this.encoded), 0, SIZE, 0)
    this.written = stats
  }

  close(): void {
    closeSync(this.fd)
  }
}

/** Lines per level code (index-record.ts levelCode: 0 none, 1 + rank) and secrets masked, counted line by line. */
export class LevelCounts {
  readonly byCode = new Float64Array(LEVELS.length + 1)
  masked = 0

  count(levelCode: number, masked: number | undefined): void {
    this.byCode[levelCode]++
    if (masked) this.masked += masked
  }
}

function readFrom(fd: number): JobStats {
  const buffer = Buffer.alloc(SIZE)
  readSync(fd, buffer, 0, SIZE, 0)
  const levels: Partial<Record<Level, number>> = {}
  LEVELS.forEach((level, i) => {
    const count = buffer.readDoubleLE(i * 8)
    if (count > 0) levels[level] = count
  })
  const at = LEVELS.length * 8
  const optional = (value: number) => (value > 0 ? value : undefined)
  return {
    levels,
    firstTs: optional(buffer.readDoubleLE(at)),
    lastTs: optional(buffer.readDoubleLE(at + 8)),
    updatedAt: optional(buffer.readDoubleLE(at + 16)),
    masked: optional(buffer.readDoubleLE(at + 24)),
  }
}

function encode(stats: JobStats, buffer: Buffer): Buffer {
  LEVELS.forEach((level, i) => buffer.writeDoubleLE(stats.levels[level] ?? 0, i * 8))
  const at = LEVELS.length * 8
  buffer.writeDoubleLE(stats.firstTs ?? 0, at)
  buffer.writeDoubleLE(stats.lastTs ?? 0, at + 8)
  buffer.writeDoubleLE(stats.updatedAt ?? 0, at + 16)
  buffer.writeDoubleLE(stats.masked ?? 0, at + 24)
  return buffer
}
