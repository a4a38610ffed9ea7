/**
 * Opens the viewer full-screen on the terminal (alternate screen, like less), runs it
 * until `q`/Ctrl-C, and always gives the terminal back as it was: main screen, cursor,
 * cooked mode — also on SIGTERM/SIGHUP or an error.
 */
import React from 'react'
import {render} from 'ink'
import type {Jobs} from '../jobs.js'
import type {EntryFilter} from '../query.js'
import {tailExitCode} from '../tail/exit-code.js'
import {isSingleJob, type TailTargets} from '../tail/targets.js'
import {Viewer} from './Viewer.js'
import {ViewerFeed} from './viewer-feed.js'
import {jobsSource} from './viewer-source.js'

export interface OpenViewerOptions {
  jobs: Jobs
  targets: TailTargets
  filter?: EntryFilter
  /** Entries kept in memory (`--buffer`). */
  buffer: number
  follow: boolean
  timestamps: boolean
  color: boolean
  colorLevel: 1 | 2 | 3
  exitCode: boolean
  stdout?: NodeJS.WriteStream
  stdin?: NodeJS.ReadStream
  /** Renders per second at most (ink's maxFps). */
  maxFps?: number
}

const ENTER_ALT_SCREEN = '\u001B[?1049h\u001B[H'
const LEAVE_ALT_SCREEN = '\u001B[?1049l'
const SHOW_CURSOR = '\u001B[?25h'
/** Lines read before following: enough for the first screens; older pages are read when scrolled to. */
const FIRST_READ = 1000

export async function openViewer(options: OpenViewerOptions): Promise<{exitCode: number}> {
  const stdout = options.stdout ?? process.stdout
  const stdin = options.stdin ?? process.stdin
  const source = jobsSource({jobs: options.jobs, targets: options.targets, backlog: Math.min(options.buffer, FIRST_READ), follow: options.follow, filter: options.filter})
  const feed = new ViewerFeed({source, capacity: options.buffer, baseFilter: options.filter})
  const name = options.targets.ids.length === 1 && options.targets.globs.length === 0 ? options.targets.ids[0] : 'tail'
  stdout.write(ENTER_ALT_SCREEN)
  const restore = (): void => {
    stdout.write(SHOW_CURSOR + LEAVE_ALT_SCREEN)
  }
  const app = render(
    <Viewer feed={feed} color={options.color} colorLevel={options.colorLevel} timestamps={options.timestamps} multiJob={!isSingleJob(options.targets)} name={name} />,
    {stdout, stdin, exitOnCtrlC: false, patchConsole: true, maxFps: options.maxFps ?? 30},
  )
  const onSignal = (): void => app.unmount()
  for (const signal of ['SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal)
  try {
    await app.waitUntilExit()
  } finally {
    for (const signal of ['SIGTERM', 'SIGHUP'] as const) process.off(signal, onSignal)
    app.cleanup()
    restore()
  }
  const ended = [...feed.jobs.values()].filter((job) => job.state === 'ended').map((job) => job.meta)
  return {exitCode: options.exitCode ? tailExitCode(ended) : 0}
}
