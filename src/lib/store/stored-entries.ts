/**
 * Entries as a live store keeps them (StoredEntries, from `readStored`), decoded. Pure and
 * free of I/O so that it runs on a worker thread as well as on the main one.
 */
import type {LogEntry} from '../entry.js'
import {entriesOf} from './file/job-log.js'
import type {ArchiveItem, StoredEntries} from './types.js'

export function decodeStored(stored: StoredEntries): LogEntry[] {
  return entriesOf(stored)
}

export function isStored(item: ArchiveItem): item is StoredEntries {
  return !Array.isArray(item) && (item as StoredEntries).kind === 'file'
}
