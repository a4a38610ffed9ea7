/**
 * `logs recover`: delivers what dead writers on this machine (a killed `push` or `run`, one
 * that gave up at its drain timeout) left in their spools. The next push or run of the job
 * does the same before its own lines; readers (get, tail, ls, serve) never do — a read
 * never writes. Bounded in time: an unreachable store leaves the spools for a later try.
 */
import {join} from 'node:path'
import type {LiveStore} from '../store/types.js'
import {DeliveryProgress} from './delivery.js'
import {idleTimeout} from './idle-timeout.js'
import {ShipStateFile} from './ship-state.js'
import {Shipper} from './shipper.js'
import {orphanSpools, spooledJobs, type SpoolHandle} from './spool.js'

export interface RecoverOptions {
  /** Only these jobs (default: every job of the store with spools on this machine). */
  jobs?: string[]
  /** How long to wait for an unreachable store before giving up (the lines stay spooled). */
  timeoutMs: number
  env?: NodeJS.ProcessEnv
}

export interface RecoveredJob {
  job: string
  /** Spools its dead writers left. */
  spools: number
  /**
   * Lines in them the store did not have yet: those it applied (a batch re-sent after a
   * crash that it had applied is answered as a duplicate, and not counted); when they were
   * not all delivered, those the spools hold beyond what their state records as shipped.
   */
  lines: number
  /** All of them delivered; false when the store stayed unreachable (they stay spooled). */
  delivered: boolean
}

export async function recoverSpools(store: LiveStore, options: RecoverOptions): Promise<RecoveredJob[]> {
  if (store.local) return []
  const found: Array<{job: string; spools: SpoolHandle[]; lines: number}> = []
  for (const job of options.jobs ?? (await spooledJobs(store.name, options.env))) {
    const spools = await orphanSpools(store.name, job, options.env)
    if (spools.length > 0) found.push({job, spools, lines: await undelivered(spools)})
  }
  const progress = new DeliveryProgress()
  const shippers = found.map(({job, spools}) =>
    spools.map((spool) => {
      const shipper = new Shipper(spool, store, job, {onDelivered: progress.mark})
      shipper.drainAndStop()
      return shipper
    }),
  )
  const all = shippers.flat()
  const cancel = idleTimeout(
    options.timeoutMs,
    () => progress.at,
    () => all.forEach((shipper) => shipper.stop()),
  )
  try {
    const recovered: RecoveredJob[] = []
    for (const [i, {job, spools, lines}] of found.entries()) {
      let delivered = true
      let applied = 0
      for (const shipper of shippers[i]) {
        delivered = (await shipper.run()) && delivered
        applied += shipper.applied
      }
      recovered.push({job, spools: spools.length, lines: delivered ? applied : lines, delivered})
    }
    return recovered
  } finally {
    cancel()
  }
}

/** Lines these spools hold that their shipping state does not count as delivered. */
async function undelivered(spools: SpoolHandle[]): Promise<number> {
  let lines = 0
  for (const {store, writer} of spools) {
    const meta = await store.getJob(writer)
    if (!meta) continue
    const state = new ShipStateFile(join(store.root, 'jobs', writer, 'ship'))
    try {
      lines += meta.lines - state.load().shipped
    } finally {
      state.close()
    }
  }
  return lines
}
