import React from 'react'
import {Box, Text} from 'ink'
import type {ChalkInstance} from 'chalk'
import {jobPrefixColor} from '../tail/job-colors.js'
import type {ViewerFeed} from './viewer-feed.js'
import {jobStatus} from './status-text.js'

export interface JobListProps {
  feed: ViewerFeed
  hidden: ReadonlySet<string>
  cursor: number
  rows: number
  paint: ChalkInstance
  ui: ChalkInstance
}

/** The followed jobs, each shown or hidden with space (j or Esc closes). */
export function JobList({feed, hidden, cursor, rows, paint, ui}: JobListProps): React.ReactElement {
  const jobs = [...feed.jobs.values()]
  const first = Math.max(0, Math.min(cursor - Math.floor((rows - 1) / 2), jobs.length - (rows - 1)))
  return (
    <Box flexDirection="column" height={rows} overflow="hidden">
      <Text bold>jobs — ↑/↓ choose, space show/hide, j or Esc close</Text>
      {jobs.slice(first, first + rows - 1).map((job, i) => {
        const line = `${hidden.has(job.id) ? '[ ]' : '[x]'} ${jobPrefixColor(paint, job.id)(job.id)}  ${jobStatus(job)}  ${Math.max(job.lastSeq, job.meta?.lines ?? 0)} lines`
        return (
          <Text key={job.id} wrap="truncate-end">
            {first + i === cursor ? ui.inverse('>') : ' '} {line}
          </Text>
        )
      })}
    </Box>
  )
}
