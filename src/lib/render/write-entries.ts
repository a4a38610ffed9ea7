import type {LogEntry} from '../entry.js'
import type {Output} from '../output.js'
import {formatEntry, type OutputMode, type TextStyle} from './format-entry.js'

/** Writes batches of entries, one write per batch; stops early when the reader went away. Returns entries written. */
export async function writeEntries(batches: AsyncIterable<LogEntry[]>, out: Output, mode: OutputMode, style: TextStyle): Promise<number> {
  let written = 0
  for await (const batch of batches) {
    const chunk =
      mode === 'raw'
        ? Buffer.concat(batch.map((entry) => formatEntry(entry, mode, style) as Buffer))
        : batch.map((entry) => formatEntry(entry, mode, style) as string).join('')
    if (!(await out.write(chunk))) break
    written += batch.length
  }
  return written
}
