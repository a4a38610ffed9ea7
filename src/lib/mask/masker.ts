/**
 * Masking at capture time: every line is masked, whole, before anything stores it.
 *
 *   chunk read ──scan()──▶ offsets of trigger literals ──▶ LineSplitter: a line with none
 *   is stored as read; a line with one (or any line while a PEM block is open) goes
 *   through LineMasker.mask(): literals, then the detectors whose triggers it holds.
 *
 * scan() is one pass over the chunk's bytes for every trigger (detectors', the values' and
 * their URL forms, `::add-mask::`, and the JSON escapes that could spell one of them): a
 * SIMD scan (literal-scan.ts), else one regular expression (a trie of them) over the chunk
 * as latin1, whose characters are its bytes. Decoding and matching per line is paid only by
 * lines that may hold a secret. A user regex with no literal every match must contain
 * makes every line a candidate.
 *
 * A line is matched as written and, when it holds a backslash, with its JSON string
 * escapes decoded (json-escapes.ts); what either finds is masked in the line as written.
 *
 * One Masker is shared by the streams of a job (a value registered with `::add-mask::`
 * on stdout is masked on stderr too); each stream has its own LineMasker, which tracks
 * an open PEM block.
 */
import {isUtf8} from 'node:buffer'
import {requiredLiteral} from '../required-literal.js'
import {ADD_MASK, ADD_MASK_COMMAND, DEFAULT_DETECTORS, PEM_BEGIN, PEM_END, PEM_TRIGGERS} from './detectors.js'
import {urlEncoded} from './encoded-forms.js'
import {SHORT_ESCAPES, unescapeJson} from './json-escapes.js'
import {literalAlternation} from './literal-alternation.js'
import {LiteralScanner} from './literal-scan.js'

export const MASK = '***'
const MASK_BYTES = Buffer.from(MASK)
/** Shorter values would mask half the log. */
export const MIN_VALUE_CHARS = 4

export interface MaskSpec {
  /** Secret values, one line each, at least MIN_VALUE_CHARS long. */
  values: string[]
  /** `--mask-regex`: the match, or its first capture group, is masked. */
  regexes: RegExp[]
  /** The default detectors (detectors.ts). */
  defaults: boolean
  /** Told about a value that is not masked (never the value itself). */
  onWarning?: (message: string) => void
}

interface Literal {
  utf8: string
  latin1: string
}

interface Rule {
  pattern: RegExp
  /** Literals (as UTF-8 text and as latin1 text) one of which every match contains; undefined: try every line. */
  triggers?: Literal[]
}

export interface Masked {
  bytes: Buffer
  /** Occurrences masked in the line. */
  masked: number
  /** The masked text ends in a mask: a piece that ends there may have been cut inside a secret, whose rest starts the next piece. */
  openEnd: boolean
}

/** How far back from a piece's end a secret is looked for (LineMasker.pieceEnd): longer secrets may be cut. */
export const PIECE_GUARD_BYTES = 4096

/** Bytes a secret does not run across: whitespace, quotes, and what separates fields and parameters. */
const DELIMITERS = new Uint8Array(256)
for (const byte of Buffer.from(' \t\r\v\f"\'`,;=&<>()[]{}|', 'latin1')) DELIMITERS[byte] = 1

/** Every line is a candidate (a user regex without a required literal). */
export const EVERY_LINE = 'every-line'

export class Masker {
  private readonly literals: Literal[] = []
  private readonly known = new Set<string>()
  private readonly rules: Rule[] = []
  /** What the line-level handling looks for (`::add-mask::`, PEM markers), the literals and the rules' triggers, as written. */
  private readonly triggers: string[] = [ADD_MASK, ...PEM_TRIGGERS]
  private readonly everyLine: boolean
  private prefilter: RegExp
  /** The prefilter's literals found without a regular expression (literal-scan.ts), where WebAssembly SIMD runs. */
  private scanner: LiteralScanner | undefined
  /** Grows when a value is added mid-stream: offsets scanned before are stale. */
  generation = 0

  constructor(private readonly spec: MaskSpec) {
    if (spec.defaults) {
      for (const detector of DEFAULT_DETECTORS) {
        this.rules.push({pattern: detector.pattern, triggers: detector.triggers.map((t) => ({utf8: t, latin1: t}))})
        this.triggers.push(...detector.triggers)
      }
    }
    let everyLine = false
    for (const regex of spec.regexes) {
      const pattern = new RegExp(regex.source, 'dg')
      const literal = requiredLiteral(regex)
      if (!literal) {
        everyLine = true
        this.rules.push({pattern})
        continue
      }
      const trigger = {utf8: literal.toString('utf8'), latin1: literal.toString('latin1')}
      this.rules.push({pattern, triggers: [trigger]})
      this.triggers.push(trigger.latin1)
    }
    this.everyLine = everyLine
    for (const value of spec.values) this.addLiteral(value)
    this.prefilter = literalAlternation(this.scanned())!
    this.scanner = LiteralScanner.of(this.scannedBytes())
  }

  forStream(): LineMasker {
    return new LineMasker(this)
  }

  /** Offsets in the chunk where a trigger starts, in order; EVERY_LINE when every line must be looked at. */
  scan(chunk: Buffer, latin1?: string): number[] | typeof EVERY_LINE {
    if (this.everyLine) return EVERY_LINE
    const found = this.scanner?.scan(chunk)
    if (found) return found
    const text = latin1 ?? chunk.toString('latin1')
    const offsets: number[] = []
    const prefilter = this.prefilter
    prefilter.lastIndex = 0
    for (let match = prefilter.exec(text); match; match = prefilter.exec(text)) offsets.push(match.index)
    return offsets
  }

  /** True when the line (latin1 text of its bytes) may hold a secret. */
  mayHold(latin1: string): boolean {
    if (this.everyLine) return true
    this.prefilter.lastIndex = 0
    return this.prefilter.test(latin1)
  }

  /** A value met in the log (`::add-mask::`), as the bytes it was written with. */
  addValue(bytes: Buffer): boolean {
    if (bytes.toString('utf8').length < MIN_VALUE_CHARS) {
      this.spec.onWarning?.(`an ::add-mask:: value shorter than ${MIN_VALUE_CHARS} characters is not masked beyond its own line`)
      return false
    }
    if (this.addLiteral(bytes.toString('utf8'), bytes.toString('latin1'))) {
      this.prefilter = literalAlternation(this.scanned())!
      this.scanner?.use(this.scannedBytes())
      this.generation++
    }
    return true
  }

  /**
   * Replaces every literal and rule match in a line's text (UTF-8 or latin1 decoded), found
   * in the text as written or with its JSON escapes decoded; overlapping matches are one.
   */
  maskText(text: string, latin1: boolean): {text: string; masked: number} {
    const spans: Span[] = []
    this.find(text, latin1, spans)
    const view = text.includes('\\') ? unescapeJson(text, latin1) : undefined
    if (view) {
      const found: Span[] = []
      this.find(view.text, latin1, found)
      for (const [start, end] of found) spans.push([view.starts[start], view.ends[end - 1]])
    }
    return maskSpans(text, spans)
  }

  private find(text: string, latin1: boolean, spans: Span[]): void {
    for (const literal of this.literals) {
      const form = latin1 ? literal.latin1 : literal.utf8
      for (let at = text.indexOf(form); at !== -1; at = text.indexOf(form, at + 1)) spans.push([at, at + form.length])
    }
    for (const rule of this.rules) {
      if (rule.triggers && !rule.triggers.some((trigger) => text.includes(latin1 ? trigger.latin1 : trigger.utf8))) continue
      matchSpans(text, rule.pattern, spans)
    }
  }

  /** The most bytes at the end of `window` that begin a trigger (a value to mask is one): they go into the next piece. */
  triggerStartAtEnd(window: Buffer, most: number): number {
    let held = 0
    for (const trigger of this.triggers) {
      const bytes = Buffer.from(trigger, 'latin1')
      for (let k = Math.min(bytes.length - 1, window.length, most); k > held; k--) {
        if (window.compare(bytes, 0, k, window.length - k) === 0) {
          held = k
          break
        }
      }
    }
    return held
  }

  /**
   * What scan() looks for: the triggers, and the JSON escapes a line could spell a literal
   * or a rule's trigger with: `\u` (any character), and `\/`, `\"`, `\\`, `\t`... where one of
   * them holds the character.
   */
  private scanned(): string[] {
    const viewed = [...this.literals.map((literal) => literal.latin1), ...this.rules.flatMap((rule) => rule.triggers?.map((trigger) => trigger.latin1) ?? [])]
    if (viewed.length === 0) return this.triggers
    const escapes = ['\\u', ...SHORT_ESCAPES.filter(([, char]) => viewed.some((literal) => literal.includes(char))).map(([letter]) => '\\' + letter)]
    return [...this.triggers, ...escapes]
  }

  /** What scan() looks for, as bytes (bench/push-mask.ts counts the places it flags). */
  scannedBytes(): Buffer[] {
    return this.scanned().map((trigger) => Buffer.from(trigger, 'latin1'))
  }

  /** A value and its URL-encoded form; false when both were known. */
  private addLiteral(utf8: string, latin1 = latin1Of(utf8)): boolean {
    const added = this.addForm(utf8, latin1)
    const url = urlEncoded(utf8)
    return (url !== undefined && this.addForm(url, latin1Of(url))) || added
  }

  private addForm(utf8: string, latin1: string): boolean {
    if (this.known.has(utf8)) return false
    this.known.add(utf8)
    this.literals.push({utf8, latin1})
    this.triggers.push(latin1)
    return true
  }
}

/** The masking state of one stream: an open PEM block masks every line until its END line. */
export class LineMasker {
  private inPem = false

  constructor(private readonly masker: Masker) {}

  get generation(): number {
    return this.masker.generation
  }

  /** Text that is not a line of the log (a label): the values and detectors, without the PEM and ::add-mask:: handling of lines. */
  maskText(text: string): string {
    return this.masker.maskText(text, false).text
  }

  /** `latin1`: the chunk decoded as latin1, when the caller has it. */
  scan(chunk: Buffer, latin1?: string): number[] | typeof EVERY_LINE {
    return this.masker.scan(chunk, latin1)
  }

  /**
   * Where to end a piece of a line that grows past the limit without a newline
   * (ingest/line-cutter.ts), given `window`, the piece's `max` bytes, more to follow: not
   * inside a secret, so that each piece, masked alone, holds every secret whole. Secrets
   * are sought near the end, K = PIECE_GUARD_BYTES (an eighth of the piece at most, so the
   * next piece's cut cannot fall inside what this one carried over); the piece ends
   * - before the word (after the delimiter) of the first trigger within 2K of the end, or
   *   of an earlier trigger less than K before it (`Authorization: Bearer …`): a match
   *   shorter than K that begins in its trigger's word goes whole into the next piece;
   * - else after the last delimiter within K of the end: a secret without delimiters,
   *   shorter than K, is in one piece (a pattern with no required literal);
   * - in both cases before a trigger the window's end cuts (a value given to mask, spaces
   *   and all, is a trigger), which is then carried whole: up to half the piece back, so
   *   that a value given to mask up to half a piece long is whole in the next one. A line
   *   with none of these ends at the limit, as a complete line is cut.
   */
  pieceEnd(window: Buffer): number {
    const len = window.length
    const guard = Math.min(PIECE_GUARD_BYTES, Math.floor(len / 8))
    let limit = len - this.masker.triggerStartAtEnd(window, Math.floor(len / 2))
    let from = len - guard
    const scanned = len - 3 * guard
    const scan = this.masker.scan(window.subarray(scanned, len))
    const found = scan === EVERY_LINE ? [] : scan
    let i = found.findIndex((offset) => offset >= guard)
    if (i !== -1 && scanned + found[i] < limit) {
      while (i > 0 && found[i] - found[i - 1] < guard) i--
      limit = scanned + found[i]
      from = scanned
    }
    for (let at = limit - 1; at >= from; at--) if (DELIMITERS[window[at]] === 1) return at + 1
    return limit > 0 ? limit : len
  }

  /** False when mask() would return undefined without looking: the scan found no trigger in the line and no PEM block is open. */
  mayMask(hint: boolean | undefined): boolean {
    return hint !== false || this.inPem
  }

  /**
   * The line with its secrets masked; undefined when nothing was masked. `hint`: true
   * when the chunk scan found a trigger in the line, false when it found none, undefined
   * when the line was not scanned whole (it began in an earlier chunk). `afterSecret`: the
   * bytes are the next piece of a line whose last piece's masked text ended in a mask
   * (Masked.openEnd): a secret longer than pieceEnd looks back for was cut there, and its
   * rest, up to the first delimiter, is masked too.
   */
  mask(bytes: Buffer, hint?: boolean, afterSecret = false): Masked | undefined {
    if (afterSecret && bytes.length > 0 && DELIMITERS[bytes[0]] !== 1) return this.maskRest(bytes)
    if (!this.inPem) {
      if (hint === false) return undefined
      if (hint === undefined && !this.masker.mayHold(bytes.toString('latin1'))) return undefined
    }
    const latin1 = !isUtf8(bytes)
    let text = bytes.toString(latin1 ? 'latin1' : 'utf8')
    let masked = 0
    const pem = this.maskPem(text)
    text = pem.text
    masked += pem.masked
    // A workflow command, as GitHub's runner reads one: at the start of the line, after any blanks.
    const command = ADD_MASK_COMMAND.exec(text)
    if (command) {
      const start = command[0].length
      const value = text.slice(start).trim()
      if (value && !this.masker.addValue(Buffer.from(value, latin1 ? 'latin1' : 'utf8'))) {
        text = text.slice(0, start) + text.slice(start).replace(value, MASK)
        masked++
      }
    }
    const result = this.masker.maskText(text, latin1)
    masked += result.masked
    if (masked === 0) return undefined
    return {bytes: Buffer.from(result.text, latin1 ? 'latin1' : 'utf8'), masked, openEnd: result.text.endsWith(MASK)}
  }

  /** A piece that starts with the rest of a secret cut at the last piece's end: that rest masked, then the piece's other bytes as any line's. */
  private maskRest(bytes: Buffer): Masked {
    let rest = 1
    while (rest < bytes.length && DELIMITERS[bytes[rest]] !== 1) rest++
    if (rest === bytes.length) return {bytes: Buffer.from(MASK_BYTES), masked: 1, openEnd: true}
    const after = this.mask(bytes.subarray(rest))
    return {bytes: Buffer.concat([MASK_BYTES, after?.bytes ?? bytes.subarray(rest)]), masked: 1 + (after?.masked ?? 0), openEnd: after?.openEnd ?? false}
  }

  /** Lines inside a PEM private key block become `***`; a block on one line (a JSON key file) is masked between its markers. */
  private maskPem(text: string): {text: string; masked: number} {
    if (this.inPem) {
      const end = PEM_END.exec(text)
      if (!end) {
        if (text.trim() === '') return {text, masked: 0}
        return {text: MASK + (text.endsWith('\r') ? '\r' : ''), masked: 1}
      }
      this.inPem = false
      const before = text.slice(0, end.index)
      return before.trim() === '' ? {text, masked: 0} : {text: MASK + text.slice(end.index), masked: 1}
    }
    const begin = PEM_BEGIN.exec(text)
    if (!begin) return {text, masked: 0}
    const bodyStart = begin.index + begin[0].length
    const rest = text.slice(bodyStart)
    const end = PEM_END.exec(rest)
    if (!end) this.inPem = true
    const body = end ? rest.slice(0, end.index) : rest.replace(/\r$/, '')
    if (body.replace(/\\[nr]/g, '').trim() === '') return {text, masked: 0}
    return {text: text.slice(0, bodyStart) + MASK + rest.slice(body.length), masked: 1}
  }
}

function latin1Of(utf8: string): string {
  return Buffer.from(utf8, 'utf8').toString('latin1')
}

type Span = [start: number, end: number]

/** The text with each span replaced, overlapping spans as one; `masked`: how many replaced. */
function maskSpans(text: string, spans: Span[]): {text: string; masked: number} {
  spans.sort((a, b) => a[0] - b[0])
  let out = ''
  let copied = 0
  let masked = 0
  for (let i = 0; i < spans.length;) {
    const start = spans[i][0]
    let end = spans[i][1]
    for (i++; i < spans.length && spans[i][0] < end; i++) end = Math.max(end, spans[i][1])
    out += text.slice(copied, start) + MASK
    copied = end
    masked++
  }
  return masked === 0 ? {text, masked} : {text: out + text.slice(copied), masked}
}

function matchSpans(text: string, pattern: RegExp, spans: Span[]): void {
  pattern.lastIndex = 0
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    if (match[0].length === 0) {
      pattern.lastIndex++
      continue
    }
    const [start, end] = match.indices?.[1] ?? match.indices![0]! // compiled with the d flag: indices are there
    if (end > start) spans.push([start, end])
  }
}
