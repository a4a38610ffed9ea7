/**
 * `logs tail`: the viewer on a terminal, plain lines otherwise. The viewer (React, Ink)
 * is imported only when it is used, so piping `logs tail` starts as fast as `logs get`.
 */
import type {ChalkInstance} from 'chalk'
import type {Jobs} from '../store/jobs.js'
import {Output} from '../output.js'
import {createViewerFeed} from './create-feed.js'
import {LEAVE_ALT_SCREEN, SHOW_CURSOR, paintWhenReady} from './first-paint.js'
import {isSingleJob} from '../job-targets.js'
import {onInterrupt} from '../interrupt.js'
import type {EntryFilter} from '../query/filter.js'
import {plainTail} from '../tail/plain-tail.js'
import {leftOutNotice, unreadableNotice, waitingForMatchNotice, waitingNotice} from '../render/notices.js'
import type {TailTargets} from '../job-targets.js'
import type {ArchiveReadError, DamagedManifestError} from '../errors/index.js'

export interface RunTailOptions {
  jobs: Jobs
  targets: TailTargets
  filter?: EntryFilter
  /** Backlog per job in plain mode. */
  lines: number
  /** `--since`: backlogs start at this time (ms). */
  since?: number
  follow: boolean
  timestamps: boolean
  exitCode: boolean
  /** Entries the viewer keeps in memory. */
  buffer: number
  chalk: ChalkInstance
  /** Open the viewer (stdin and stdout are terminals). */
  interactive: boolean
  /** Wait for named jobs that have not started (false: a missing one is JobNotFoundError at once). */
  wait?: boolean
}

/** How long the first paint may hold back loading the viewer when no line comes. */
const FIRST_PAINT_WAIT = 300

type ViewerModule = typeof import('./open-viewer.js')
let viewerModule: Promise<ViewerModule> | undefined

/** Loads the viewer (React, Ink, yoga: the largest part of its start-up), once. */
export function preloadViewer(): Promise<ViewerModule> {
  viewerModule ??= import('./open-viewer.js')
  return viewerModule
}

export async function runTail(options: RunTailOptions): Promise<{exitCode: number}> {
  if (options.wait === false) for (const id of options.targets.ids) await options.jobs.requireJob(id)
  if (options.interactive) return runViewer(options)
  // The viewer says it in its status bar; piped, stderr says it (stdout stays the log's lines).
  const onWaiting = (job: string) => process.stderr.write(waitingNotice(job))
  const onLeftOut = (job: string, why: string) => process.stderr.write(leftOutNotice(job, why))
  const onUnreadable = (error: ArchiveReadError | DamagedManifestError) => process.stderr.write(unreadableNotice(error))
  const onWaitingForMatch = () => process.stderr.write(waitingForMatchNotice(options.targets))
  return plainTail({
    ...options,
    terminal: process.stdout.isTTY === true,
    backlog: options.lines,
    output: new Output(process.stdout),
    onWaiting,
    onWaitingForMatch,
    onLeftOut,
    onUnreadable,
  })
}

/**
 * The viewer, with one interrupt from before its first screen: the plain first paint puts the
 * terminal in the alternate screen before React and Ink have loaded, and a signal then (kill,
 * a closed terminal) must give it back as one during the viewer does.
 */
async function runViewer(options: RunTailOptions): Promise<{exitCode: number}> {
  const interrupt = onInterrupt()
  const stopped = new Promise<undefined>((resolve) => interrupt.signal.addEventListener('abort', () => resolve(undefined), {once: true}))
  try {
    // Read while React and Ink load: the first screen then has its lines at once.
    const feed = createViewerFeed(options)
    const firstPaint = paintWhenReady(feed, process.stdout, {timestamps: options.timestamps, multiJob: !isSingleJob(options.targets)})
    void feed.start()
    let viewer: ViewerModule | undefined
    try {
      // Loading React and Ink keeps the (single) thread busy: read and paint the first lines before.
      await Promise.race([firstPaint.settled(FIRST_PAINT_WAIT), stopped])
      if (!interrupt.signal.aborted) viewer = await Promise.race([preloadViewer(), stopped])
    } catch (error) {
      feed.stop()
      if (firstPaint.painted()) process.stdout.write(SHOW_CURSOR + LEAVE_ALT_SCREEN)
      throw error
    } finally {
      firstPaint.cancel()
    }
    if (!viewer) {
      // Stopped before the viewer was up: the process dies of the signal once the command returns.
      feed.stop()
      if (firstPaint.painted()) process.stdout.write(SHOW_CURSOR + LEAVE_ALT_SCREEN)
      return {exitCode: 0}
    }
    return await viewer.openViewer({
      ...options,
      feed,
      painted: firstPaint.painted(),
      color: options.chalk.level > 0,
      colorLevel: Math.max(1, options.chalk.level) as 1 | 2 | 3,
      signal: interrupt.signal,
    })
  } finally {
    interrupt.dispose()
  }
}

export function isInteractive(stdin: {isTTY?: boolean} = process.stdin, stdout: {isTTY?: boolean} = process.stdout): boolean {
  return Boolean(stdin.isTTY && stdout.isTTY)
}
