/**
 * The worker thread of ./worker-delivery.ts: push's shippers, off the thread that reads
 * the job's output. It opens the remote store again from its recipe and connects while
 * the main thread makes the spool; the start message names the job and its spools, which
 * it then delivers as a ThreadDelivery would on the main thread. The main thread only
 * tells it how far the own spool goes (it reads the lines back from the spool: they are
 * in the page cache, and packing them is this thread's work).
 *
 *   main ──{start init} {spooled last} {notify} {drain} {stop}──▶ this thread
 *   main ◀──{outage message} {recovered} {done delivered} {failed error}── this thread
 *
 * Once done or failed it closes the store and ends.
 */
import {parentPort, workerData} from 'node:worker_threads'
import {LogsError} from '../errors/index.js'
import type {ContinuedRun} from '../job.js'
import {FileStore} from '../store/file/file-store.js'
import {openRecipe, type StoreRecipe} from '../store/recipe.js'
import {DeliveryProgress, ThreadDelivery} from './delivery.js'
import {shipWorkerFault} from '../fault-injection.js'
import {Shipper} from './shipper.js'
import {StructureRecorder} from './structure-recorder.js'
import {PROGRESS_INTERVAL_MS, type ShipWorkerInit, type ToWorker, type FromWorker} from './worker-delivery.js'

const port = parentPort!
const post = (message: FromWorker) => port.postMessage(message)
const fault = shipWorkerFault()

const remote = await openRecipe(workerData as StoreRecipe)
void remote.warmUp?.()
let delivery: ThreadDelivery | undefined

/** The main thread's answers to find-archived-run, by request id. */
const archivedRuns = new Map<number, (run: ContinuedRun | undefined) => void>()
let requests = 0

/** ShipperOptions.findArchivedRun, asked of the main thread: it has the archive. */
function findArchivedRun(): Promise<ContinuedRun | undefined> {
  const id = ++requests
  return new Promise((resolve) => {
    archivedRuns.set(id, resolve)
    post({type: 'find-archived-run', id})
  })
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'start') delivery = deliver(message.init)
  else if (message.type === 'archived-run') {
    archivedRuns.get(message.id)?.(message.run)
    archivedRuns.delete(message.id)
  } else if (message.type === 'spooled') {
    fault?.()
    delivery!.spooledUpTo(message.last)
  } else if (message.type === 'notify') delivery!.notify()
  else if (message.type === 'drain') delivery!.drainAndStop()
  else delivery!.stop()
})

function deliver(init: ShipWorkerInit): ThreadDelivery {
  const spools = new FileStore(init.spoolRoot)
  const progress = new DeliveryProgress()
  let told = 0
  const options = {
    batchInterval: init.batchInterval,
    // Tells the main thread (its --drain-timeout counts from the last progress), at most every PROGRESS_INTERVAL_MS.
    onDelivered: () => {
      progress.mark()
      if (progress.at - told < PROGRESS_INTERVAL_MS) return
      told = progress.at
      post({type: 'progress'})
    },
    onOutage: (error: Error) => post({type: 'outage', message: error.message}),
    onRecovered: () => post({type: 'recovered'}),
    findArchivedRun,
  }
  const orphans = init.orphans.map((writer) => {
    const shipper = new Shipper({store: spools, writer}, remote, init.job, options)
    shipper.drainAndStop()
    return shipper
  })
  const structure = init.structure ? new StructureRecorder(remote, init.job) : undefined
  const started = new ThreadDelivery(orphans, new Shipper({store: spools, writer: init.writer, own: true}, remote, init.job, {...options, structure}), progress)
  void report(started)
  return started
}

async function report(started: ThreadDelivery): Promise<void> {
  try {
    post({type: 'done', delivered: await started.done})
  } catch (error) {
    const {message, exitCode, suggestions} = error instanceof LogsError ? error : new LogsError((error as Error).message)
    post({type: 'failed', message, exitCode, suggestions})
  } finally {
    await remote.close()
    port.close()
  }
}
