/**
 * The JobWriter for remote stores: every entry is appended to this process's spool on
 * local disk first (so a kill -9, a Redis restart or an unreachable relay loses nothing
 * that was read), and a Shipper delivers the spool in the background — on a worker thread
 * of its own when the store can be opened again there (worker-delivery.ts), else on this
 * one (delivery.ts). Spools left by earlier writers of the same job that died are
 * delivered first.
 */
import type {NewEntry} from '../entry.js'
import {LogsError} from '../errors/index.js'
import type {ContinuedRun} from '../job.js'
import type {LiveStore} from '../store/types.js'
import {LineBatch} from '../line-batch.js'
import {BatchWriter} from './batch-writer.js'
import {DeliveryProgress, ThreadDelivery, type Delivery} from './delivery.js'
import type {JobEnd, JobWriter} from './job-writer.js'
import {Shipper, type ShipperOptions} from './shipper.js'
import {StructureRecorder} from './structure-recorder.js'
import {createSpool, orphanSpools, spoolRoot, type SpoolHandle} from './spool.js'
import {formatDuration} from '../time.js'
import {idleTimeout} from './idle-timeout.js'
import {startShipThread} from './ship-thread.js'
import type {WorkerDelivery} from './worker-delivery.js'

/** The outage the store is in, as last reported (onOutage, until onRecovered): the drain timeout's message names it. */
export interface OutageWatch {
  error?: Error
}

/** The options with their outage events watched (`outage`), once: the shipping thread may be started with them before the writer opens. */
export function watchingOutages<T extends Pick<SpooledWriterOptions, 'onOutage' | 'onRecovered' | 'outage'>>(options: T): T {
  if (options.outage) return options
  const outage: OutageWatch = {}
  return {
    ...options,
    outage,
    onOutage: (error: Error) => {
      outage.error = error
      options.onOutage?.(error)
    },
    onRecovered: () => {
      outage.error = undefined
      options.onRecovered?.()
    },
  }
}

export interface SpooledWriterOptions extends Pick<ShipperOptions, 'onOutage' | 'onRecovered' | 'batchInterval' | 'findArchivedRun'> {
  labels?: Record<string, string>
  /** The archived run a job new to the store continues: kept in the spool's metadata for whoever ships it (shipper.ts). */
  continues?: ContinuedRun
  /** How long finish() waits for a store that applies nothing before giving up (lines stay spooled). */
  drainTimeout: number
  env?: NodeJS.ProcessEnv
  /** The store's shipping thread, started before the store opened (startJobWriter); else one is started here when the store has a recipe. */
  thread?: WorkerDelivery
  /** Set by watchingOutages, which open() applies when the caller has not. */
  outage?: OutageWatch
}

export class SpooledJobWriter implements JobWriter {
  private readonly batches: BatchWriter<LineBatch>

  private constructor(
    private readonly spool: SpoolHandle,
    private readonly delivery: Delivery,
    private readonly options: SpooledWriterOptions,
    private readonly where: string,
    private readonly storeName: string,
  ) {
    this.batches = new BatchWriter<LineBatch>({
      append: async (batches) => {
        delivery.spooledUpTo((await spool.store.appendBatches(spool.writer, batches)).last)
      },
    })
  }

  static async open(remote: LiveStore, job: string, options: SpooledWriterOptions): Promise<SpooledJobWriter> {
    options = watchingOutages(options)
    const {onOutage, onRecovered, findArchivedRun} = options
    const batchInterval = options.batchInterval ?? remote.batchInterval
    const orphans = await orphanSpools(remote.name, job, options.env)
    const spool = await createSpool(remote.name, job, options.labels, options.env, options.continues)
    const structure = remote.metadataWritable !== false
    let delivery: Delivery
    const thread = options.thread ?? (remote.recipe ? await startShipThread(remote.recipe, {onOutage, onRecovered}) : undefined)
    if (thread) {
      thread.start({job, spoolRoot: spool.store.root, writer: spool.writer, orphans: orphans.map((o) => o.writer), batchInterval, structure}, findArchivedRun)
      delivery = thread
    } else {
      const progress = new DeliveryProgress()
      const shipperOptions = {onOutage, onRecovered, batchInterval, onDelivered: progress.mark, findArchivedRun}
      const orphanShippers = orphans.map((orphan) => {
        const shipper = new Shipper(orphan, remote, job, shipperOptions)
        shipper.drainAndStop()
        return shipper
      })
      const own = new Shipper(spool, remote, job, {...shipperOptions, structure: structure ? new StructureRecorder(remote, job) : undefined})
      delivery = new ThreadDelivery(orphanShippers, own, progress)
    }
    return new SpooledJobWriter(spool, delivery, options, spoolRoot(remote.name, job, options.env), remote.name)
  }

  add(entries: NewEntry[]): Promise<void> {
    return this.batches.add([LineBatch.of(entries)])
  }

  /** A read's lines into the spool as columns, as the file store takes them (no entry per line). */
  addBatch(batch: LineBatch): Promise<void> {
    return this.batches.add([batch])
  }

  /** After a signal: the lines are in the spool; an undelivered rest is left there for the next push or `logs recover`. */
  async flush(): Promise<void> {
    await this.batches.close()
    this.delivery.drainAndStop()
    await this.waitForDelivery().catch(() => undefined)
  }

  async finish(end: JobEnd): Promise<void> {
    await this.batches.close()
    await this.spool.store.endJob(this.spool.writer, end)
    this.delivery.notify()
    await this.waitForDelivery()
  }

  async close(): Promise<void> {
    await this.delivery.close()
  }

  private async waitForDelivery(): Promise<void> {
    let cancel: (() => void) | undefined
    const timedOut = new Promise<'timeout'>((resolve) => {
      cancel = idleTimeout(
        this.options.drainTimeout,
        () => this.delivery.progressAt(),
        () => resolve('timeout'),
      )
    })
    let outcome: boolean | 'timeout'
    try {
      outcome = await Promise.race([this.delivery.done, timedOut])
    } catch (error) {
      // Retrying cannot help (a wrong token, a refused request): say so, and where the lines are.
      const {message, exitCode, suggestions} = error instanceof LogsError ? error : new LogsError((error as Error).message)
      throw new LogsError(`${message}; the lines read are kept in ${this.where} for the next \`logs push\` of this job or \`logs recover\``, {exitCode, suggestions, cause: error})
    } finally {
      cancel?.()
    }
    if (outcome === true) return
    // A bound on time without progress: a request that never returns must not hold push past it. The in-flight
    // request ends when the store is closed; its lines stay in the spool either way.
    this.delivery.stop()
    const outage = this.options.outage?.error
    throw new LogsError(
      `could not deliver the spooled lines to ${this.storeName}: it took none for ${formatDuration(this.options.drainTimeout)} (--drain-timeout${outage ? `; unreachable: ${outage.message}` : ''}); they are kept in ${this.where} and will be delivered by the next \`logs push\` of this job or by \`logs recover\``,
      {exitCode: 1, suggestions: ['check that the store is reachable, or raise --drain-timeout']},
    )
  }
}
