/**
 * The archive object format: gzip of NDJSON, one EntryRecord per line (`seq`, `ts`,
 * `level`, `stream`, `line`, plus `bytes`/`partial` when needed to give back the exact
 * input). `zcat JOB.jsonl.gz | jq -r .line` reads it without this tool.
 *
 * Both directions stream: entries → JSON lines → gzip on the way in, and gunzip → lines →
 * entries on the way out. Nothing here holds more than one batch of lines.
 */
import {Readable, Transform, pipeline} from 'node:stream'
import {fromRecord, recordJson, type EntryRecord, type LogEntry} from '../entry.js'
import type {Level} from '../level.js'
import type {Pattern} from '../pattern.js'
import {textLines} from '../text-lines.js'
import {inflateObject} from './object-inflate.js'

/**
 * gzip level 2: as fast as level 1 (node's zlib, 512 KiB blocks of NDJSON: 0.37 s of CPU per
 * 230 MB either way) and 0.65 % smaller; level 3 is 7 % smaller for 27 % more CPU, the
 * default level 6 16 % smaller for 3.7×. Archiving must keep up with cron.
 */
export const GZIP_LEVEL = 2
const BATCH_BYTES = 256 * 1024
// node:crypto and node:zlib are loaded when an object is first encoded, decoded or measured:
// every reader imports this module, and `ls` does neither.
const createHash = (algorithm: string) => process.getBuiltinModule('node:crypto').createHash(algorithm)

export interface ContentStats {
  lines: number
  /** Bytes of the uncompressed NDJSON. */
  contentBytes: number
  /** sha256 (hex) of the uncompressed NDJSON: `zcat JOB.jsonl.gz | sha256sum`. */
  sha256: string
  /** Bytes of the original log (what `--output raw` prints). */
  rawBytes: number
  firstSeq?: number
  lastSeq?: number
  firstTs?: number
  lastTs?: number
  levels: Partial<Record<Level, number>>
}

export interface EncodedArchive {
  /** The gzip bytes; errors of the entry source surface here. */
  stream: Readable
  /** Resolves once the source is exhausted. */
  stats: Promise<ContentStats>
}

export function encodeEntries(entries: AsyncIterable<LogEntry>, level = GZIP_LEVEL): EncodedArchive {
  let settle!: {resolve: (s: ContentStats) => void; reject: (e: unknown) => void}
  const stats = new Promise<ContentStats>((resolve, reject) => (settle = {resolve, reject}))
  stats.catch(() => undefined) // the stream reports the same error to whoever reads it
  const source = Readable.from(ndjson(entries, settle), {objectMode: false})
  const {createGzip, constants} = process.getBuiltinModule('node:zlib')
  const gzip = createGzip({level, memLevel: 9, chunkSize: 256 * 1024, flush: constants.Z_NO_FLUSH})
  const stream = pipeline(source, gzip, (error) => {
    if (error) settle.reject(error)
  }) as Readable
  return {stream, stats}
}

async function* ndjson(entries: AsyncIterable<LogEntry>, settle: {resolve: (s: ContentStats) => void; reject: (e: unknown) => void}): AsyncIterable<Buffer> {
  const hash = createHash('sha256')
  const stats: ContentStats = {lines: 0, contentBytes: 0, sha256: '', rawBytes: 0, levels: {}}
  let batch = ''
  try {
    for await (const entry of entries) {
      batch += recordLine(entry)
      count(stats, entry)
      if (batch.length >= BATCH_BYTES) {
        const chunk = Buffer.from(batch, 'utf8')
        hash.update(chunk)
        stats.contentBytes += chunk.length
        batch = ''
        yield chunk
      }
    }
    const chunk = Buffer.from(batch, 'utf8')
    hash.update(chunk)
    stats.contentBytes += chunk.length
    if (chunk.length > 0) yield chunk
  } catch (error) {
    settle.reject(error)
    throw error
  }
  stats.sha256 = hash.digest('hex')
  settle.resolve(stats)
}

export function count(stats: ContentStats, entry: LogEntry): void {
  stats.lines++
  stats.rawBytes += rawLength(entry)
  stats.firstSeq ??= entry.seq
  stats.lastSeq = entry.seq
  stats.firstTs ??= entry.ts
  stats.lastTs = entry.ts
  if (entry.level) stats.levels[entry.level] = (stats.levels[entry.level] ?? 0) + 1
}

/** Bytes of the entry in the original log, its newline included. */
export function rawLength(entry: LogEntry): number {
  return (entry.bytes?.length ?? Buffer.byteLength(entry.line)) + (entry.eol ? 1 : 0)
}

export interface Digest {
  size: number
  sha256: string
}

/**
 * Passes bytes through unchanged while measuring them: used on the compressed side to verify
 * the stored object. `onChunk` is told of each chunk as it passes (an upload's body: the store takes it).
 */
export function digestTap(onChunk?: () => void): {tap: Transform; digest: () => Digest} {
  const hash = createHash('sha256')
  let size = 0
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk)
      size += chunk.length
      onChunk?.()
      callback(null, chunk)
    },
  })
  let result: Digest | undefined
  return {tap, digest: () => (result ??= {size, sha256: hash.digest('hex')})}
}

/** Reads a whole stream only to measure it (verification after upload). */
export async function digestOf(streams: AsyncIterable<Readable>, onChunk?: () => void): Promise<Digest> {
  const hash = createHash('sha256')
  let size = 0
  for await (const stream of streams) {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      hash.update(chunk)
      size += chunk.length
      onChunk?.()
    }
  }
  return {size, sha256: hash.digest('hex')}
}

/** Decodes compressed NDJSON (zstd frames or gzip members, as concatenated parts give) into entries. */
export async function* decodeEntries(compressed: Readable): AsyncIterable<LogEntry> {
  for await (const line of decodeLines(compressed)) yield parseRecord(line)
}

/** The record lines of compressed NDJSON, not parsed: for scans that only look at `seq` (see seqOf). */
export async function* decodeLines(compressed: Readable): AsyncIterable<string> {
  try {
    for await (const batch of textLines(inflateObject(compressed))) yield* batch
  } finally {
    compressed.destroy()
  }
}

const LINE_FIELD = ',"line":"'

/**
 * The `line` of a record line without parsing the record (`line` is its last field, see
 * recordLine); undefined for records of another shape. JSON escapes `"`, `\\` and control
 * characters with a backslash, so a string without one is the text itself.
 */
export function lineTextOf(record: string): string | undefined {
  const at = record.indexOf(LINE_FIELD)
  if (at === -1 || !record.endsWith('"}')) return undefined
  const raw = record.slice(at + LINE_FIELD.length, -2)
  return raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw
}

/** Drops record lines whose text does not match (ReadRange.match, `get --grep`), before they are parsed. */
export async function* matchingLines(lines: AsyncIterable<string>, pattern: Pattern): AsyncIterable<string> {
  for await (const line of lines) {
    const text = lineTextOf(line)
    if (text === undefined || pattern.test(text)) yield line
  }
}

/** Parses record lines into entries. */
export async function* parseLines(lines: AsyncIterable<string>): AsyncIterable<LogEntry> {
  for await (const line of lines) yield parseRecord(line)
}

const SEQ_PREFIX = /^\{"seq":(\d+),/

/** The seq of a record line without parsing it all (records start with it); undefined for other shapes. */
export function seqOf(line: string): number | undefined {
  const match = SEQ_PREFIX.exec(line)
  return match ? Number(match[1]) : undefined
}

/**
 * Entries of a scan in a seq-only range (after/before/tail/limit, no time bounds), parsing
 * only what is returned: lines before `after` are skipped by their seq, and `tail` keeps a
 * ring of at most N unparsed lines. Lines of another shape are parsed to be sure.
 */
export async function* decodeSeqRange(lines: AsyncIterable<string>, range: {after?: number; before?: number; tail?: number; limit?: number}): AsyncIterable<LogEntry> {
  const wanted = (line: string): {keep: boolean; stop: boolean} => {
    const seq = seqOf(line) ?? parseRecord(line).seq
    return {keep: seq > (range.after ?? 0) && (range.before === undefined || seq < range.before), stop: range.before !== undefined && seq >= range.before - 1}
  }
  if (range.tail === undefined) {
    let emitted = 0
    if (range.limit !== undefined && range.limit <= 0) return
    for await (const line of lines) {
      const {keep, stop} = wanted(line)
      if (keep) {
        yield parseRecord(line)
        if (range.limit !== undefined && ++emitted >= range.limit) return
      }
      if (stop) return
    }
    return
  }
  const size = range.tail
  if (size <= 0 || (range.limit !== undefined && range.limit <= 0)) return
  const ring = new Array<string>(size)
  let count = 0
  for await (const line of lines) {
    const {keep, stop} = wanted(line)
    if (keep) ring[count++ % size] = line
    if (stop) break
  }
  const kept = Math.min(count, size)
  const take = range.limit === undefined ? kept : Math.min(kept, range.limit)
  for (let i = 0; i < take; i++) yield parseRecord(ring[(count - kept + i) % size])
}

/** One record line of an archive object: the one NDJSON encoder (entry.ts recordJson), without `fields`. */
export function recordLine(entry: LogEntry): string {
  return `${recordJson(entry)}\n`
}

export function parseRecord(text: string): LogEntry {
  return fromRecord(JSON.parse(text) as EntryRecord)
}
