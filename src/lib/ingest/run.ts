/**
 * `logs run -- COMMAND`: runs the command with its stdout and stderr captured as two
 * streams of one job and passed through to ours; signals are forwarded; the job ends
 * with the command's exit status, which is also returned.
 */
import {spawn} from 'node:child_process'
import {constants} from 'node:os'
import {CommandNotStartedError} from '../errors/index.js'
import {endStatus} from '../job.js'
import {Output} from '../output.js'
import {Masker} from '../mask/masker.js'
import {capture} from './capture.js'
import {LineSplitter} from './line-splitter.js'
import {startJobWriter} from './open-job-writer.js'
import type {CaptureOptions} from './push.js'

const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT']

/** The command's own output is passed through unmasked; `mask` applies to what is stored. */
export interface RunOptions extends CaptureOptions {
  command: string
  args: string[]
  stdout?: NodeJS.WritableStream
  stderr?: NodeJS.WritableStream
}

export interface RunResult {
  exitCode: number
  signal?: NodeJS.Signals
}

/**
 * The command starts at once and the store opens beside it (as push's capture does); if the
 * store cannot be opened, the command's output still passes through to its end, and run
 * fails with the store's error.
 */
export async function runCommand(options: RunOptions): Promise<RunResult> {
  const {writer, close} = startJobWriter(options)
  const child = spawn(options.command, options.args, {stdio: ['inherit', 'pipe', 'pipe']})
  const spawned = new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    child.once('spawn', () => resolve(undefined))
    child.once('error', resolve)
  })
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (code, signal) => resolve([code, signal])))
  const forward = (signal: NodeJS.Signals) => child.kill(signal)
  for (const signal of FORWARDED) process.on(signal, forward)
  try {
    const spawnError = await spawned
    if (spawnError) {
      const error = new CommandNotStartedError(options.command, spawnError)
      await writer.finish({status: 'failed', exitCode: error.exitCode})
      throw error
    }
    // One Masker for both streams: a value registered with ::add-mask:: on one is masked on the other.
    const masker = new Masker(options.mask)
    // Both streams to their end even when storing fails: the command's output never depends on its logs.
    const captured = await Promise.allSettled([
      capture(child.stdout, new LineSplitter(options.maxLineBytes, 'stdout', masker.forStream()), writer, new Output(options.stdout ?? process.stdout)),
      capture(child.stderr, new LineSplitter(options.maxLineBytes, 'stderr', masker.forStream()), writer, new Output(options.stderr ?? process.stderr)),
    ])
    const [code, signal] = await exited
    const failed = captured.find((outcome) => outcome.status === 'rejected')
    if (failed) throw writer.openFailure ?? failed.reason
    const exitCode = code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0)
    await writer.finish(endStatus(exitCode))
    return {exitCode, signal: signal ?? undefined}
  } finally {
    for (const signal of FORWARDED) process.off(signal, forward)
    await close()
  }
}
