/**
 * Delivery on a worker thread (./ship-worker.ts), for stores another thread can open again
 * (LiveStore.recipe: Redis, a relay): reading the spool back, packing and the store's client then
 * run beside capture on a second core instead of taking turns with it on one.
 *
 * The thread starts as soon as push knows its store can be opened there (ship-thread.ts,
 * from the store's URL, with capture): loading the store's client and connecting overlap
 * with the main thread opening the store and making the spool; start() then gives it the job.
 *
 * Capture never waits for the thread: an offer is a message saying how far the spool
 * goes, posted and forgotten. What the thread reports comes back as messages: an outage
 * and the recovery (the same lines on stderr as on the main thread), the end, or the
 * failure (its message, exit code and suggestions). A thread that dies fails the delivery
 * with its exit code; the lines stay in the spool for the next push or `logs recover`.
 * close() ends the thread wherever it is, as a kill would: everything it had not
 * delivered is in the spool, and its record of batches in flight makes the next
 * delivery re-send them with their tokens, applied once.
 */
import type {Worker} from 'node:worker_threads'
import {LogsError, type ExitCode} from '../errors/index.js'
import {startWorker} from '../worker-thread.js'
import type {ContinuedRun} from '../job.js'
import type {StoreRecipe} from '../store/recipe.js'
import type {Delivery} from './delivery.js'

export interface ShipWorkerInit {
  job: string
  /** The spools' directory (spool.ts spoolRoot), with the own spool `writer` and those of dead writers, `orphans`, delivered first. */
  spoolRoot: string
  writer: string
  orphans: string[]
  batchInterval?: number
  /** Record sections, phase and progress (StructureRecorder). */
  structure: boolean
}

/** `progress`: delivery progressed (the shippers' onDelivered; sent at most every PROGRESS_INTERVAL_MS). */
export const PROGRESS_INTERVAL_MS = 250

/** `archived-run`: the answer to the thread's `find-archived-run` of the same `id` (ShipperOptions.findArchivedRun, which needs the archive: it runs here). */
export type ToWorker =
  | {type: 'start'; init: ShipWorkerInit}
  | {type: 'spooled'; last: number}
  | {type: 'notify'}
  | {type: 'drain'}
  | {type: 'stop'}
  | {type: 'archived-run'; id: number; run?: ContinuedRun}

export type FromWorker =
  | {type: 'find-archived-run'; id: number}
  | {type: 'outage'; message: string}
  | {type: 'recovered'}
  | {type: 'progress'}
  | {type: 'done'; delivered: boolean}
  | {type: 'failed'; message: string; exitCode: ExitCode; suggestions: string[]}

export interface ShipEvents {
  onOutage?: (error: Error) => void
  onRecovered?: () => void
}

export class WorkerDelivery implements Delivery {
  readonly done: Promise<boolean>
  private readonly worker: Worker
  private last = 0
  private progressed = Date.now()
  private findArchivedRun: (() => Promise<ContinuedRun | undefined>) | undefined

  /** The thread opens the store from `recipe` and connects; it delivers once start() names the job and its spools. */
  constructor(recipe: StoreRecipe, events: ShipEvents = {}) {
    // Its young generation is small: what it allocates lives for a batch, and push's peak RSS is what counts.
    this.worker = startWorker('ship-worker', {workerData: recipe, resourceLimits: {maxYoungGenerationSizeMb: 4}})
    this.done = new Promise<boolean>((resolve, reject) => {
      this.worker.on('message', (message: FromWorker) => {
        if (message.type === 'outage') events.onOutage?.(new Error(message.message))
        else if (message.type === 'recovered') events.onRecovered?.()
        else if (message.type === 'progress') this.progressed = Date.now()
        else if (message.type === 'find-archived-run') void this.answerArchivedRun(message.id)
        else if (message.type === 'done') resolve(message.delivered)
        else reject(new LogsError(message.message, {exitCode: message.exitCode, suggestions: message.suggestions}))
      })
      this.worker.on('error', (error) => reject(new LogsError(`the shipping thread failed: ${error.message}`, {cause: error})))
      // After done or failed this settles nothing: the thread ends once it closed the store.
      this.worker.on('exit', (code) => reject(new LogsError(`the shipping thread stopped (exit code ${code}) before the spool was delivered`)))
    })
    // A failure is reported when the writer finishes; until then it must not count as unhandled.
    this.done.catch(() => undefined)
  }

  /** The job and its spools: the thread delivers from now on. */
  start(init: ShipWorkerInit, findArchivedRun?: () => Promise<ContinuedRun | undefined>): void {
    this.findArchivedRun = findArchivedRun
    this.post({type: 'start', init})
  }

  private async answerArchivedRun(id: number): Promise<void> {
    const run = await this.findArchivedRun?.().catch(() => undefined)
    this.post(run ? {type: 'archived-run', id, run} : {type: 'archived-run', id})
  }

  progressAt(): number {
    return this.progressed
  }

  spooledUpTo(last: number): void {
    this.last = Math.max(this.last, last)
    this.post({type: 'spooled', last: this.last})
  }

  notify(): void {
    this.post({type: 'notify'})
  }

  drainAndStop(): void {
    this.post({type: 'drain'})
  }

  stop(): void {
    this.post({type: 'stop'})
  }

  async close(): Promise<void> {
    await this.worker.terminate()
  }

  private post(message: ToWorker): void {
    this.worker.postMessage(message)
  }
}
