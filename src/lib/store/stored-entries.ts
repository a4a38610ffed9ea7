/**
 * Entries as a live store keeps them (StoredEntries, from `readStored`), decoded. Pure and
 * free of I/O so that it runs on a worker thread as well as on the main one.
 */
import type {LogEntry} from '../entry.js'
import {entriesOf} from './file/job-log.js'
import {decodeChunk} from './redis/codec.js'
import {CHUNK_FIELDS} from './stored-layout.js'
import type {StoredEntries} from './types.js'

/** All the entries, or those at the given (0-based) positions. */
export function decodeStored(stored: StoredEntries, positions?: number[]): LogEntry[] {
  if (stored.kind === 'file') return entriesOf(stored, positions)
  const entries: LogEntry[] = []
  const {chunks, index, data} = stored
  for (let c = 0, indexAt = 0, dataAt = 0; c < chunks.length; c += CHUNK_FIELDS) {
    entries.push(...decodeChunk(chunks[c], index.subarray(indexAt, chunks[c + 1]), data.subarray(dataAt, chunks[c + 2])))
    indexAt = chunks[c + 1]
    dataAt = chunks[c + 2]
  }
  return positions ? positions.map((i) => entries[i]) : entries
}
