/**
 * The worker thread of ./worker-delivery.ts: push's shippers, off the thread that reads
 * the job's output. It opens the remote store again from its recipe and the job's spools
 * from their directory, and delivers them as a ThreadDelivery would on the main thread;
 * the main thread only tells it how far the own spool goes (it reads the lines back from
 * the spool: they are in the page cache, and packing them is this thread's work).
 *
 *   main ──{spooled last} {notify} {drain} {stop}──▶ this thread
 *   main ◀──{outage message} {recovered} {done delivered} {failed error}── this thread
 *
 * Once done or failed it closes the store and ends.
 */
import {parentPort, workerData} from 'node:worker_threads'
import {LogsError} from '../errors/index.js'
import {FileStore} from '../store/file/file-store.js'
import {openRecipe} from '../store/recipe.js'
import {ThreadDelivery} from './delivery.js'
import {shipWorkerFault} from '../fault-injection.js'
import {Shipper} from './shipper.js'
import {StructureRecorder} from './structure-recorder.js'
import type {ShipWorkerInit, ToWorker, FromWorker} from './worker-delivery.js'

const init = workerData as ShipWorkerInit
const port = parentPort!
const post = (message: FromWorker) => port.postMessage(message)
const fault = shipWorkerFault()

const remote = await openRecipe(init.recipe)
const spools = new FileStore(init.spoolRoot)
const options = {
  batchInterval: init.batchInterval,
  onOutage: (error: Error) => post({type: 'outage', message: error.message}),
  onRecovered: () => post({type: 'recovered'}),
}
const orphans = init.orphans.map((writer) => {
  const shipper = new Shipper({store: spools, writer}, remote, init.job, options)
  shipper.drainAndStop()
  return shipper
})
const structure = init.structure ? new StructureRecorder(remote, init.job) : undefined
const delivery = new ThreadDelivery(orphans, new Shipper({store: spools, writer: init.writer, own: true}, remote, init.job, {...options, structure}))

port.on('message', (message: ToWorker) => {
  if (message.type === 'spooled') {
    fault?.()
    delivery.spooledUpTo(message.last)
  } else if (message.type === 'notify') delivery.notify()
  else if (message.type === 'drain') delivery.drainAndStop()
  else delivery.stop()
})

try {
  post({type: 'done', delivered: await delivery.done})
} catch (error) {
  const {message, exitCode, suggestions} = error instanceof LogsError ? error : new LogsError((error as Error).message)
  post({type: 'failed', message, exitCode, suggestions})
} finally {
  await remote.close()
  port.close()
}
