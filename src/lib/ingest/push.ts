/**
 * `logs push`: stdin → entries → the job, until EOF (or a signal), then the job's end.
 */
import type {Readable} from 'node:stream'
import {LogsError, StoreUnavailableError} from '../errors/index.js'
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
  const writer = await teeOnFailure(
    async () => {
      try {
        return await openJobWriter(store, job, options)
      } catch (error) {
        throw error instanceof LogsError ? error : new StoreUnavailableError(store.name, (error as Error).message, error)
      }
    },
    input,
    tee,
  )
  const stats = await capture(input, new LineSplitter(options.maxLineBytes, undefined, new Masker(options.mask).forStream()), writer, tee, signal)
  if (signal?.aborted) {
    await writer.flush()
    return {...stats, status: 'interrupted'}
  }
  const end = endStatus(options.exitCode)
  // A signal while the end is being delivered (a store that is down) stops the wait: what was
  // read is in the spool already and the next push or `logs recover` delivers it.
  if ((await untilAborted(writer.finish(end), signal)) === 'aborted') return {...stats, status: 'interrupted'}
  return {...stats, status: end.status}
}

/**
 * Runs `work` (opening a store, a job); if it fails and stdin is teed, passes the rest of
 * stdin through to EOF before the failure is raised: the job's output never depends on
 * its logs, and the job never dies of SIGPIPE because a store could not be opened.
 */
export async function teeOnFailure<T>(work: () => Promise<T>, input: Readable, tee: Output | undefined): Promise<T> {
  try {
    return await work()
  } catch (error) {
    if (tee) for await (const chunk of input as AsyncIterable<Buffer>) if (!tee.closed) await tee.write(chunk)
    throw error
  }
}

/** Waits for `work`, or for the signal, whichever comes first. */
async function untilAborted(work: Promise<void>, signal: AbortSignal | undefined): Promise<'done' | 'aborted'> {
  if (!signal) return work.then(() => 'done')
  let onAbort = () => {}
  const aborted = new Promise<'aborted'>((resolve) => {
    onAbort = () => resolve('aborted')
    signal.addEventListener('abort', onAbort, {once: true})
  })
  try {
    const outcome = await Promise.race([work.then(() => 'done' as const), aborted])
    if (outcome === 'aborted') work.catch(() => undefined)
    return outcome
  } finally {
    signal.removeEventListener('abort', onAbort)
  }
}
