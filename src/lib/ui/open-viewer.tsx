/**
 * Opens the viewer full-screen on the terminal (alternate screen, like less), runs it
 * until `q`/Ctrl-C, and always gives the terminal back as it was: main screen, cursor,
 * cooked mode — also on a signal (the process then dies of it, see cli/execute.ts) or an error.
 */
import {render} from 'ink'
import {isSingleJob, type TailTargets} from '../job-targets.js'
import {Viewer} from './Viewer.js'
import type {ViewerFeed} from './viewer-feed.js'
import {ENTER_ALT_SCREEN, LEAVE_ALT_SCREEN, SHOW_CURSOR} from './first-paint.js'

export interface OpenViewerOptions {
  /** The entries (see create-feed.ts); it may already be running. */
  feed: ViewerFeed
  targets: TailTargets
  timestamps: boolean
  color: boolean
  colorLevel: 1 | 2 | 3
  exitCode: boolean
  stdout?: NodeJS.WriteStream
  stdin?: NodeJS.ReadStream
  /** Renders per second at most (ink's maxFps). */
  maxFps?: number
  /** A plain first screen is up already (first-paint.ts): the alternate screen is on. */
  painted?: boolean
  /** Aborted by a signal (kill, a closed terminal): the viewer quits as q does. */
  signal: AbortSignal
}

export async function openViewer(options: OpenViewerOptions): Promise<{exitCode: number}> {
  const stdout = options.stdout ?? process.stdout
  const stdin = options.stdin ?? process.stdin
  const {feed} = options
  const name = options.targets.ids.length === 1 && options.targets.globs.length === 0 ? options.targets.ids[0] : 'tail'
  // Home and clear in the same tick as ink's first frame, so the plain screen is simply replaced.
  stdout.write(options.painted ? '\u001B[H\u001B[2J' : ENTER_ALT_SCREEN)
  const restore = (): void => {
    stdout.write(SHOW_CURSOR + LEAVE_ALT_SCREEN)
  }
  const app = render(
    <Viewer feed={feed} color={options.color} colorLevel={options.colorLevel} timestamps={options.timestamps} multiJob={!isSingleJob(options.targets)} name={name} />,
    {stdout, stdin, exitOnCtrlC: false, patchConsole: true, maxFps: options.maxFps ?? 30},
  )
  // A signal quits as q does; Ctrl-C is a key here, not a signal.
  const quit = (): void => app.unmount()
  options.signal.addEventListener('abort', quit, {once: true})
  try {
    await app.waitUntilExit()
  } finally {
    options.signal.removeEventListener('abort', quit)
    app.cleanup()
    feed.stop()
    restore()
  }
  // Stopped by a signal, the process dies of it once the command returns.
  if (options.signal.aborted) return {exitCode: 0}
  return {exitCode: options.exitCode ? feed.ended.exitCode() : 0}
}
