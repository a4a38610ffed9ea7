/**
 * Where `push` and `run` hand the entries they read. Two kinds:
 *  - a local store (file://) is durable on disk already: entries go straight into it;
 *  - a remote store (Redis, relay, object store) gets a spool in front: entries are on
 *    local disk before anything else, and a shipper delivers them (spooled-job-writer.ts).
 */
import type {NewEntry} from '../entry.js'
import type {ContinuedRun, JobStatus} from '../job.js'
import type {LiveStore, StartJobInit} from '../store/types.js'
import {LineBatch} from '../line-batch.js'
import {BatchWriter} from './batch-writer.js'
import {StructureRecorder} from './structure-recorder.js'

export interface JobEnd {
  status: JobStatus
  exitCode?: number
}

export interface JobWriter {
  /** Resolves once the entries are durable on local disk. */
  add(entries: NewEntry[]): Promise<void>
  /** add() of a read's lines as columns (line-batch.ts); a writer without it is given their entries. */
  addBatch?(batch: LineBatch): Promise<void>
  /** Appends what is pending and records the job's end. */
  finish(end: JobEnd): Promise<void>
  /** Appends what is pending without ending the job (a push interrupted by a signal). */
  flush(): Promise<void>
  /** Lets go of what writing holds (a shipping thread), after finish or flush, or after a failure. */
  close(): Promise<void>
}

/** A read's lines to a writer: as columns where it takes them, else as entries. */
export function addBatch(writer: JobWriter, batch: LineBatch): Promise<void> {
  return writer.addBatch ? writer.addBatch(batch) : writer.add(batch.toEntries())
}

export class DirectJobWriter implements JobWriter {
  private readonly batches: BatchWriter<LineBatch>
  private readonly structure: StructureRecorder

  private constructor(
    private readonly store: LiveStore,
    private readonly job: string,
    private readonly init: StartJobInit,
    private readonly findArchivedRun?: () => Promise<ContinuedRun | undefined>,
  ) {
    this.structure = new StructureRecorder(store, job)
    this.batches = new BatchWriter<LineBatch>({
      append: (batches) => this.whileThere(() => this.append(batches)),
    })
  }

  /**
   * `open`'s `findArchivedRun`: the archived run of the job, for when the job leaves the store
   * while it is written (`archive --idle` took it for abandoned, `rm` deleted it). Its next
   * lines then continue it, as a push after `archive` does, instead of failing and being lost.
   */
  static async open(store: LiveStore, job: string, init: StartJobInit = {}, findArchivedRun?: () => Promise<ContinuedRun | undefined>): Promise<DirectJobWriter> {
    await store.startJob(job, init)
    return new DirectJobWriter(store, job, init, findArchivedRun)
  }

  private async append(batches: LineBatch[]): Promise<void> {
    const {store, job} = this
    if (store.appendBatches) {
      let {first} = await store.appendBatches(job, batches)
      for (const batch of batches) {
        this.structure.observeBatch(first, batch)
        first += batch.length
      }
      return
    }
    const entries = batches.flatMap((batch) => batch.toEntries())
    const {first} = await store.append(job, entries)
    this.structure.observe(first, entries)
  }

  /** Does `write`; where it failed because the job left the store meanwhile, starts the job again (continuing its archived run) and does it again. */
  private async whileThere<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write()
    } catch (error) {
      const there = await this.store.getJob(this.job).then(
        (meta) => meta !== undefined,
        () => true,
      )
      if (there || !this.findArchivedRun) throw error
      await this.store.startJob(this.job, {labels: this.init.labels, continues: await this.findArchivedRun()})
      return write()
    }
  }

  add(entries: NewEntry[]): Promise<void> {
    return this.batches.add([LineBatch.of(entries)])
  }

  addBatch(batch: LineBatch): Promise<void> {
    return this.batches.add([batch])
  }

  async flush(): Promise<void> {
    await this.batches.close()
  }

  async finish(end: JobEnd): Promise<void> {
    await this.batches.close()
    await this.whileThere(() => this.structure.finish(end.status === 'failed'))
    await this.whileThere(() => this.store.endJob(this.job, end))
  }

  async close(): Promise<void> {}
}
