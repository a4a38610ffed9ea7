/**
 * Entries as a live store keeps them (StoredEntries, from `readStored`), decoded. Pure and
 * free of I/O so that it runs on a worker thread as well as on the main one.
 */
import type {LogEntry} from '../entry.js'
import {entriesOf} from './file/job-log.js'
import type {ArchiveItem, StoredEntries} from './types.js'

/** All the entries, or those at the given (0-based) positions. */
export function decodeStored(stored: StoredEntries, positions?: number[]): LogEntry[] {
  return entriesOf(stored, positions)
}

export function isStored(item: ArchiveItem): item is StoredEntries {
  return !Array.isArray(item) && (item as StoredEntries).kind === 'file'
}
