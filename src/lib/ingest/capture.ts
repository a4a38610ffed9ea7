/**
 * Reads a byte stream to its end into a JobWriter, line by line, optionally copying the
 * bytes unchanged to a tee.
 *
 * Neither the tee nor the store may hurt the job: if the tee's reader goes away (EPIPE)
 * teeing stops and capturing goes on; if the store fails, input is still drained to EOF
 * (so the job never gets SIGPIPE) and teed, and the failure is raised at the end.
 *
 * Loss bound under SIGKILL: the lines of the read being written (at most READ_BYTES; push
 * reads nothing ahead, `run`'s streams one read), and a last line still waiting for its newline.
 * Measured by test/integration/cli/durability.test.ts.
 */
import {LogsError} from '../errors/index.js'
import type {Output} from '../output.js'
import {RecordTracker} from '../structure/records.js'
import {inputChunks, type CaptureInput} from './input-chunks.js'
import {LineBatch} from '../line-batch.js'
import {addBatch, type JobWriter} from './job-writer.js'
import type {LineSplitter} from './line-splitter.js'

export interface CaptureStats {
  bytes: number
  entries: number
}

/** `records`: the stream's multi-line records, whose continuation lines take the level of their first line. */
export async function capture(
  input: CaptureInput,
  splitter: LineSplitter,
  writer: JobWriter,
  tee?: Output,
  signal?: AbortSignal,
  records = new RecordTracker(),
): Promise<CaptureStats> {
  const stats: CaptureStats = {bytes: 0, entries: 0}
  let failure: Error | undefined
  let stored = 0
  const store = async (batch: LineBatch) => {
    if (failure || batch.length === 0) return
    try {
      await addBatch(writer, batch)
      stored += batch.length
    } catch (error) {
      failure = error as Error
    }
  }
  // A chunk's memory may be reused by the next read (input-chunks.ts): its lines are stored
  // and it is teed before the loop asks for the next one.
  for await (const chunk of inputChunks(input, signal)) {
    stats.bytes += chunk.length
    const batch = splitter.cut(chunk, Date.now())
    records.observeBatch(batch)
    stats.entries += batch.length
    const durable = store(batch)
    if (tee && !tee.closed) await tee.writeWhole(chunk)
    // Read on only once this chunk's lines are on disk: the kill -9 loss window is one read.
    await durable
  }
  const last = LineBatch.of(splitter.end(Date.now()))
  records.observeBatch(last)
  stats.entries += last.length
  await store(last)
  if (failure) {
    throw new LogsError(`storing lines failed after ${stored} of ${stats.entries} lines: ${failure.message}`, {
      exitCode: failure instanceof LogsError ? failure.exitCode : 1,
      suggestions: failure instanceof LogsError ? failure.suggestions : [],
      cause: failure,
    })
  }
  return stats
}
