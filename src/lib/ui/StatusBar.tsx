import React from 'react'
import {Text} from 'ink'
import type {ChalkInstance} from 'chalk'
import type {ViewerFeed} from './viewer-feed.js'
import {connection, counts, jobSummary, rate, sinceLast} from './status-text.js'

export interface StatusBarProps {
  feed: ViewerFeed
  now: number
  message: string | undefined
  columns: number
  ui: ChalkInstance
}

const CONNECTION_COLORS = {connecting: 'yellow', live: 'green', reconnecting: 'yellow', ended: 'cyan'} as const

/** Bottom row: connection, job status and exit code, entries shown / total, rate, time since the last line. */
export function StatusBar({feed, now, message, columns, ui}: StatusBarProps): React.ReactElement {
  const jobs = [...feed.jobs.values()]
  const state = connection(jobs)
  const parts = [ui[CONNECTION_COLORS[state]](state), jobSummary(jobs), counts(feed), rate(feed, now), sinceLast(feed, now)]
  if (feed.loading) parts.push('reading…')
  const error = feed.error ?? jobs.find((job) => job.error)?.error
  const text = message ? ui.bold(message) : error ? ui.red(error) : parts.join(' · ')
  return <Text wrap="truncate-end">{columns > 0 ? ` ${text}` : ''}</Text>
}
