import React from 'react'
import {Text} from 'ink'
import type {ChalkInstance} from 'chalk'
import type {ViewerFeed} from './viewer-feed.js'
import {statusText} from './status-text.js'

export interface StatusBarProps {
  feed: ViewerFeed
  now: number
  message: string | undefined
  ui: ChalkInstance
}

/** Bottom row: connection, job status and exit code, entries shown / total, rate, time since the last line. */
export function StatusBar({feed, now, message, ui}: StatusBarProps): React.ReactElement {
  return <Text wrap="truncate-end">{statusText(feed, now, message, ui)}</Text>
}
