/**
 * Byte spans a reading command fetched lately (an index table, a run of blocks), kept so
 * that the reads that follow one another in one command do not fetch them again: `get
 * --head N` reads on past its last entry to see whether a multi-line record goes on
 * (store/jobs.ts), a second read of the same job that wants the same table and usually
 * the same block. Only for an archive whose manifests are remembered (blob-archive.ts
 * rememberManifests): the spans belong to that one snapshot of the job. At most
 * `maxBytes` are held, the least recently used going first.
 */
export const RECENT_SPAN_BYTES = 2 * 1024 * 1024

export class RecentSpans {
  /** By object ("job/key"), oldest use first (a Map keeps insertion order). */
  private readonly spans = new Map<string, {offset: number; data: Buffer}>()
  private held = 0

  constructor(private readonly maxBytes = RECENT_SPAN_BYTES) {}

  /** Bytes [offset, offset + length) of `object` if a span kept holds them all. */
  get(object: string, offset: number, length: number): Buffer | undefined {
    for (const [name, span] of this.spans) {
      if (!name.startsWith(`${object}@`) || offset < span.offset || offset + length > span.offset + span.data.length) continue
      this.spans.delete(name)
      this.spans.set(name, span)
      return span.data.subarray(offset - span.offset, offset - span.offset + length)
    }
    return undefined
  }

  /** Drops what is kept of `object` (its job was archived again or deleted). */
  forget(object: string): void {
    for (const [name, span] of this.spans) {
      if (!name.startsWith(`${object}@`)) continue
      this.spans.delete(name)
      this.held -= span.data.length
    }
  }

  put(object: string, offset: number, data: Buffer): void {
    if (data.length > this.maxBytes) return
    const name = `${object}@${offset}+${data.length}`
    const old = this.spans.get(name)
    if (old) this.held -= old.data.length
    this.spans.delete(name)
    this.spans.set(name, {offset, data})
    this.held += data.length
    for (const [oldest, span] of this.spans) {
      if (this.held <= this.maxBytes) break
      this.spans.delete(oldest)
      this.held -= span.data.length
    }
  }
}
