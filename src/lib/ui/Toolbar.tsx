import React from 'react'
import {Text} from 'ink'
import type {ChalkInstance} from 'chalk'
import {levelLabel, type ViewerState} from './viewer-state.js'

export interface ToolbarProps {
  state: ViewerState
  newLines: number
  columns: number
  ui: ChalkInstance
}

/** Top row: search box, level filter, follow/pause state. */
export function Toolbar({state, newLines, columns, ui}: ToolbarProps): React.ReactElement {
  const search = state.draft !== undefined ? `/${state.draft}▏` : state.query ? `/${state.query}` : '/ search'
  const follow = state.anchor === undefined ? ui.green('● following') : ui.yellow(`❚❚ paused — ${newLines.toLocaleString('en-US')} new lines`)
  const text = ` ${state.draft !== undefined ? ui.inverse(search) : search}  │  level: ${levelLabel(state)}  │  ${follow}  │  ? help`
  return (
    <Text wrap="truncate-end">
      {columns > 0 ? text : ''}
    </Text>
  )
}
