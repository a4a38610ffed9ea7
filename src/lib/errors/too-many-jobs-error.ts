import {UsageError} from './usage-error.js'

/** A query's globs and label selector select more jobs than one query may read; `count` and `max` let a caller say it in its own terms. */
export class TooManyJobsError extends UsageError {
  constructor(
    readonly count: number,
    readonly max: number,
  ) {
    super(`${count} jobs match, more than the ${max} one query may read`, ['narrow the globs or the label selector, or add an id prefix'])
  }
}
