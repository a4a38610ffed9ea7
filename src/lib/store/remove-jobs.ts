/** `logs rm`: each job removed wherever it lives (Jobs.remove), and which ids were nowhere. */
import type {Jobs} from './jobs.js'
import type {RemovedFrom} from './types.js'

export interface RemoveSummary {
  dryRun: boolean
  /** Jobs removed (or, dry run, that would be), with every place each was in. */
  removed: Array<{id: string; from: RemovedFrom[]}>
  /** Ids found nowhere. */
  notFound: string[]
}

export async function removeJobs(jobs: Jobs, ids: string[], {dryRun = false, only}: {dryRun?: boolean; only?: 'live' | 'archive'} = {}): Promise<RemoveSummary> {
  const summary: RemoveSummary = {dryRun, removed: [], notFound: []}
  for (const id of new Set(ids)) {
    const from = await jobs.remove(id, {dryRun, only})
    if (from) summary.removed.push({id, from})
    else summary.notFound.push(id)
  }
  return summary
}

/** Where a missing id was looked for, for the message. */
export function searchedStores(jobs: Jobs, only?: 'live' | 'archive'): string {
  if (only === 'live' || !jobs.archive) return jobs.live.name
  return only === 'archive' ? jobs.archive.name : jobs.searched
}
