import type {RemoveSummary} from '../store/remove-jobs.js'
import {redactUrl} from '../store/url.js'

/** `deleted build-42 from the live store file:///… and the archive s3://bucket/logs/build-42.jsonl.gz` */
export function formatRemoveSummary(summary: RemoveSummary): string[] {
  const verb = summary.dryRun ? 'would delete' : 'deleted'
  return summary.removed.map(
    ({id, from}) => `${verb} ${id} from ${from.map((place) => `${place.store === 'live' ? 'the live store' : 'the archive'} ${redactUrl(place.url)}`).join(' and ')}`,
  )
}
