import type {RefObject} from 'react'
import {useInput} from 'ink'
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
    if (input.length <= 1 || key.ctrl || key.meta) return handleKey(state.current, input, key, context)
    for (const char of input)
      handleKey(state.current, char === '\r' ? '' : char, char === '\r' ? {...key, return: true} : char === '\u007F' ? {...key, backspace: true} : key, context)
  })
}
