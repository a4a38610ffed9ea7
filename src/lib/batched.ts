import type {LogEntry} from './entry.js'

/** Entries per batch handed to a renderer or a page: each write is one syscall. */
export const BATCH = 1024

/** Entries in batches of BATCH; what was read before a failure (a damaged archive block) is still yielded. */
export async function* batched(entries: AsyncIterable<LogEntry>): AsyncGenerator<LogEntry[]> {
  let batch: LogEntry[] = []
  try {
    for await (const entry of entries) {
      batch.push(entry)
      if (batch.length >= BATCH) {
        yield batch
        batch = []
      }
    }
  } catch (error) {
    if (batch.length > 0) yield batch
    throw error
  }
  if (batch.length > 0) yield batch
}

/** The entries of batches one by one, for a reader that takes them so. */
export async function* flattened(batches: AsyncIterable<LogEntry[]>): AsyncGenerator<LogEntry> {
  for await (const batch of batches) yield* batch
}
