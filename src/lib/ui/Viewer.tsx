/**
 * The `logs tail` viewer: toolbar, log area, status bar. Entries live in the ViewerFeed
 * (a bounded ring), not in React state; React holds only what the keys change, and a
 * render lays out just the lines that fit on screen.
 */
import React, {useCallback, useEffect, useMemo, useRef, useState} from 'react'
import {Box, useApp} from 'ink'
import {Chalk, type ChalkInstance} from 'chalk'
import type {Section} from '../job.js'
import {Folds, type FoldChoices} from './folds.js'
import {HelpOverlay} from './HelpOverlay.js'
import {JobList} from './JobList.js'
import {LogArea} from './LogArea.js'
import {StatusBar} from './StatusBar.js'
import {Toolbar} from './Toolbar.js'
import {lineParts, lineRows, type LineStyle} from './line-view.js'
import {searchPattern} from './line-text.js'
import type {ViewEntry} from './log-buffer.js'
import {saveShown} from './save-shown.js'
import {viewBottom, visibleWindow} from './scroll.js'
import {useFeed} from './use-feed.js'
import {useNow} from './use-now.js'
import {useTerminalSize, type TerminalSize} from './use-terminal-size.js'
import {useViewerKeys} from './use-viewer-keys.js'
import type {ViewerFeed} from './viewer-feed.js'
import {endedText, phaseText} from './status-text.js'
import {initialState, viewFilter, type ViewerState} from './viewer-state.js'

export interface ViewerProps {
  feed: ViewerFeed
  /** Colours of the content: the job's own and the levels' (false with --no-color / NO_COLOR). */
  color: boolean
  /** Colour depth of the terminal (1 = 16 colours). */
  colorLevel?: 1 | 2 | 3
  /** A fixed size instead of the terminal's (tests). */
  size?: TerminalSize
  timestamps?: boolean
  /** Several jobs: show a job id prefix on each line. */
  multiJob?: boolean
  /** Directory for `s` (save what is shown). */
  saveDir?: string
  /** Name used in saved file names. */
  name?: string
  clock?: () => number
  onQuit?: () => void
}

const CHROME_ROWS = 2

export function Viewer(props: ViewerProps): React.ReactElement {
  const {feed, color} = props
  const {exit} = useApp()
  const size = useTerminalSize(props.size)
  useFeed(feed)
  const now = useNow(1000, props.clock)
  const [state, setState] = useState<ViewerState>(() => initialState({timestamps: props.timestamps}))
  // Keys can arrive faster than renders: each one must see the state the previous one left.
  const latest = useRef(state)
  const update = useCallback((change: (s: ViewerState) => ViewerState) => {
    latest.current = change(latest.current)
    setState(latest.current)
  }, [])

  const paint = useMemo<ChalkInstance>(() => new Chalk({level: color ? (props.colorLevel ?? 1) : 0}), [color, props.colorLevel])
  const ui = useMemo<ChalkInstance>(() => new Chalk({level: props.colorLevel ?? 1}), [props.colorLevel])
  // Height: one row short of the terminal, so ink redraws in place instead of clearing the screen.
  const height = Math.max(CHROME_ROWS + 1, size.rows - 1)
  const rows = height - CHROME_ROWS
  const jobIds = [...feed.jobs.keys()]
  const multiJob = props.multiJob ?? jobIds.length > 1
  const folds = useFolds(feed, state.folds)
  const style: LineStyle = {
    paint,
    ui,
    timestamps: state.timestamps,
    prefixWidth: multiJob ? Math.min(24, Math.max(0, ...jobIds.map((id) => id.length))) : 0,
    columns: size.columns,
    wrap: state.wrap,
    folds,
  }
  const rowsOf = (item: ViewEntry): number => lineRows(lineParts(item, style), style)

  // Applied while rendering, not in an effect: the frame that shows a new level label
  // must also show the lines filtered by it.
  const appliedFilter = useRef<{level: number; hidden: ReadonlySet<string>; folds: Folds} | undefined>(undefined)
  /* eslint-disable react-hooks/refs -- deliberately during render, see above */
  if (appliedFilter.current?.level !== state.level || appliedFilter.current.hidden !== state.hidden || appliedFilter.current.folds !== folds) {
    appliedFilter.current = {level: state.level, hidden: state.hidden, folds}
    feed.setViewFilter(viewFilter(state.level, state.hidden, folds), true)
  }
  /* eslint-enable react-hooks/refs */
  useEffect(() => {
    feed.setPaused(state.anchor !== undefined)
  }, [feed, state.anchor])

  const quit = (): void => {
    props.onQuit?.()
    exit()
  }
  const save = (s: ViewerState): string => {
    try {
      const saved = saveShown(feed.buffer, {dir: props.saveDir ?? process.cwd(), timestamps: s.timestamps, prefixed: multiJob, name: props.name ?? 'tail'})
      return `saved ${saved.lines} lines to ${saved.path}`
    } catch (error) {
      return `could not save: ${(error as Error).message}`
    }
  }
  useViewerKeys(latest, {feed, rows, rowsOf, jobIds, folds, update, quit, save})

  const bottom = viewBottom(feed.buffer, state.anchor)
  const {lines} = visibleWindow(feed.buffer, bottom, rows, rowsOf)
  const pattern = searchPattern(state.draft ?? state.query)
  const empty = feed.buffer.length === 0 ? 'waiting for lines…' : 'no line matches the filter (l: level, Esc: clear search)'

  return (
    <Box flexDirection="column" width={size.columns} height={height}>
      <Toolbar state={state} newLines={feed.newWhilePaused} phase={phaseText([...feed.jobs.values()], multiJob)} ended={endedText([...feed.jobs.values()])} ui={ui} />
      {state.overlay === 'help' ? (
        <HelpOverlay rows={rows} />
      ) : state.overlay === 'jobs' ? (
        <JobList feed={feed} hidden={state.hidden} cursor={state.jobCursor} rows={rows} paint={paint} ui={ui} />
      ) : (
        <LogArea lines={lines} rows={rows} style={style} pattern={pattern} cursor={state.cursor} empty={empty} />
      )}
      <StatusBar feed={feed} now={now} message={state.message} ui={ui} />
    </Box>
  )
}

/**
 * The jobs' sections folded as chosen: rebuilt when a job's sections change (a meta event
 * brings a new array) or the choices do, not per render.
 */
function useFolds(feed: ViewerFeed, choices: FoldChoices): Folds {
  const built = useRef<{sections: Array<Section[] | undefined>; folds: Folds} | undefined>(undefined)
  const sections = [...feed.jobs.values()].map((job) => job.meta?.sections)
  /* eslint-disable react-hooks/refs -- a cache of a pure function of its inputs */
  const current = built.current
  if (!current || current.folds.choices !== choices || current.sections.length !== sections.length || current.sections.some((list, i) => list !== sections[i])) {
    const byJob = new Map<string, Section[]>()
    for (const job of feed.jobs.values()) if (job.meta?.sections) byJob.set(job.id, job.meta.sections)
    built.current = {sections, folds: new Folds(byJob, choices)}
  }
  return built.current!.folds
  /* eslint-enable react-hooks/refs */
}
