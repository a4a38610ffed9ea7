/**
 * Where an ASCII literal starts in bytes, ignoring the case of its ASCII letters: the byte
 * search of `get --grep -i` over a stored log (store/file/literal-search.ts), for a
 * pattern whose required literal caselessLiteral (required-literal.ts) allows.
 *
 * The bytes are viewed as Latin-1 (one character per byte, offsets unchanged) and searched
 * with a JavaScript regular expression ignoring case without the `u` flag: it folds ASCII
 * letters only, and no byte above 0x7F folds to one, so its matches are exactly the
 * literal's bytes in any ASCII case. About ten times faster than testing every line with
 * RE2 (bench/push-file.ts).
 */
import type {Hits} from './literal-find.js'

/** Bytes of `data` made a string at a time: young-generation strings, which a scavenge frees. */
const SEGMENT = 64 * 1024

export class CaselessFinder {
  /** Buffers of the size asked for, to read into. */
  readonly buffers: Buffer[]
  private readonly pattern: RegExp
  /** Bytes a segment's text runs past it: a hit that starts in it is whole in its text. */
  private readonly tail: number

  constructor(literal: Buffer, size: number, count = 2) {
    this.tail = literal.length - 1
    this.pattern = new RegExp(literal.toString('latin1').replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&'), 'gi')
    this.buffers = Array.from({length: count}, () => Buffer.allocUnsafe(size))
  }

  /**
   * The literal's starts in `data`, in any ASCII case. The text is made a segment of
   * SEGMENT bytes at a time (and the literal's length less one past it, for a hit across
   * segments): a string of a whole read (1 MiB) lives in the old generation, and
   * `get` held twice its usual memory before the collector came to them.
   */
  hitsIn(data: Buffer): Hits {
    const {pattern, tail} = this
    let segment = -1
    let text = ''
    return {
      next(from) {
        for (let k = Math.floor(from / SEGMENT); k * SEGMENT < data.length; k++, from = k * SEGMENT) {
          if (k !== segment) {
            segment = k
            text = data.toString('latin1', k * SEGMENT, Math.min(data.length, (k + 1) * SEGMENT + tail))
          }
          pattern.lastIndex = from - k * SEGMENT
          // The first hit in the segment's text is the first at or after `from`: one that starts in the segment's tail and ends past it leaves room for none after it.
          const match = pattern.exec(text)
          if (match) return k * SEGMENT + match.index
        }
        return -1
      },
    }
  }
}
