import React from 'react'
import {Text} from 'ink'
import type {ChalkInstance} from 'chalk'
import {toolbarText} from './status-text.js'
import type {ViewerState} from './viewer-state.js'

export interface ToolbarProps {
  state: ViewerState
  newLines: number
  ui: ChalkInstance
}

/** Top row: search box, level filter, follow/pause state. */
export function Toolbar({state, newLines, ui}: ToolbarProps): React.ReactElement {
  return <Text wrap="truncate-end">{toolbarText(state, newLines, ui)}</Text>
}
