import {useEffect, useState} from 'react'
import {useStdout} from 'ink'

export interface TerminalSize {
  columns: number
  rows: number
}

/** The terminal's size, updated on resize (the listener is removed on unmount). */
export function useTerminalSize(fixed?: TerminalSize): TerminalSize {
  const {stdout} = useStdout()
  const [size, setSize] = useState<TerminalSize>(fixed ?? sizeOf(stdout))
  useEffect(() => {
    if (fixed) return
    const onResize = (): void => setSize(sizeOf(stdout))
    stdout.on('resize', onResize)
    return () => {
      stdout.off('resize', onResize)
    }
  }, [stdout, fixed])
  return fixed ?? size
}

function sizeOf(stdout: NodeJS.WriteStream): TerminalSize {
  return {columns: stdout.columns || 80, rows: stdout.rows || 24}
}
