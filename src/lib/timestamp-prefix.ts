/**
 * The timestamp some systems write before every line of a log they hand out, the line as
 * the job printed it following:
 *   - `kubectl logs --timestamps`, `docker logs -t`, and the logs GitHub Actions and Azure
 *     Pipelines give for download: `2026-06-21T05:34:54.5550749Z ` (RFC 3339 in UTC, up to
 *     9 digits of fraction);
 *   - GitLab's job logs (runner 17 and later with timestamps, every log on GitLab.com): the
 *     same, then the stream and its kind, `00O ` (output), `01E ` (errors), `00O+` (goes on
 *     from the line before);
 *   - Jenkins Pipeline logs with Timestamper's global option (its GlobalDecorator writes
 *     them into the log): `[2026-06-21T05:34:54.555Z] `, in brackets.
 * Levels (level.ts, entry.ts), section markers (markers.ts) and multi-line records
 * (records.ts) are read behind it. On text by a regular expression; on bytes (push's hot
 * path) written out, held to the same answers by test/unit/timestamp-prefix.test.ts.
 */
/** The longest prefix: 19 characters to the seconds, 10 of fraction, `Z `, GitLab's 4 of stream (Jenkins' is 33 at most). */
export const MAX_TIMESTAMP_PREFIX = 35

const STAMP = String.raw`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z`
const PREFIX = new RegExp(String.raw`^(?:${STAMP} (?:[0-9a-f]{2}[OE][ +])?|\[${STAMP}\] )`)

/** The length of the line's timestamp prefix; 0 when it has none (told by the `T` at 10, or 11 after a `[`, for most lines). */
export function timestampPrefixLength(line: string): number {
  if (line.charCodeAt(10) !== 84 /* T */ && !(line.charCodeAt(0) === 91 /* [ */ && line.charCodeAt(11) === 84)) return 0
  const match = PREFIX.exec(line)
  return match ? match[0].length : 0
}

const isDigit = (byte: number) => byte >= 48 && byte <= 57
const isHex = (byte: number) => isDigit(byte) || (byte >= 97 && byte <= 102)

/** timestampPrefixLength of bytes start..end of memory. */
export function timestampPrefixLengthInBytes(m: Uint8Array, line: number, end: number): number {
  const bracketed = m[line] === 91 /* [ */
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
  // GitLab's stream: two hex digits, O or E, then a blank or + (which joins the line to the one before).
  if (at + 4 <= end && isHex(m[at]) && isHex(m[at + 1]) && (m[at + 2] === 79 || m[at + 2] === 69) && (m[at + 3] === 32 || m[at + 3] === 43)) at += 4
  return at - line
}
