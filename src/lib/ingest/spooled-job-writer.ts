/**
 * The JobWriter for remote stores: every entry is appended to this process's spool on
 * local disk first (so a kill -9, a Redis restart or an unreachable relay loses nothing
 * that was read), and a Shipper delivers the spool in the background. Spools left by
 * earlier writers of the same job that died are delivered first.
 */
import type {NewEntry} from '../entry.js'
import {LogsError} from '../errors/index.js'
import type {LiveStore} from '../store/types.js'
import {BatchWriter} from './batch-writer.js'
import type {JobEnd, JobWriter} from './job-writer.js'
import {Shipper, type ShipperOptions} from './shipper.js'
import {StructureRecorder} from './structure-recorder.js'
import {createSpool, orphanSpools, spoolRoot, type SpoolHandle} from './spool.js'

export interface SpooledWriterOptions extends Pick<ShipperOptions, 'onOutage' | 'onRecovered' | 'batchInterval'> {
  labels?: Record<string, string>
  /** How long finish() waits for an unreachable store before giving up (lines stay spooled). */
  drainTimeout: number
  env?: NodeJS.ProcessEnv
}

export class SpooledJobWriter implements JobWriter {
  private readonly batches: BatchWriter
  private readonly delivery: Promise<boolean>

  private constructor(
    private readonly spool: SpoolHandle,
    private readonly shipper: Shipper,
    orphans: Shipper[],
    private readonly options: SpooledWriterOptions,
    private readonly where: string,
    private readonly storeName: string,
  ) {
    this.batches = new BatchWriter({
      append: async (entries) => {
        const {first} = await spool.store.append(spool.writer, entries)
        shipper.offer(first, entries)
      },
    })
    this.delivery = (async () => {
      for (const orphan of orphans) await orphan.run()
      return shipper.run()
    })()
    // A failure is reported when the writer finishes; until then it must not count as unhandled.
    this.delivery.catch(() => undefined)
  }

  static async open(remote: LiveStore, job: string, options: SpooledWriterOptions): Promise<SpooledJobWriter> {
    const shipperOptions = {onOutage: options.onOutage, onRecovered: options.onRecovered, batchInterval: options.batchInterval ?? remote.batchInterval}
    const orphans = (await orphanSpools(remote.name, job, options.env)).map((spool) => {
      const shipper = new Shipper(spool, remote, job, shipperOptions)
      shipper.drainAndStop()
      return shipper
    })
    const spool = await createSpool(remote.name, job, options.labels, options.env)
    const structure = remote.metadataWritable === false ? undefined : new StructureRecorder(remote, job)
    const shipper = new Shipper(spool, remote, job, {...shipperOptions, structure})
    return new SpooledJobWriter(spool, shipper, orphans, options, spoolRoot(remote.name, job, options.env), remote.name)
  }

  add(entries: NewEntry[]): Promise<void> {
    return this.batches.add(entries)
  }

  /** After a signal: the lines are in the spool; an undelivered rest is left there for the next push or `logs recover`. */
  async flush(): Promise<void> {
    await this.batches.close()
    this.shipper.drainAndStop()
    await this.waitForDelivery().catch(() => undefined)
  }

  async finish(end: JobEnd): Promise<void> {
    await this.batches.close()
    await this.spool.store.endJob(this.spool.writer, end)
    this.shipper.notify()
    await this.waitForDelivery()
  }

  private async waitForDelivery(): Promise<void> {
    let timer: NodeJS.Timeout | undefined
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.options.drainTimeout)
    })
    let outcome: boolean | 'timeout'
    try {
      outcome = await Promise.race([this.delivery, timedOut])
    } catch (error) {
      // Retrying cannot help (a wrong token, a refused request): say so, and where the lines are.
      const {message, exitCode, suggestions} = error instanceof LogsError ? error : new LogsError((error as Error).message)
      throw new LogsError(`${message}; the lines read are kept in ${this.where} for the next \`logs push\` of this job or \`logs recover\``, {exitCode, suggestions, cause: error})
    } finally {
      clearTimeout(timer)
    }
    if (outcome === true) return
    // A hard bound: a request that never returns must not hold push past it. The in-flight
    // request ends when the store is closed; its lines stay in the spool either way.
    this.shipper.stop()
    throw new LogsError(
      `could not deliver the spooled lines to ${this.storeName} within the drain timeout; they are kept in ${this.where} and will be delivered by the next \`logs push\` of this job or by \`logs recover\``,
      {exitCode: 1, suggestions: ['check that the store is reachable, or raise --drain-timeout']},
    )
  }
}
