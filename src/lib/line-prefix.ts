/**
 * What some systems write before every line of a log they hand out, the line as the job
 * printed it following:
 *   - `kubectl logs --timestamps`, `docker logs -t`, and the logs GitHub Actions and Azure
 *     Pipelines give for download: `2026-06-21T05:34:54.5550749Z ` (RFC 3339 in UTC, up to
 *     9 digits of fraction);
 *   - GitLab's job logs (runner 17 and later with timestamps, every log on GitLab.com): the
 *     same, then the stream and its kind, `00O ` (output), `01E ` (errors), `00O+` (goes on
 *     from the line before);
 *   - Jenkins Pipeline logs with Timestamper's global option (its GlobalDecorator writes
 *     them into the log): `[2026-06-21T05:34:54.555Z] `, in brackets;
 *   - `gh run view --log` (GitHub's CLI): the job's name, a tab, the step's name, a tab,
 *     then the line of GitHub's download with its timestamp, `build\tRun tests\t2026-…Z `.
 *     The two columns count only with the timestamp after them, as gh always writes it, and
 *     on push's hot path only in a log that starts with them (StreamLinePrefixes).
 * Levels (level.ts, entry.ts), section markers (markers.ts) and multi-line records
 * (records.ts) are read behind it. On text by a regular expression; on bytes (push's hot
 * path) written out, held to the same answers by test/unit/line-prefix.test.ts.
 */
/** The longest timestamp: 19 characters to the seconds, 10 of fraction, `Z `, GitLab's 4 of stream (Jenkins' is 33 at most). */
const MAX_TIMESTAMP = 35
/** gh's two columns are looked for in this many characters (bytes) at most: a job's and a step's name, and their tabs. */
const MAX_COLUMNS = 256
/** The longest prefix. */
export const MAX_LINE_PREFIX = MAX_COLUMNS + MAX_TIMESTAMP

const STAMP = String.raw`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z`
const PREFIX = new RegExp(String.raw`^(?:${STAMP} (?:[0-9a-f]{2}[OE][ +])?|\[${STAMP}\] )`)

/** The timestamp at a prefix's end (gh's job and step names before it may look like one too). */
const STAMP_AT_END = new RegExp(String.raw`${STAMP}(?=\]? (?:[0-9a-f]{2}[OE][ +])?$)`)

/** The time (ms) a line's prefix (its first linePrefixLength characters) gives; NaN for none, or one that is no date (a month 13). */
export function linePrefixTime(prefix: string): number {
  const stamp = STAMP_AT_END.exec(prefix)
  return stamp ? Date.parse(stamp[0]) : NaN
}

/** gh's timestamp, where its columns end. */
const GH_STAMP = new RegExp(String.raw`${STAMP} `, 'y')

/**
 * The length of the line's prefix; 0 when it has none (told by the `T` at 10, or 11 after a `[`,
 * or by a tab, for most lines). Without `withColumns`, gh's columns are no prefix.
 */
export function linePrefixLength(line: string, withColumns = true): number {
  if (line.charCodeAt(10) === 84 /* T */ || (line.charCodeAt(0) === 91 /* [ */ && line.charCodeAt(11) === 84)) {
    const match = PREFIX.exec(line)
    if (match) return match[0].length
  }
  if (!withColumns) return 0
  const step = line.indexOf('\t')
  const columns = step === -1 ? 0 : line.indexOf('\t', step + 1) + 1
  if (columns === 0 || columns > MAX_COLUMNS) return 0
  GH_STAMP.lastIndex = columns
  const match = GH_STAMP.exec(line)
  return match ? columns + match[0].length : 0
}

const isDigit = (byte: number) => byte >= 48 && byte <= 57
const isHex = (byte: number) => isDigit(byte) || (byte >= 97 && byte <= 102)

/** linePrefixLength of bytes start..end of memory. */
export function linePrefixLengthInBytes(m: Uint8Array, line: number, end: number): number {
  const stamp = timestampLength(m, line, end, true)
  if (stamp > 0) return stamp
  const columns = columnsLength(m, line, end)
  const after = columns > 0 ? timestampLength(m, line + columns, end, false) : 0
  return after > 0 ? columns + after : 0
}

/**
 * The prefixes of one stream's lines in bytes, for push's hot path. gh's columns are read only
 * in a stream whose first line has them, as the output of `gh run view --log` does: looking
 * for their tabs in every line of every other log would cost push a fifth of its time.
 */
export class StreamLinePrefixes {
  /** Whether the stream's lines have gh's columns; undefined before its first line is seen. */
  private gh: boolean | undefined

  /** Sees a line of the stream, which decides on its first. */
  see(m: Uint8Array, line: number, end: number): void {
    this.gh ??= ghColumnsLengthInBytes(m, line, end) > 0
  }

  get hasColumns(): boolean {
    return this.gh === true
  }

  /** linePrefixLengthInBytes of a line seen, without gh's columns in a stream that does not start with them. */
  lengthOf(m: Uint8Array, line: number, end: number): number {
    return this.gh ? linePrefixLengthInBytes(m, line, end) : timestampLength(m, line, end, true)
  }
}

/** The length of gh's job and step columns with their tabs, where the line has them (its prefix is gh's), else 0. */
export function ghColumnsLengthInBytes(m: Uint8Array, line: number, end: number): number {
  const columns = columnsLength(m, line, end)
  return columns > 0 && timestampLength(m, line + columns, end, false) > 0 ? columns : 0
}

/** The length of two columns with their tabs at line (0 for none): the tabs are looked for in MAX_COLUMNS bytes. */
function columnsLength(m: Uint8Array, line: number, end: number): number {
  const limit = Math.min(end, line + MAX_COLUMNS)
  let at = line
  while (at < limit && m[at] !== 9 /* tab */) at++
  at++
  while (at < limit && m[at] !== 9) at++
  return at < limit ? at + 1 - line : 0
}

/** The length of the timestamp at line; with `decorated`, also in Jenkins' brackets or followed by GitLab's stream. */
function timestampLength(m: Uint8Array, line: number, end: number, decorated: boolean): number {
  const bracketed = decorated && m[line] === 91 /* [ */
  const s = bracketed ? line + 1 : line
  if (end - s < 21 || m[s + 10] !== 84 /* T */) return 0
  if (
    !(isDigit(m[s]) && isDigit(m[s + 1]) && isDigit(m[s + 2]) && isDigit(m[s + 3]) && m[s + 4] === 45 && isDigit(m[s + 5]) && isDigit(m[s + 6]) && m[s + 7] === 45) ||
    !(isDigit(m[s + 8]) && isDigit(m[s + 9]) && isDigit(m[s + 11]) && isDigit(m[s + 12]) && m[s + 13] === 58 && isDigit(m[s + 14]) && isDigit(m[s + 15]) && m[s + 16] === 58) ||
    !(isDigit(m[s + 17]) && isDigit(m[s + 18]))
  )
    return 0
  let at = s + 19
  if (m[at] === 46 /* . */) {
    const digits = ++at
    while (at < end && at - digits < 10 && isDigit(m[at])) at++
    if (at === digits || at - digits > 9) return 0
  }
  if (bracketed) return at + 3 <= end && m[at] === 90 /* Z */ && m[at + 1] === 93 /* ] */ && m[at + 2] === 32 ? at + 3 - line : 0
  if (at + 2 > end || m[at] !== 90 /* Z */ || m[at + 1] !== 32) return 0
  at += 2
  if (!decorated) return at - line
  // GitLab's stream: two hex digits, O or E, then a blank or + (which joins the line to the one before).
  if (at + 4 <= end && isHex(m[at]) && isHex(m[at + 1]) && (m[at + 2] === 79 || m[at + 2] === 69) && (m[at + 3] === 32 || m[at + 3] === 43)) at += 4
  return at - line
}
