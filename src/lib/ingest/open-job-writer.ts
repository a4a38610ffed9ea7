import type {LiveStore} from '../store/types.js'
import {DirectJobWriter, type JobWriter} from './job-writer.js'
import {SpooledJobWriter, type SpooledWriterOptions} from './spooled-job-writer.js'

export type WriterOptions = Omit<SpooledWriterOptions, 'labels'> & {labels?: Record<string, string>}

/** A local store is written directly; any other store gets a local spool in front of it. */
export async function openJobWriter(store: LiveStore, job: string, options: WriterOptions): Promise<JobWriter> {
  if (store.local) return DirectJobWriter.open(store, job, options.labels)
  return SpooledJobWriter.open(store, job, options)
}
