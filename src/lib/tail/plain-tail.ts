/**
 * `logs tail` when stdout is not a terminal: plain lines like `tail -f`, prefixed with
 * the job id (in a stable colour) when several jobs are followed. Returns the exit status:
 * 0 once every followed job has ended, or the jobs' own status with `--exit-code`.
 *
 * One of several jobs with a damaged archived block is named at once (`onUnreadable`)
 * and the others are followed on; once every job has ended it fails with
 * UnreadableJobsError (exit 1). Stopped by a signal (SIGINT, SIGTERM, SIGHUP), it stops
 * following, flushes what it printed, and the process then dies of the signal like any
 * follow (CLI.md, cli/execute.ts): the block was named when it was met.
 */
import type {ChalkInstance} from 'chalk'
import {isEnded} from '../job.js'
import {JobRunningError, UnreadableJobsError, type ArchiveReadError, type DamagedManifestError} from '../errors/index.js'
import {onInterrupt} from '../interrupt.js'
import type {Jobs} from '../store/jobs.js'
import type {Output} from '../output.js'
import type {EntryFilter} from '../query/filter.js'
import {rawChunk} from '../entry.js'
import {formatEntry, TextLineJoiner, type OutputMode} from '../render/format-entry.js'
import {TextBytes} from '../text-bytes.js'
import {EndedJobs} from './exit-code.js'
import {jobPrefixColor, padJobId} from './job-colors.js'
import {TailFeed} from './tail-feed.js'
import type {TailTargets} from '../job-targets.js'

export interface PlainTailOptions {
  jobs: Jobs
  targets: TailTargets
  output: Output
  chalk: ChalkInstance
  /** The output is a terminal: lines keep no control codes but colours. */
  terminal?: boolean
  backlog: number
  since?: number
  follow: boolean
  timestamps: boolean
  filter?: EntryFilter
  exitCode: boolean
  /** text (default), json (NDJSON with a `job` field when several jobs are followed) or raw bytes. */
  mode?: OutputMode
  globMinInterval?: number
  /** Globs take the ended jobs they find at start too (`get -f`). */
  history?: boolean
  /** A named job has not started yet: the follow waits for it. */
  onWaiting?: (job: string) => void
  /** The globs' first listing found no job to follow, nor is one named: the follow waits for a match (said once). */
  onWaitingForMatch?: () => void
  /** A job a glob matched was deleted and is left out (why: the store's words). */
  onLeftOut?: (job: string, why: string) => void
  /** One of several jobs could not be read in full (a damaged block), or at all (a damaged manifest, met by a glob); the others are followed on. */
  onUnreadable?: (error: ArchiveReadError | DamagedManifestError) => void
}

export interface PlainTailResult {
  exitCode: number
  /** Jobs that were followed, in the order they joined. */
  jobs: string[]
}

export async function plainTail(options: PlainTailOptions): Promise<PlainTailResult> {
  const {targets, output, chalk} = options
  const feed = new TailFeed({
    jobs: options.jobs,
    targets,
    backlog: options.backlog,
    since: options.since,
    follow: options.follow,
    filter: options.filter,
    retry: false,
    untilAllEnded: true,
    globMinInterval: options.globMinInterval,
    history: options.history,
    onNothingMatched: options.follow ? options.onWaitingForMatch : undefined,
  })
  const prefixed = targets.ids.length + targets.globs.length > 1 || targets.globs.length > 0
  let width = Math.max(0, ...targets.ids.map((id) => id.length))
  const ended = new EndedJobs()
  const unreadable: Array<ArchiveReadError | DamagedManifestError> = []
  const lines = new TextLineJoiner()
  const interrupt = onInterrupt()
  interrupt.signal.addEventListener('abort', () => feed.close(), {once: true})
  try {
    try {
      await followFeed()
    } catch (error) {
      if (!interrupt.signal.aborted) throw error
    } finally {
      feed.close()
    }
    await output.flush()
  } finally {
    interrupt.dispose()
  }
  // Stopped by a signal: the process dies of it once this returns (cli/execute.ts).
  if (interrupt.signal.aborted) return {exitCode: 0, jobs: feed.jobIds}
  if (unreadable.length > 0) throw new UnreadableJobsError(unreadable)
  if (!options.exitCode) return {exitCode: 0, jobs: feed.jobIds}
  // Without a follow the jobs are printed as they are: a running one has no exit code yet.
  const running = options.follow ? undefined : ended.inOrder.find(({meta}) => meta && !isEnded(meta.status))
  if (running) throw new JobRunningError(running.job, `drop --no-follow to wait for it to end and exit with its code: logs tail ${running.job} --exit-code`)
  return {exitCode: ended.exitCode(), jobs: feed.jobIds}

  async function followFeed(): Promise<void> {
    for await (const event of feed) {
      ended.note(event)
      if (event.type === 'job') {
        width = Math.max(width, event.job.length)
        if (!event.meta && options.follow) options.onWaiting?.(event.job)
      } else if (event.type === 'end' && event.gone !== undefined) options.onLeftOut?.(event.job, event.gone)
      else if (event.type === 'end' && event.unreadable) {
        unreadable.push(event.unreadable)
        options.onUnreadable?.(event.unreadable)
      } else if (event.type === 'entries') {
        const mode = options.mode ?? 'text'
        const prefix = prefixed ? (mode === 'json' ? event.job : padJobId(event.job, width)) : undefined
        const style = {chalk, terminal: options.terminal, timestamps: options.timestamps, prefix, prefixColor: jobPrefixColor(chalk, event.job)}
        if (mode === 'raw') {
          if (!(await output.write(rawChunk(event.entries)))) break
          continue
        }
        const text = new TextBytes()
        for (const entry of event.entries) text.add(mode === 'text' ? lines.format(entry, style) : (formatEntry(entry, mode, style) as string))
        if (!(await output.write(text.take()))) break
      }
    }
  }
}
