/**
 * The timestamp some systems write before every line of a log they hand out, the line as
 * the job printed it following:
 *   - `kubectl logs --timestamps`, `docker logs -t`, and the logs GitHub Actions and Azure
 *     Pipelines give for download: `2026-06-21T05:34:54.5550749Z ` (RFC 3339 in UTC, up to
 *     9 digits of fraction);
 *   - GitLab's job logs (runner 17 and later with timestamps, every log on GitLab.com): the
 *     same, then the stream and its kind, `00O ` (output), `01E ` (errors), `00O+` (goes on
 *     from the line before).
 * level.ts reads a line's level, and markers.ts a section marker, behind it.
 */
const PREFIX = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z (?:[0-9a-f]{2}[OE][ +])?/

/** The length of the line's timestamp prefix; 0 when it has none. */
export function timestampPrefixLength(line: string): number {
  if (line.charCodeAt(10) !== 84 /* T */) return 0
  const match = PREFIX.exec(line)
  return match ? match[0].length : 0
}
