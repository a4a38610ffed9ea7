/** The words of the status bar, from the feed's state: pure, so they are easy to test and to keep short. */
import type {ChalkInstance} from 'chalk'
import {formatDuration} from '../time.js'
import {describeEnd} from '../tail/exit-code.js'
import type {JobView, ViewerFeed} from './viewer-feed.js'
import {levelLabel, type ViewerState} from './viewer-state.js'

export type Connection = 'connecting' | 'live' | 'reconnecting' | 'ended'

export function connection(jobs: JobView[]): Connection {
  if (jobs.length === 0) return 'connecting'
  if (jobs.some((job) => job.state === 'reconnecting')) return 'reconnecting'
  if (jobs.every((job) => job.state === 'ended')) return 'ended'
  return 'live'
}

export function jobSummary(jobs: JobView[]): string {
  if (jobs.length === 0) return 'waiting for jobs'
  if (jobs.length === 1) return `${jobs[0].id} ${jobStatus(jobs[0])}`
  const running = jobs.filter((job) => job.state !== 'ended').length
  const failed = jobs.filter((job) => job.meta?.status === 'failed').length
  return `${jobs.length} jobs: ${running} running${failed ? `, ${failed} failed` : ''}`
}

export function jobStatus(job: JobView): string {
  if (job.meta?.location.kind === 'archived') return `archived, ${describeEnd(job.meta)} (read-only)`
  if (job.state === 'ended') return describeEnd(job.meta)
  if (job.state === 'waiting') return 'waiting for the job to start'
  return job.meta?.status === 'running' || !job.meta ? 'running' : describeEnd(job.meta)
}

export function counts(feed: ViewerFeed): string {
  return `${feed.buffer.matching.toLocaleString('en-US')} shown / ${feed.total.toLocaleString('en-US')} total`
}

export function rate(feed: ViewerFeed, now: number): string {
  return `${feed.linesPerSecond(now).toLocaleString('en-US')} lines/s`
}

export function sinceLast(feed: ViewerFeed, now: number): string {
  return feed.lastLineAt === undefined ? 'no lines yet' : `last line ${formatDuration(Math.max(0, now - feed.lastLineAt))} ago`
}

const CONNECTION_COLORS = {connecting: 'yellow', live: 'green', reconnecting: 'yellow', ended: 'cyan'} as const

/** Once every job has ended there is nothing to follow: how it ended, as the status bar words it ("ended: failed (exit 3)"). */
export function endedText(jobs: JobView[]): string | undefined {
  if (connection(jobs) !== 'ended') return undefined
  if (jobs.length > 1) return 'all ended'
  const how = describeEnd(jobs[0].meta)
  return how === 'ended' ? how : `ended: ${how}`
}

/** The top row: search box, level filter, follow/pause state (or how the jobs ended), phase and progress. */
export function toolbarText(state: ViewerState, newLines: number, ui: ChalkInstance, phase?: string, ended?: string): string {
  const search = state.draft !== undefined ? `/${state.draft}▏` : state.query ? `/${state.query}` : '/ search'
  const follow =
    state.anchor !== undefined ? ui.yellow(`❚❚ paused — ${newLines.toLocaleString('en-US')} new lines`) : ended !== undefined ? ui.cyan(`■ ${ended}`) : ui.green('● following')
  const where = phase ? `  │  ${ui.bold(phase)}` : ''
  return ` ${state.draft !== undefined ? ui.inverse(search) : search}  │  level: ${levelLabel(state)}  │  ${follow}${where}  │  ? help`
}

const BAR_CELLS = 10

/** `phase: migrate ▕██████░░░░▏ 60%` from the jobs' metadata (the job id first when several jobs report one). */
export function phaseText(jobs: JobView[], multiJob: boolean): string | undefined {
  const parts: string[] = []
  for (const job of jobs) {
    const {phase, progress} = job.meta ?? {}
    if (phase === undefined && progress === undefined) continue
    let text = multiJob ? `${job.id}: ` : 'phase: '
    if (phase !== undefined) text += phase
    if (progress !== undefined) {
      const filled = Math.round((Math.min(100, Math.max(0, progress)) / 100) * BAR_CELLS)
      text += `${phase === undefined ? '' : ' '}▕${'█'.repeat(filled)}${'░'.repeat(BAR_CELLS - filled)}▏ ${progress}%`
    }
    parts.push(text)
  }
  return parts.length > 0 ? parts.join('  ') : undefined
}

/** The bottom row: connection, job status and exit code, entries shown / total, rate, time since the last line. */
export function statusText(feed: ViewerFeed, now: number, message: string | undefined, ui: ChalkInstance): string {
  const jobs = [...feed.jobs.values()]
  const state = connection(jobs)
  const parts = [ui[CONNECTION_COLORS[state]](state), jobSummary(jobs), counts(feed), rate(feed, now), sinceLast(feed, now)]
  if (feed.loading) parts.push('reading…')
  const error = feed.error ?? jobs.find((job) => job.error)?.error
  // While a store is waited for, the line says so first, then why.
  const failure = error && (state === 'reconnecting' ? `${parts[0]} · ${ui.red(error)}` : ui.red(error))
  return ` ${message ? ui.bold(message) : failure || parts.join(' · ')}`
}
