/**
 * What a shipper holds in memory: the batches its writer spooled, packed (packed-entries.ts),
 * consecutive and in seq order, until the remote store has them. Over its bound the queue
 * keeps its oldest batches (shipped next) and takes no more; the shipper reads what it did
 * not take back from the spool when its turn comes.
 */
import type {NewEntry} from '../entry.js'
import {joinPacked, packEntries, type PackedEntries} from '../store/packed-entries.js'

export interface QueuedBatch {
  from: number
  packed: PackedEntries
}

export class ShipQueue {
  private batches: QueuedBatch[] = []
  private bytes = 0

  constructor(private readonly maxBytes: number) {}

  /** Entries just spooled as seq first, first+1, … */
  offer(first: number, entries: NewEntry[]): void {
    if (entries.length === 0 || this.bytes > this.maxBytes) return
    const last = this.batches.at(-1)
    if (last && last.from + last.packed.count !== first) return
    const packed = ownedPacked(packEntries(entries))
    this.batches.push({from: first, packed})
    this.bytes += packed.size
  }

  /**
   * The queued batches from seq `from` on, joined up to about `maxBytes`; or, when memory
   * does not start there, the seq up to which the spool must be read instead (undefined: as far as it goes).
   */
  take(from: number, maxBytes: number): QueuedBatch | {readTo: number | undefined} {
    const at = this.find(from)
    if (at === -1) {
      const head = this.batches[0]
      return {readTo: head && head.from > from ? head.from - 1 : undefined}
    }
    const found = this.batches[at]
    if (found.from !== from) return {readTo: found.from + found.packed.count - 1}
    const parts = [found.packed]
    let size = found.packed.size
    for (let i = at + 1; i < this.batches.length && size < maxBytes; i++) {
      parts.push(this.batches[i].packed)
      size += this.batches[i].packed.size
    }
    return {from, packed: joinPacked(parts)}
  }

  /** The last seq held, or 0. */
  lastSeq(): number {
    const last = this.batches.at(-1)
    return last ? last.from + last.packed.count - 1 : 0
  }

  /** The remote has everything up to `shipped`: let those batches go (one it has only in part too). */
  drop(shipped: number): void {
    let count = 0
    while (count < this.batches.length && this.batches[count].from <= shipped) this.bytes -= this.batches[count++].packed.size
    if (count > 0) this.batches.splice(0, count)
  }

  /** Index of the batch holding seq `seq`, or -1. */
  private find(seq: number): number {
    let low = 0
    let high = this.batches.length - 1
    while (low <= high) {
      const mid = (low + high) >> 1
      const batch = this.batches[mid]
      if (seq < batch.from) high = mid - 1
      else if (seq >= batch.from + batch.packed.count) low = mid + 1
      else return mid
    }
    return -1
  }
}

/**
 * A batch whose chunks hold bytes of their own. A chunk's data can be a view of the read the
 * lines were cut from (a run of whole lines is not copied: joined-bytes.ts), and push reads
 * into one reused buffer (input-chunks.ts): the queue keeps batches past the next read.
 */
function ownedPacked(packed: PackedEntries): PackedEntries {
  return {...packed, chunks: packed.chunks.map((chunk) => ({...chunk, data: Buffer.from(chunk.data)}))}
}
