import React from 'react'
import {Text} from 'ink'
import type {ChalkInstance} from 'chalk'
import {toolbarText} from './status-text.js'
import type {ViewerState} from './viewer-state.js'

export interface ToolbarProps {
  state: ViewerState
  newLines: number
  /** The jobs' phase and progress, when they report one. */
  phase?: string
  /** How the jobs ended, once all have (nothing is followed then). */
  ended?: string
  ui: ChalkInstance
}

/** Top row: search box, level filter, follow/pause state, the job's phase and progress. */
export function Toolbar({state, newLines, phase, ended, ui}: ToolbarProps): React.ReactElement {
  return <Text wrap="truncate-end">{toolbarText(state, newLines, ui, phase, ended)}</Text>
}
