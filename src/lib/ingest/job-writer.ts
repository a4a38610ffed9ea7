/**
 * Where `push` and `run` hand the entries they read. Two kinds:
 *  - a local store (file://) is durable on disk already: entries go straight into it;
 *  - a remote store (Redis, relay, object store) gets a spool in front: entries are on
 *    local disk before anything else, and a shipper delivers them (spooled-job-writer.ts).
 */
import type {NewEntry} from '../entry.js'
import type {JobStatus} from '../job.js'
import type {LiveStore} from '../store/types.js'
import {BatchWriter} from './batch-writer.js'
import {StructureRecorder} from './structure-recorder.js'

export interface JobEnd {
  status: JobStatus
  exitCode?: number
}

export interface JobWriter {
  /** Resolves once the entries are durable on local disk. */
  add(entries: NewEntry[]): Promise<void>
  /** Appends what is pending and records the job's end. */
  finish(end: JobEnd): Promise<void>
  /** Appends what is pending without ending the job (a push interrupted by a signal). */
  flush(): Promise<void>
  /** Lets go of what writing holds (a shipping thread), after finish or flush, or after a failure. */
  close(): Promise<void>
}

export class DirectJobWriter implements JobWriter {
  private readonly batches: BatchWriter
  private readonly structure: StructureRecorder

  private constructor(
    private readonly store: LiveStore,
    private readonly job: string,
  ) {
    this.structure = new StructureRecorder(store, job)
    this.batches = new BatchWriter({
      append: async (entries) => {
        const {first} = await store.append(job, entries)
        this.structure.observe(first, entries)
      },
    })
  }

  static async open(store: LiveStore, job: string, labels?: Record<string, string>): Promise<DirectJobWriter> {
    await store.startJob(job, {labels})
    return new DirectJobWriter(store, job)
  }

  add(entries: NewEntry[]): Promise<void> {
    return this.batches.add(entries)
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
