/**
 * Secrets in lines POSTed to the relay as text or NDJSON (`curl -T build.log …`) are masked
 * by the default detectors before they are stored, as `push` masks its input, and
 * `::add-mask::VALUE` in a job's lines masks VALUE in the rest of that job. Chunk bodies
 * are what `push --url` sends: it masked them already, with the job owner's own masks.
 *
 * Bounded: at most `max` jobs' masks are kept; past that the least recently written job's
 * are let go (values it registered with ::add-mask:: are then no longer masked in it).
 */
import {Masker, type LineMasker} from '../mask/masker.js'
import {RecentJobs} from './recent-jobs.js'

export class IngestMasking {
  private readonly maskers: RecentJobs<LineMasker>

  constructor(max = 1000) {
    this.maskers = new RecentJobs(() => new Masker({values: [], regexes: [], defaults: true}).forStream(), max)
  }

  /** The masks of `job`'s lines: the defaults and what the job registered. */
  forJob(job: string): LineMasker {
    return this.maskers.use(job)
  }

  end(job: string): void {
    this.maskers.take(job)
  }
}
