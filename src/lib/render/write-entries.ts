import {rawChunk, type LogEntry} from '../entry.js'
import {TextBytes} from '../text-bytes.js'
import type {Output} from '../output.js'
import {formatEntry, TextLineJoiner, type OutputMode, type TextStyle} from './format-entry.js'

/**
 * Writes batches of entries, one write per batch; stops early when the reader went away.
 * Returns entries written. With `separators` (context lines), text output has a `--` line
 * between entries whose sequence numbers are not consecutive, as grep has between groups.
 */
export async function writeEntries(batches: AsyncIterable<LogEntry[]>, out: Output, mode: OutputMode, style: TextStyle, separators = false): Promise<number> {
  let written = 0
  let last: number | undefined
  const lines = new TextLineJoiner()
  const separator = `${style.chalk.cyan('--')}\n`
  const text = new TextBytes()
  for await (const batch of batches) {
    let chunk: string | Buffer
    if (mode === 'raw') chunk = rawChunk(batch)
    else {
      for (const entry of batch) {
        if (mode === 'text') text.add(lines.format(entry, style, separators && last !== undefined && entry.seq !== last + 1 ? separator : ''))
        else text.add(formatEntry(entry, mode, style) as string)
        last = entry.seq
      }
      chunk = text.take()
    }
    if (!(await out.write(chunk))) break
    written += batch.length
  }
  return written
}

/** Writes chunks as they come (output copied from a store's bytes); stops when the reader went away. */
export async function writeChunks(chunks: AsyncIterable<Buffer | string>, out: Output): Promise<void> {
  for await (const chunk of chunks) if (!(await out.write(chunk))) break
}

/**
 * Writes entries of several jobs (`get a b`, `get -l`): text lines get the prefix `styleOf`
 * gives each job, JSON records a `job` field, raw output the bytes alone. With `separators`
 * (context lines), a `--` line comes before an entry that does not follow the last one
 * shown of its job.
 */
export async function writeJobEntries(
  batches: AsyncIterable<Array<{job: string; entry: LogEntry}>>,
  out: Output,
  mode: OutputMode,
  style: TextStyle,
  styleOf: (job: string) => Partial<TextStyle>,
  separators = false,
): Promise<void> {
  const last = new Map<string, number>()
  const separator = `${style.chalk.cyan('--')}\n`
  const text = new TextBytes()
  for await (const batch of batches) {
    let chunk: string | Buffer
    if (mode === 'raw') chunk = rawChunk(batch.map((item) => item.entry))
    else {
      for (const {job, entry} of batch) {
        if (separators && mode === 'text') {
          const previous = last.get(job)
          if (previous !== undefined && entry.seq !== previous + 1) text.add(separator)
          last.set(job, entry.seq)
        }
        text.add(formatEntry(entry, mode, mode === 'json' ? {...style, prefix: job} : {...style, ...styleOf(job)}) as string)
      }
      chunk = text.take()
    }
    if (!(await out.write(chunk))) break
  }
}
