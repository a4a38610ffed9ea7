/**
 * Memory used again instead of allocated per batch, for buffers whose end of use is
 * known: a spool's reads (given back once the remote store has the batch) and Redis
 * commands (given back once Redis answered them).
 *
 * Why: a batch's megabyte lives for a round trip, long enough for the garbage collector
 * to promote it out of the young generation, where only a full collection frees it — and
 * V8 starts one for memory outside its heap only after tens of megabytes. A shipping
 * thread allocating a megabyte per batch so held 60-80 MB of dead buffers at its peak.
 *
 * A buffer taken must be given back once, or not at all (then the collector frees it):
 * never while anything may still read it.
 */
export class BufferPool {
  private readonly free: ArrayBuffer[] = []

  /** `keep`: buffers held for reuse at most; `minBytes`: the least a new one is made with. */
  constructor(
    private readonly keep: number,
    private readonly minBytes: number,
  ) {}

  /** `bytes` of memory of its own (no other buffer shares it), reused when one is free and big enough. */
  take(bytes: number): Buffer {
    for (let i = 0; i < this.free.length; i++) {
      if (this.free[i].byteLength >= bytes) return Buffer.from(this.free.splice(i, 1)[0], 0, bytes)
    }
    return Buffer.allocUnsafeSlow(Math.max(bytes, this.minBytes)).subarray(0, bytes)
  }

  /** A buffer from take(), or any view of its memory: no one reads it any more. */
  give(buffer: Buffer): void {
    if (this.free.length < this.keep && !this.free.includes(buffer.buffer as ArrayBuffer)) this.free.push(buffer.buffer as ArrayBuffer)
  }
}
