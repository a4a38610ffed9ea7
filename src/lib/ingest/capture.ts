/**
 * Reads a byte stream to its end into a JobWriter, line by line, optionally copying the
 * bytes unchanged to a tee. The tee never stops the capture: if its reader goes away
 * (EPIPE) teeing stops and capturing goes on.
 */
import type {Readable} from 'node:stream'
import type {Output} from '../output.js'
import type {JobWriter} from './job-writer.js'
import type {LineSplitter} from './line-splitter.js'

export interface CaptureStats {
  bytes: number
  entries: number
}

export async function capture(input: Readable, splitter: LineSplitter, writer: JobWriter, tee?: Output, signal?: AbortSignal): Promise<CaptureStats> {
  const stats: CaptureStats = {bytes: 0, entries: 0}
  const stop = () => input.destroy()
  signal?.addEventListener('abort', stop, {once: true})
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      const ts = Date.now()
      stats.bytes += chunk.length
      const entries = splitter.push(chunk, ts)
      stats.entries += entries.length
      const waiting = entries.length > 0 ? writer.add(entries) : undefined
      if (tee && !tee.closed) await tee.write(chunk)
      if (waiting) await waiting
    }
  } catch (error) {
    if (!signal?.aborted) throw error
  } finally {
    signal?.removeEventListener('abort', stop)
  }
  const last = splitter.end(Date.now())
  stats.entries += last.length
  if (last.length > 0) await writer.add(last)
  return stats
}
