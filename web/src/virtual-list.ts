/**
 * A virtualised list: only the rows in view exist in the DOM, whatever the row count.
 *
 *   scroller (overflow-y: auto)
 *   ├── viewport (position: sticky; top: 0; the scroller's height) ── block ── rows in view
 *   └── spacer   (gives the scrollbar its range)
 *
 * The scroll range is capped (browsers cannot size an element 1 000 000 rows tall), so the
 * scrollbar maps to a row position, and wheel/keys move that position by rows directly.
 * At the bottom the list "follows": the last rows are drawn bottom-aligned and new rows
 * keep them in view. With wrapping on, rows are taller than one line; the row position
 * still decides which row is first, so scrolling stays exact.
 */

export interface RowSource {
  count(): number
  render(index: number): HTMLElement
}

export interface VirtualListEvents {
  onFollowChange: (following: boolean) => void
}

const MAX_SCROLL_PX = 8_000_000

export class VirtualList {
  following = true
  /** Row position of the top of the view when not following (fractional: sub-row offset). */
  private position = 0
  private rowHeight = 18
  /** Rows may be taller than one line (wrapping): then the scroll range runs to the last row. */
  private wrapped = false
  /** When following: the first row actually in view, measured at the last draw. */
  private followTop = 0
  /** The scroller's height, kept by a ResizeObserver: reading clientHeight after a draw would force a layout. */
  private height = 0
  private expectedScrollTop = -1
  private lastScrollTop = -1
  private frame = 0
  private readonly viewport: HTMLElement
  private readonly block: HTMLElement
  private readonly spacer: HTMLElement

  constructor(
    private readonly scroller: HTMLElement,
    private readonly source: RowSource,
    private readonly events: VirtualListEvents,
  ) {
    this.viewport = element('div', 'viewport')
    this.block = element('div', 'rows')
    this.spacer = element('div', 'spacer')
    this.viewport.append(this.block)
    scroller.replaceChildren(this.viewport, this.spacer)
    scroller.addEventListener('scroll', () => this.onScroll(), {passive: true})
    scroller.addEventListener('wheel', (event) => this.onWheel(event), {passive: false})
    this.height = scroller.clientHeight
    new ResizeObserver(() => {
      this.height = scroller.clientHeight
      this.invalidate()
    }).observe(scroller)
    this.measureRowHeight()
  }

  /** Redraw on the next animation frame (many calls, one draw). */
  invalidate(): void {
    if (this.frame === 0) this.frame = requestAnimationFrame(() => this.draw())
  }

  /** Rows fully in view, at the one-line row height. */
  visibleRows(): number {
    return Math.max(1, Math.floor(this.height / this.rowHeight))
  }

  /** Index of the row at the top of the view. */
  topIndex(): number {
    const count = this.source.count()
    if (this.following) return Math.min(this.followTop, Math.max(0, count - 1))
    return Math.min(Math.floor(this.position), Math.max(0, count - 1))
  }

  follow(): void {
    this.setFollowing(true)
    this.invalidate()
  }

  pause(): void {
    if (!this.following) return
    this.position = this.topIndex()
    this.setFollowing(false)
    this.invalidate()
  }

  /** Scrolls so that the row is in view, a third of the way down (stops following). */
  scrollToIndex(index: number): void {
    this.position = Math.max(0, index - Math.floor(this.visibleRows() / 3))
    this.setFollowing(false)
    this.clampPosition()
    this.invalidate()
  }

  scrollBy(rows: number): void {
    if (this.following) {
      if (rows >= 0) return
      this.position = this.topIndex()
      this.setFollowing(false)
    }
    this.position += rows
    this.clampPosition()
    this.invalidate()
  }

  setWrapped(wrapped: boolean): void {
    this.wrapped = wrapped
    this.measureRowHeight()
  }

  /** Rows were removed above the view (or added): keep the same rows in view. */
  shiftRows(rows: number): void {
    if (this.following || rows === 0) return
    this.position = Math.max(0, this.position + rows)
    this.invalidate()
  }

  /** Row height changes with the font (and the wrap toggle changes what a row may hold). */
  measureRowHeight(): void {
    const probe = element('div', 'row')
    probe.textContent = 'M'
    probe.style.visibility = 'hidden'
    this.block.append(probe)
    this.rowHeight = probe.getBoundingClientRect().height || 18
    probe.remove()
    this.invalidate()
  }

  private maxPosition(): number {
    const count = this.source.count()
    return Math.max(0, this.wrapped ? count - 1 : count - this.visibleRows())
  }

  /** Scrolling to the end (or a list with nothing to scroll) means following again. */
  private clampPosition(): void {
    const max = this.maxPosition()
    if (this.position >= max) {
      this.position = max
      this.setFollowing(true)
    }
    if (this.position < 0) this.position = 0
  }

  private setFollowing(following: boolean): void {
    if (this.following === following) return
    this.following = following
    this.events.onFollowChange(following)
  }

  private onWheel(event: WheelEvent): void {
    if (event.deltaY === 0 || event.ctrlKey) return
    event.preventDefault()
    const rows =
      event.deltaMode === WheelEvent.DOM_DELTA_LINE
        ? event.deltaY
        : event.deltaMode === WheelEvent.DOM_DELTA_PAGE
          ? event.deltaY * this.visibleRows()
          : event.deltaY / this.rowHeight
    this.scrollBy(rows)
  }

  /** The scrollbar was dragged (or the page scrolled it): derive the row position from it. */
  private onScroll(): void {
    const top = this.scroller.scrollTop
    this.lastScrollTop = top
    if (Math.abs(top - this.expectedScrollTop) < 1) return
    const range = this.scroller.scrollHeight - this.height
    if (range <= 0 || top >= range - 1) {
      this.setFollowing(true)
    } else {
      this.position = (top / range) * this.maxPosition()
      this.setFollowing(false)
    }
    this.invalidate()
  }

  private draw(): void {
    this.frame = 0
    const count = this.source.count()
    const height = this.height
    const max = this.maxPosition()
    let range = Math.min(max * this.rowHeight, MAX_SCROLL_PX)
    this.viewport.style.height = `${height}px`

    const visible = this.visibleRows() + 2
    const first = this.following ? Math.max(0, count - visible) : Math.min(Math.floor(this.position), Math.max(0, count - 1))
    const last = Math.min(count, first + visible)
    const rows: HTMLElement[] = []
    for (let index = first; index < last; index++) rows.push(this.source.render(index))
    this.block.replaceChildren(...rows)

    if (this.following) {
      // Bottom-aligned, unless the rows do not fill the view. Rows of one line need no
      // measuring (which would force a layout every frame while lines stream in).
      const blockHeight = this.wrapped ? this.block.offsetHeight : rows.length * this.rowHeight
      const fill = blockHeight >= height
      this.block.style.top = fill ? '' : '0'
      this.block.style.bottom = fill ? '0' : ''
      this.block.style.transform = ''
      if (this.wrapped) {
        if (!fill) range = 0 // everything is in view: nothing to scroll
        const hidden = fill ? blockHeight - height : 0
        const firstInView = rows.findIndex((row) => row.offsetTop + row.offsetHeight > hidden)
        this.followTop = first + Math.max(0, firstInView)
      } else {
        this.followTop = Math.max(0, count - this.visibleRows())
      }
    } else {
      this.block.style.top = '0'
      this.block.style.bottom = ''
      this.block.style.transform = `translateY(${-(this.position - first) * this.rowHeight}px)`
    }
    this.spacer.style.height = `${range}px`
    // Written only when it changes, and never read back here: a read would force a layout.
    const scrollTop = this.following || max === 0 ? range : (this.position / max) * range
    if (Math.abs(this.lastScrollTop - scrollTop) >= 1) {
      this.scroller.scrollTop = scrollTop
      this.lastScrollTop = scrollTop
    }
    this.expectedScrollTop = scrollTop
  }
}

function element(tag: string, className: string): HTMLElement {
  const node = document.createElement(tag)
  node.className = className
  return node
}
