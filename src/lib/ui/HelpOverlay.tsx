import React from 'react'
import {Box, Text} from 'ink'

export const KEYS: Array<[string, string]> = [
  ['↑ ↓  PgUp PgDn', 'scroll (scrolling up pauses following)'],
  ['g  Home / G  End', 'first line / newest line (resumes following)'],
  ['space', 'pause / resume following'],
  ['/', 'search (Enter: go, Esc: cancel); regex or text, smart case'],
  ['n / N', 'next / previous match'],
  ['e / E', 'next / previous error'],
  ['l', 'cycle level filter: all, debug+, info+, warn+, error+'],
  ['t', 'timestamps on/off'],
  ['w', 'wrap / cut long lines'],
  ['j', 'job list: show or hide jobs (several jobs)'],
  ['s', 'save what is shown to a file'],
  ['z / Z', 'fold / unfold the section at the cursor / all sections'],
  ['] / [', 'next / previous section'],
  ['Esc', 'clear the search'],
  ['q  Ctrl-C', 'quit'],
]

/**
 * One row per key, never shrunk: in a terminal too short for all of them the rows that do
 * not fit are clipped at the bottom. (Shrunk by the layout, rows of no height were drawn
 * over their neighbours and left the ends of longer ones on screen.)
 */
export function HelpOverlay({rows}: {rows: number}): React.ReactElement {
  return (
    <Box flexDirection="column" height={rows} overflow="hidden" paddingLeft={2}>
      <Box flexShrink={0}>
        <Text bold wrap="truncate-end">
          logs tail — keys (any key closes this help)
        </Text>
      </Box>
      {KEYS.map(([keys, what]) => (
        <Box key={keys} flexShrink={0}>
          <Text wrap="truncate-end">
            {keys.padEnd(20)} {what}
          </Text>
        </Box>
      ))}
    </Box>
  )
}
