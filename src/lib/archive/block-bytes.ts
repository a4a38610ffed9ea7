/**
 * Bytes written one piece after another into one buffer that grows as needed (no string of
 * the whole, no array of pieces to join): a block's NDJSON, or a run of record lines. Each
 * take() hands over a buffer of its own, never from Node's shared pool, so that its memory
 * can be transferred to another thread. A buffer given back by recycle() is filled again
 * rather than a new one allocated: each thread's V8 collects dead ArrayBuffers only once
 * some 64 MB more of them were allocated, so every fresh buffer costs RSS until then.
 */
/** Shared by every BlockBytes before its first write; never handed out (take() of nothing gives a buffer of its own). */
const EMPTY = Buffer.alloc(0)
/** Spares kept at most: as many as the buffers of one writer in flight at once (./block-writer.ts IN_FLIGHT and AHEAD, with 4 workers). */
const MAX_SPARES = 8

export class BlockBytes {
  /** Allocated on the first write: a writer that takes its bytes once (a run of records) never allocates a buffer it does not fill. */
  private buffer = EMPTY
  length = 0
  /** Buffers given back to be filled again, used before allocating. */
  private readonly spares: Buffer<ArrayBuffer>[] = []

  constructor(private readonly size: number) {}

  /** Gives back a buffer that take() handed over (or one as good: owned, not in use elsewhere), to be filled again. */
  recycle(buffer: ArrayBuffer): void {
    if (buffer.byteLength >= this.size && this.spares.length < MAX_SPARES) this.spares.push(Buffer.from(buffer))
  }

  /** Appends a string as UTF-8. */
  add(text: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    this.reserve(text.length * 3)
    this.length += this.buffer.write(text, this.length)
  }

  /** Appends bytes start..end of `source`. */
  addBytes(source: Uint8Array, start: number, end: number): void {
    this.reserve(end - start)
    this.buffer.set(source.subarray(start, end), this.length)
    this.length += end - start
  }

  /** The bytes so far; the next ones start in a new buffer. */
  take(): Buffer {
    const data = this.length === 0 ? Buffer.alloc(0) : this.buffer.subarray(0, this.length)
    this.buffer = EMPTY
    this.length = 0
    return data
  }

  /** The buffer, with room for `bytes` more from `length` (a writer that fills it itself then moves `length` on). */
  reserve(bytes: number): Buffer {
    if (this.length + bytes <= this.buffer.length) return this.buffer
    if (this.length === 0 && this.spares.length > 0 && this.spares.at(-1)!.length >= bytes) return (this.buffer = this.spares.pop()!)
    const bigger = Buffer.allocUnsafeSlow(Math.max(this.length + bytes, this.buffer.length * 2, this.size + 64 * 1024))
    this.buffer.copy(bigger, 0, 0, this.length)
    this.buffer = bigger
    return bigger
  }
}

/**
 * The memory of `view` as an ArrayBuffer that can be transferred to another thread: its own
 * when the view covers all of it, else a copy of its bytes (small Buffers share Node's
 * pool, which must never be transferred).
 */
export function ownedBuffer(view: ArrayBufferView): ArrayBuffer {
  const buffer = view.buffer as ArrayBuffer
  if (view.byteOffset === 0 && view.byteLength === buffer.byteLength) return buffer
  return buffer.slice(view.byteOffset, view.byteOffset + view.byteLength)
}
