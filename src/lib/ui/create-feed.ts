/** The viewer's feed over the `Jobs` facade, built without React or Ink so it can start before they load. */
import type {Jobs} from '../store/jobs.js'
import type {EntryFilter} from '../query/filter.js'
import type {TailTargets} from '../job-targets.js'
import {ViewerFeed} from './viewer-feed.js'
import {jobsSource} from './viewer-source.js'

export interface CreateFeedOptions {
  jobs: Jobs
  targets: TailTargets
  filter?: EntryFilter
  /** Entries kept in memory (`--buffer`). */
  buffer: number
  follow: boolean
  since?: number
}

/** Lines read before following: enough for the first screens; older pages are read when scrolled to. */
const FIRST_READ = 1000

export function createViewerFeed(options: CreateFeedOptions): ViewerFeed {
  const source = jobsSource({
    jobs: options.jobs,
    targets: options.targets,
    backlog: Math.min(options.buffer, FIRST_READ),
    since: options.since,
    follow: options.follow,
    filter: options.filter,
  })
  return new ViewerFeed({source, capacity: options.buffer, baseFilter: options.filter})
}
