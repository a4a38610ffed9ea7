/**
 * Where `push` and `run` hand the entries they read. Two kinds:
 *  - a local store (file://) is durable on disk already: entries go straight into it;
 *  - a remote store (Redis, relay, object store) gets a spool in front: entries are on
 *    local disk before anything else, and a shipper delivers them (spooled-job-writer.ts).
 */
import type {NewEntry} from '../entry.js'
import type {JobStatus} from '../job.js'
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
  ) {
    this.structure = new StructureRecorder(store, job)
    this.batches = new BatchWriter<LineBatch>({
      append: async (batches) => {
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
      },
    })
  }

  static async open(store: LiveStore, job: string, init: StartJobInit = {}): Promise<DirectJobWriter> {
    await store.startJob(job, init)
    return new DirectJobWriter(store, job)
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
    await this.structure.finish(end.status === 'failed')
    await this.store.endJob(this.job, end)
  }

  async close(): Promise<void> {}
}
