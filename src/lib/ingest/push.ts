/**
 * `logs push`: stdin → entries → the job, until EOF (or a signal), then the job's end.
 */
import type {Readable} from 'node:stream'
import {endStatus, type JobStatus} from '../job.js'
import type {Output} from '../output.js'
import type {LiveStore} from '../store/types.js'
import {Masker, type MaskSpec} from '../mask/masker.js'
import {capture, type CaptureStats} from './capture.js'
import {LineSplitter} from './line-splitter.js'
import {openJobWriter, type WriterOptions} from './open-job-writer.js'

export interface PushOptions extends WriterOptions {
  store: LiveStore
  job: string
  input: Readable
  tee?: Output
  /** The job's exit status, when the caller knows it (`--exit-code`). */
  exitCode?: number
  maxLineBytes?: number
  /** What to mask in each line before it is stored. */
  mask: MaskSpec
  /** Aborted by SIGINT/SIGTERM: stop reading, deliver what was read, leave the job open. */
  signal?: AbortSignal
}

export interface PushResult extends CaptureStats {
  status: JobStatus | 'interrupted'
}

export async function push(options: PushOptions): Promise<PushResult> {
  const {store, job, input, tee, signal} = options
  const writer = await openJobWriter(store, job, options)
  const stats = await capture(input, new LineSplitter(options.maxLineBytes, undefined, new Masker(options.mask).forStream()), writer, tee, signal)
  if (signal?.aborted) {
    await writer.flush()
    return {...stats, status: 'interrupted'}
  }
  const end = endStatus(options.exitCode)
  await writer.finish(end)
  return {...stats, status: end.status}
}
