/**
 * The clocks of open sections timed by their marker (GitLab's `section_start:TIME`, a line
 * prefix's time) rather than by when push read their line. An imported log's clock is hours
 * or years from push's, so at the job's end such a section closes on its own: at the last
 * line prefix's time read while it was open (an import that ends inside a group lasts to the
 * log's last timestamp), else at the job's end moved by how far its start was from when its
 * line was read.
 */
import type {Section} from '../job.js'
import {linePrefixTime, MAX_LINE_PREFIX} from '../line-prefix.js'

export class SectionClocks {
  /** Open sections timed by their marker, with their start less the time their line was read. */
  private readonly skews = new Map<Section, number>()
  /** The prefix of the last line read with one while such a section is open. */
  private readonly stamp = Buffer.allocUnsafe(MAX_LINE_PREFIX)
  private stampLength = 0

  /** A section opened at `start` by a line read at `readAt` (push's clock). */
  opened(section: Section, start: number, readAt: number): void {
    if (start === readAt) return
    this.skews.set(section, start - readAt)
    this.stampLength = 0 // the times of its own lines, not of an earlier section's
  }

  closed(section: Section): void {
    this.skews.delete(section)
  }

  /** A line read at `start`, its prefix `prefix` bytes (0: none): kept while a section timed by its marker is open (a line without one keeps the last). */
  see(memory: Buffer, start: number, prefix: number): void {
    if (prefix > 0 && this.skews.size > 0) this.stampLength = memory.copy(this.stamp, 0, start, start + Math.min(prefix, MAX_LINE_PREFIX))
  }

  /** When `section`, still open, closes if the job ends at `end` (push's clock); not before its start (Section.close). */
  endOf(section: Section, end: number): number {
    const skew = this.skews.get(section)
    if (skew === undefined) return end
    const last = this.stampLength > 0 ? linePrefixTime(this.stamp.toString('latin1', 0, this.stampLength)) : Number.NaN
    return Number.isNaN(last) ? end + skew : last
  }
}
