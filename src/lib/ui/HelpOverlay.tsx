import React from 'react'
import {Box, Text} from 'ink'

const KEYS: Array<[string, string]> = [
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

export function HelpOverlay({rows}: {rows: number}): React.ReactElement {
  return (
    <Box flexDirection="column" height={rows} overflow="hidden" paddingLeft={2}>
      <Text bold>logs tail — keys (any key closes this help)</Text>
      {KEYS.map(([keys, what]) => (
        <Text key={keys} wrap="truncate-end">
          {keys.padEnd(20)} {what}
        </Text>
      ))}
    </Box>
  )
}
