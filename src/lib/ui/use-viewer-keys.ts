import type {RefObject} from 'react'
import {useInput, type Key} from 'ink'
import {handleKey, type KeyContext} from './viewer-keys.js'
import type {ViewerState} from './viewer-state.js'

/**
 * Routes key presses to the viewer's key map. The state is read from a ref at each key,
 * not captured at render: several keys can arrive between two renders. Text that comes
 * in one chunk (a paste, a fast typist, tmux send-keys) is handled one key at a time.
 * ink's useInput sets raw mode and removes its listener on unmount.
 */
export function useViewerKeys(state: RefObject<ViewerState>, context: KeyContext): void {
  useInput((input, key) => {
    if (input.length <= 1 || key.ctrl || key.meta) return handleKey(state.current, ...asKey(input, key), context)
    for (const char of input) handleKey(state.current, ...asKey(char, key), context)
  })
}

/** Enter is `\r` in raw mode but `\n` from a terminal that maps CR to NL, and from Ctrl+J: both submit. */
function asKey(input: string, key: Key): [string, Key] {
  if (input === '\r' || input === '\n') return ['', {...key, return: true}]
  if (input === '\u007F' || input === '\b') return ['', {...key, backspace: true}]
  return [input, key]
}
