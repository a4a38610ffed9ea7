/**
 * What StoredEntries (./types.ts) look like, without the stores' codecs that decode them
 * (./stored-entries.ts): readers that only tell or renumber stored entries load this alone.
 */
import type {ArchiveItem, StoredEntries} from './types.js'

/** Per chunk of StoredChunks, three numbers: the seq of its last line, where its index ends, where its data ends. */
export const CHUNK_FIELDS = 3

export function isStored(item: ArchiveItem): item is StoredEntries {
  const kind = Array.isArray(item) ? undefined : (item as StoredEntries).kind
  return kind === 'file' || kind === 'redis'
}

/** Renumbers stored entries by `base` in place (they are the reader's own). */
export function shiftStored(stored: StoredEntries, base: number): StoredEntries {
  if (stored.kind === 'file') stored.from += base
  else for (let c = 0; c < stored.chunks.length; c += CHUNK_FIELDS) stored.chunks[c] += base
  return stored
}
