import React from 'react'
import {Box, Text} from 'ink'
import type {WindowLine} from './scroll.js'
import {lineParts, lineText, type LineStyle} from './line-view.js'

export interface LogAreaProps {
  lines: WindowLine[]
  rows: number
  style: LineStyle
  pattern: RegExp | undefined
  cursor: number | undefined
  empty: string
}

/**
 * The visible window only: the lines that fit, bottom-aligned; a wrapped first line
 * that does not fit entirely is clipped at the top, as in a terminal.
 */
export function LogArea({lines, rows, style, pattern, cursor, empty}: LogAreaProps): React.ReactElement {
  return (
    <Box flexDirection="column" height={rows} overflow="hidden" justifyContent="flex-end">
      {lines.length === 0 ? (
        <Text dimColor>{empty}</Text>
      ) : (
        lines.map(({position, item}) => (
          <Box key={position} flexShrink={0}>
            <Text wrap={style.wrap ? 'wrap' : 'truncate-end'}>{lineText(lineParts(item, style), style, pattern, position === cursor)}</Text>
          </Box>
        ))
      )}
    </Box>
  )
}
