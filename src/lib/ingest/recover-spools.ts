/**
 * Delivers what dead writers on this machine left in their spools for a job, so a reader
 * (`logs get`) sees every line a killed `push` had read, even before the next push.
 * Bounded in time: an unreachable store leaves the spools for a later run.
 */
import type {LiveStore} from '../store/types.js'
import {Shipper} from './shipper.js'
import {orphanSpools} from './spool.js'

export async function recoverSpools(store: LiveStore, job: string, timeoutMs = 10_000, env?: NodeJS.ProcessEnv): Promise<void> {
  if (store.local) return
  const spools = await orphanSpools(store.name, job, env)
  if (spools.length === 0) return
  const shippers = spools.map((spool) => new Shipper(spool, store, job))
  const delivered = (async () => {
    for (const shipper of shippers) {
      shipper.drainAndStop()
      await shipper.run()
    }
  })()
  let timer: NodeJS.Timeout | undefined
  await Promise.race([delivered, new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))])
  clearTimeout(timer)
  for (const shipper of shippers) shipper.stop()
  await delivered
}
