/**
 * A plain first screen, drawn as soon as the first lines are read and before React and
 * Ink have loaded (they take most of the viewer's start-up). The viewer then draws over
 * it. Lines are cut to the width and shown without colours: it is on screen for a
 * moment only, and then the same lines appear in the viewer.
 */
import {Chalk} from 'chalk'
import wrapAnsi from 'wrap-ansi'
import {stripAnsi} from '../level.js'
import {lineParts, lineText, type LineStyle} from './line-view.js'
import {visibleAtOrBefore, visibleWindow} from './scroll.js'
import {endedText, statusText, toolbarText} from './status-text.js'
import type {ViewerFeed} from './viewer-feed.js'
import {initialState} from './viewer-state.js'

export const ENTER_ALT_SCREEN = '\u001B[?1049h\u001B[H'
export const LEAVE_ALT_SCREEN = '\u001B[?1049l'
export const SHOW_CURSOR = '\u001B[?25h'
const HIDE_CURSOR = '\u001B[?25l'
const CLEAR = '\u001B[H\u001B[2J'

export interface FirstPaint {
  /** True once the plain screen was drawn (then the alternate screen is on). */
  painted(): boolean
  /** Resolves once drawn, or after `wait` ms without lines (the job has none yet). */
  settled(wait: number): Promise<void>
  /** Stops waiting for lines (the viewer is ready). */
  cancel(): void
}

export function paintWhenReady(feed: ViewerFeed, stdout: NodeJS.WriteStream, options: {timestamps: boolean; multiJob: boolean}): FirstPaint {
  let painted = false
  let onPainted = (): void => {}
  const done = new Promise<void>((resolve) => (onPainted = resolve))
  const paint = (): void => {
    if (painted || feed.buffer.length === 0) return
    painted = true
    unsubscribe()
    onPainted()
    stdout.write(ENTER_ALT_SCREEN + HIDE_CURSOR + CLEAR + plainScreen(feed, stdout.columns || 80, stdout.rows || 24, options))
  }
  const unsubscribe = feed.subscribe(paint)
  return {
    painted: () => painted,
    settled: (wait) => {
      let timer: NodeJS.Timeout | undefined
      return Promise.race([done, new Promise<void>((resolve) => (timer = setTimeout(resolve, wait)))]).finally(() => clearTimeout(timer))
    },
    cancel: unsubscribe,
  }
}

export function plainScreen(feed: ViewerFeed, columns: number, rows: number, options: {timestamps: boolean; multiJob: boolean}): string {
  const plain = new Chalk({level: 0})
  const jobIds = [...feed.jobs.keys()]
  const style: LineStyle = {
    paint: plain,
    ui: plain,
    timestamps: options.timestamps,
    prefixWidth: options.multiJob ? Math.min(24, Math.max(0, ...jobIds.map((id) => id.length))) : 0,
    columns,
    wrap: false,
  }
  const logRows = Math.max(1, rows - 3)
  const {lines} = visibleWindow(feed.buffer, visibleAtOrBefore(feed.buffer), logRows, () => 1)
  // The bars' first row of a hard wrap: never wider than the terminal, even when a wide character would straddle the edge.
  const cut = (text: string): string => wrapAnsi(stripAnsi(text), columns, {hard: true, trim: false, wordWrap: false}).split('\n')[0]
  const body = lines.map(({item}) => lineText(lineParts(item, style), style, undefined, false)) // cut to the width with "…", as the viewer draws them
  while (body.length < logRows) body.unshift('')
  return [
    cut(toolbarText(initialState({timestamps: options.timestamps}), 0, plain, undefined, endedText([...feed.jobs.values()]))),
    ...body,
    cut(statusText(feed, Date.now(), undefined, plain)),
  ].join('\n')
}
