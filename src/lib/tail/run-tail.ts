/**
 * `logs tail`: the viewer on a terminal, plain lines otherwise. The viewer (React, Ink)
 * is imported only when it is used, so piping `logs tail` starts as fast as `logs get`.
 */
import type {ChalkInstance} from 'chalk'
import type {Jobs} from '../jobs.js'
import {Output} from '../output.js'
import type {EntryFilter} from '../query.js'
import {plainTail} from './plain-tail.js'
import type {TailTargets} from './targets.js'

export interface RunTailOptions {
  jobs: Jobs
  targets: TailTargets
  filter?: EntryFilter
  /** Backlog per job in plain mode. */
  lines: number
  follow: boolean
  timestamps: boolean
  exitCode: boolean
  /** Entries the viewer keeps in memory. */
  buffer: number
  chalk: ChalkInstance
  /** Open the viewer (stdin and stdout are terminals). */
  interactive: boolean
}

export async function runTail(options: RunTailOptions): Promise<{exitCode: number}> {
  if (options.interactive) {
    const {openViewer} = await import('../ui/open-viewer.js')
    return openViewer({...options, color: options.chalk.level > 0, colorLevel: Math.max(1, options.chalk.level) as 1 | 2 | 3})
  }
  return plainTail({...options, backlog: options.lines, output: new Output(process.stdout)})
}

export function isInteractive(stdin: {isTTY?: boolean} = process.stdin, stdout: {isTTY?: boolean} = process.stdout): boolean {
  return Boolean(stdin.isTTY && stdout.isTTY)
}
