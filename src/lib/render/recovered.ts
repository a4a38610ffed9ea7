import type {RecoveredJob} from '../ingest/recover-spools.js'
import {counted} from './counted.js'

/** `build-42: delivered 3 lines from 1 spool` — or what stays spooled, and why. */
export function formatRecovered(recovered: RecoveredJob[], store: string): string[] {
  if (recovered.length === 0) return [`nothing to recover: no spool left by a dead writer of ${store} on this machine`]
  return recovered.map(({job, spools, lines, delivered}) => {
    const what = `${counted(lines, 'line')} from ${counted(spools, 'spool')}`
    return delivered ? `${job}: delivered ${what}` : `${job}: could not deliver ${what} to ${store} as it took none for the drain timeout; they stay spooled`
  })
}
