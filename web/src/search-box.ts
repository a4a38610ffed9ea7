/** The viewer's search box: searches as the user types (debounced), Enter/Shift+Enter and the arrows jump between matches, Escape goes back to the log. */
import type {ViewerControls} from './viewer-controls.js'

export interface SearchActions {
  /** The term searched now. */
  term(): string
  search(term: string): void
  /** Jumps to the next (1) or previous (-1) match once the search has found some. */
  jump(direction: 1 | -1): void
}

export function bindSearchBox(controls: ViewerControls, actions: SearchActions): void {
  const {search, previous, next} = controls
  let debounce: ReturnType<typeof setTimeout> | undefined
  search.addEventListener('input', () => {
    clearTimeout(debounce)
    debounce = setTimeout(() => actions.search(search.value), 200)
  })
  search.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault()
      clearTimeout(debounce)
      if (search.value !== actions.term()) actions.search(search.value)
      actions.jump(event.shiftKey ? -1 : 1)
    } else if (event.key === 'Escape') {
      search.blur()
      controls.scroller.focus()
    }
  })
  previous.addEventListener('click', () => actions.jump(-1))
  next.addEventListener('click', () => actions.jump(1))
}

/** `/`: the search box, its text selected. */
export function focusSearchBox(controls: ViewerControls): void {
  controls.search.focus()
  controls.search.select()
}
