/** Keyboard of the viewer: `/` search, `g`/`G` top/bottom, `e` next error, `n`/`N` matches, `z`/`Z` fold sections, paging keys. */

export interface KeyTarget {
  focusSearch(): void
  top(): void
  bottom(): void
  nextError(): Promise<void>
  jumpToMatch(direction: 1 | -1): void
  scrollRows(rows: number): void
  /** `z`: fold or unfold the section at the top of the view; `Z`: all of them. */
  toggleSection(): void
  toggleAllSections(): void
}

export function bindViewerKeys(target: KeyTarget & {controls: {scroller: HTMLElement}}): void {
  document.addEventListener('keydown', (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return
    const typing = event.target instanceof HTMLInputElement || event.target instanceof HTMLSelectElement || event.target instanceof HTMLTextAreaElement
    if (typing) return
    const page = Math.max(1, Math.floor(target.controls.scroller.clientHeight / 18) - 1)
    const actions: Record<string, () => void> = {
      '/': () => target.focusSearch(),
      g: () => target.top(),
      G: () => target.bottom(),
      e: () => void target.nextError(),
      n: () => target.jumpToMatch(1),
      N: () => target.jumpToMatch(-1),
      z: () => target.toggleSection(),
      Z: () => target.toggleAllSections(),
      j: () => target.scrollRows(1),
      k: () => target.scrollRows(-1),
      ArrowDown: () => target.scrollRows(1),
      ArrowUp: () => target.scrollRows(-1),
      PageDown: () => target.scrollRows(page),
      ' ': () => target.scrollRows(page),
      PageUp: () => target.scrollRows(-page),
      Home: () => target.top(),
      End: () => target.bottom(),
    }
    const action = actions[event.key]
    if (!action) return
    event.preventDefault()
    action()
  })
}
