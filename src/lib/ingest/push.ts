/**
 * `logs push`: stdin → entries → the job, until EOF (or a signal), then the job's end.
 */
import {endStatus, type JobStatus} from '../job.js'
import type {Output} from '../output.js'
import {Masker, type MaskSpec} from '../mask/masker.js'
import {capture, type CaptureStats} from './capture.js'
import type {CaptureInput} from './input-chunks.js'
import {LineSplitter} from './line-splitter.js'
import {startJobWriter, type JobTarget} from './open-job-writer.js'

/** What push and run share: the job and its store, line cutting and masking (built once by cli/capture-options). */
export interface CaptureOptions extends JobTarget {
  maxLineBytes?: number
  /** What to mask in each line before it is stored. */
  mask: MaskSpec
}

export interface PushOptions extends CaptureOptions {
  /** stdin as a DescriptorInput: read into one reused buffer, not through process.stdin (input-chunks.ts). */
  input: CaptureInput
  tee?: Output
  /** The job's exit status, when the caller knows it (`--exit-code`). */
  exitCode?: number
  /** Aborted by SIGINT/SIGTERM: stop reading, deliver what was read, leave the job open. */
  signal?: AbortSignal
}

export interface PushResult extends CaptureStats {
  status: JobStatus | 'interrupted'
}

/**
 * Capture starts at once and the store opens beside it: input is read, teed, cut and
 * masked from the first byte. If the store cannot be opened, the tee still runs to EOF and
 * push fails with the store's error.
 */
export async function push(options: PushOptions): Promise<PushResult> {
  const {input, tee, signal} = options
  const {writer, close} = startJobWriter(options)
  try {
    const splitter = new LineSplitter(options.maxLineBytes, undefined, new Masker(options.mask).forStream())
    const stats = await capture(input, splitter, writer, tee, signal).catch((error: unknown) => {
      throw writer.openFailure ?? error
    })
    if (signal?.aborted) {
      await writer.flush()
      return {...stats, status: 'interrupted'}
    }
    const end = endStatus(options.exitCode)
    // A signal while the end is being delivered (a store that is down) stops the wait: what was
    // read is in the spool already and the next push or `logs recover` delivers it.
    if ((await untilAborted(writer.finish(end), signal)) === 'aborted') return {...stats, status: 'interrupted'}
    return {...stats, status: end.status}
  } finally {
    await close()
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
