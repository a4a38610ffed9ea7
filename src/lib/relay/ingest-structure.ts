/**
 * Sections, phase and progress of the jobs whose lines are pushed to the relay (`push
 * --url`, `curl -T-`): the relay records them as `push` does into a store it opens itself —
 * one StructureRecorder per job, fed each appended batch with its sequence numbers, ended
 * with the job. A client cannot write a job's metadata through the relay, so it records
 * none (the relay client store says metadataWritable = false).
 *
 * Bounded: at most `max` jobs are tracked; past that the least recently written one is
 * written out and let go (its closed sections are kept, its open ones end there). A relay
 * that restarts mid-job keeps what it had written, as the same bound does.
 */
import type {NewEntry} from '../entry.js'
import {StructureRecorder} from '../ingest/structure-recorder.js'
import type {PackedEntries} from '../store/packed-entries.js'
import type {LiveStore} from '../store/types.js'
import {RecentJobs} from './recent-jobs.js'

export class IngestStructure {
  private readonly recorders: RecentJobs<StructureRecorder>

  constructor(live: LiveStore, max = 1000) {
    this.recorders = new RecentJobs(
      (job) => new StructureRecorder(live, job),
      max,
      (recorder) => void recorder.flush(),
    )
  }

  /** Entries the store numbered first, first+1, … for `job`. */
  observe(job: string, first: number, entries: NewEntry[]): void {
    this.recorders.use(job).observe(first, entries)
  }

  /** A packed batch the store numbered first, first+1, … for `job` (a chunk body's frames). */
  observePacked(job: string, first: number, packed: PackedEntries): void {
    this.recorders.use(job).observePacked(first, packed)
  }

  /** The job ends: open sections close (marked failed when it failed) and the result is written before the end. */
  async end(job: string, failed: boolean): Promise<void> {
    await this.recorders.take(job)?.finish(failed)
  }

  /** At shutdown: writes out what every tracked job has now. */
  async flush(): Promise<void> {
    await Promise.allSettled(this.recorders.values().map((recorder) => recorder.flush()))
  }
}
