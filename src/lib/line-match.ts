/**
 * `get`'s line filters (--grep, --exclude, --level, --stream) decided on a stored line's
 * bytes and index fields, for a store that copies the matching lines' bytes to the output
 * without making an entry of them (`get --output raw --grep`).
 *
 * It takes exactly the lines the entry filter (query/filter.ts) takes: a pattern is tested
 * on the line's text as an entry has it (its bytes as Latin-1 when they are ASCII, else
 * decoded as UTF-8), except a --grep that is plain text equal to the store's search
 * literal: a line that holds the literal's bytes holds that text (../required-literal.ts
 * leaves out U+FFFD, the one character invalid bytes decode to).
 */
import type {Stream} from './entry.js'
import type {Level} from './level.js'
import {isPlainText, type Pattern} from './pattern.js'
import {caselessLiteral, requiredLiteral} from './required-literal.js'

export interface LineMatchSpec {
  /** Every one must match. */
  grep: Pattern[]
  /** None may match. */
  exclude: Pattern[]
  /** The levels taken (a line without a level is not); all when undefined. */
  levels?: Level[]
  stream?: Stream
}

export class LineMatcher {
  /** Bytes every matching line holds (the first --grep's required literal): a store searches for them to find candidates. */
  readonly literal: Buffer | undefined
  /** The line holds `literal` in some ASCII case, not as it is (a --grep that ignores case: caselessLiteral). */
  readonly caseless: boolean
  /** A line that holds `literal` matches the first --grep, which is that plain text. */
  private readonly literalIsFirst: boolean
  private readonly levels?: ReadonlySet<Level>

  constructor(private readonly spec: LineMatchSpec) {
    const first = spec.grep[0] as Pattern | undefined
    const exact = first && requiredLiteral(first)
    this.literal = exact ?? (first && caselessLiteral(first))
    this.caseless = exact === undefined && this.literal !== undefined
    this.literalIsFirst =
      this.literal !== undefined && isPlainText({source: first!.source, flags: this.caseless ? '' : first!.flags}) && this.literal.equals(Buffer.from(first!.source, 'utf8'))
    if (spec.levels) this.levels = new Set(spec.levels)
  }

  /** Whether a line's index fields are taken. */
  takesFields(level: Level | undefined, stream: Stream | undefined): boolean {
    if (this.levels && (level === undefined || !this.levels.has(level))) return false
    return this.spec.stream === undefined || stream === this.spec.stream
  }

  /**
   * Whether the line data[start, end) (no newline) passes the patterns. `holdsLiteral`: the
   * store found `literal` within those bytes. `ascii`: whether all of `data` is ASCII, asked
   * only when a pattern needs the line's text.
   */
  takesBytes(data: Buffer, start: number, end: number, holdsLiteral: boolean, ascii: () => boolean): boolean {
    const {grep, exclude} = this.spec
    let text: string | undefined
    for (let i = this.literalIsFirst && holdsLiteral ? 1 : 0; i < grep.length; i++) {
      text ??= data.toString(ascii() ? 'latin1' : 'utf8', start, end)
      if (!grep[i].test(text)) return false
    }
    for (const pattern of exclude) {
      text ??= data.toString(ascii() ? 'latin1' : 'utf8', start, end)
      if (pattern.test(text)) return false
    }
    return true
  }
}
