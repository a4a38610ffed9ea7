/**
 * What each key does in the viewer. Pure moves over the buffer; store reads (`g`, `G`
 * after paging back, scrolling past the oldest entry held, `e`/`E`/`n`/`N` past the
 * buffer) are started here and update the state when they land.
 */
import type {Key} from 'ink'
import type {LogEntry} from '../entry.js'
import type {Section} from '../job.js'
import {levelRank} from '../level.js'
import {stripAnsi} from '../level.js'
import {markerText} from '../structure/marker-text.js'
import {dropControls} from '../structure/markers.js'
import {isFolded, withFold, type Folds} from './folds.js'
import type {ViewEntry} from './log-buffer.js'
import {lineMatches, searchPattern} from './line-text.js'
import {findVisible, stepBack, stepForward, viewBottom, visibleAtOrAfter, visibleAtOrBefore, visibleWindow} from './scroll.js'
import {LEVEL_STEPS, type ViewerState} from './viewer-state.js'
import type {ViewerFeed} from './viewer-feed.js'

export interface KeyContext {
  feed: ViewerFeed
  /** Rows of the log area. */
  rows: number
  rowsOf: (item: ViewEntry) => number
  jobIds: string[]
  /** The jobs' sections as folded now. */
  folds: Folds
  update: (change: (state: ViewerState) => ViewerState) => void
  quit: () => void
  save: (state: ViewerState) => string
}

export function handleKey(state: ViewerState, input: string, key: Key, ctx: KeyContext): void {
  const {update} = ctx
  if (key.ctrl && input === 'c') return ctx.quit()
  if (state.draft !== undefined) return editSearch(state, input, key, ctx)
  if (state.overlay === 'help') return update((s) => ({...s, overlay: undefined, message: undefined}))
  if (state.overlay === 'jobs') return jobListKey(state, input, key, ctx)
  const clear = {message: undefined}
  const page = Math.max(1, ctx.rows - 1)
  if (key.upArrow) return scrollUp(state, 1, ctx)
  if (key.downArrow) return scrollDown(state, 1, ctx)
  if (key.pageUp || (key.ctrl && input === 'b')) return scrollUp(state, page, ctx)
  if (key.pageDown || (key.ctrl && input === 'f')) return scrollDown(state, page, ctx)
  if (key.end || input === 'G') return resume(ctx)
  if (key.home || input === 'g') return toStart(ctx)
  switch (input) {
    case 'q':
      return ctx.quit()
    case ' ':
      return state.anchor === undefined ? update((s) => ({...s, ...clear, anchor: bottomOf(ctx)})) : resume(ctx)
    case '/':
      return update((s) => ({...s, ...clear, draft: ''}))
    case 'n':
    case 'N':
      return jumpToMatch(state, input === 'n' ? 1 : -1, ctx)
    case 'e':
    case 'E':
      return jumpTo(state, input === 'e' ? 1 : -1, isError, 'error', ctx)
    case 'l':
      return update((s) => ({...s, ...clear, level: (s.level + 1) % LEVEL_STEPS.length}))
    case 't':
      return update((s) => ({...s, ...clear, timestamps: !s.timestamps}))
    case 'w':
      return update((s) => ({...s, ...clear, wrap: !s.wrap}))
    case '?':
      return update((s) => ({...s, ...clear, overlay: 'help'}))
    case 'j':
      return ctx.jobIds.length > 1 ? update((s) => ({...s, ...clear, overlay: 'jobs'})) : undefined
    case 's':
      return update((s) => ({...s, message: ctx.save(s)}))
    case 'z':
      return toggleSection(state, ctx)
    case 'Z':
      return toggleAll(ctx)
    case ']':
    case '[':
      return jumpTo(state, input === ']' ? 1 : -1, isSectionStart, 'section', ctx)
    default:
      if (key.escape) update((s) => ({...s, ...clear, query: '', cursor: undefined}))
  }
}

function isError(entry: LogEntry): boolean {
  return entry.level !== undefined && levelRank(entry.level) >= levelRank('error')
}

function isSectionStart(entry: LogEntry): boolean {
  const header = markerText(entry.line)
  return header !== undefined && (header.startsWith('▾') || header.startsWith('▸'))
}

/**
 * `z`: folds or unfolds the innermost section around the cursor (the line `n`/`e`/`]` last
 * landed on), else around the bottom line of the view; the cursor moves to its header,
 * which stays in view.
 */
function toggleSection(state: ViewerState, ctx: KeyContext): void {
  const {buffer} = ctx.feed
  const position = state.cursor ?? currentBottom(state, ctx)
  const item = position === undefined ? undefined : buffer.ring.get(position)
  const section = item && ctx.folds.around(item)
  if (!item || !section) return ctx.update((s) => ({...s, message: 'no section here: ] and [ go to the next and previous section'}))
  const folded = isFolded(item.job, section, ctx.folds.choices)
  let header: number | undefined
  for (let p = position!; p >= buffer.ring.start && header === undefined; p--) {
    const candidate = buffer.ring.get(p)!
    if (candidate.job === item.job && candidate.entry.seq === section.firstSeq) header = p
    if (candidate.job === item.job && candidate.entry.seq < section.firstSeq) break
  }
  const title = section.title || section.name
  ctx.update((s) => ({
    ...s,
    folds: withFold(s.folds, item.job, section, !folded),
    cursor: header ?? s.cursor,
    anchor: folded && header !== undefined && s.anchor !== undefined ? Math.max(s.anchor, unfoldedBottom(header, section, ctx)) : s.anchor,
    message: `${folded ? 'unfolded' : 'folded'} ${title}`,
  }))
}

/** While paused, an unfolded section's lines come into view below its header (as many as fit). */
function unfoldedBottom(header: number, section: Section, ctx: KeyContext): number {
  const {ring} = ctx.feed.buffer
  const job = ring.get(header)!.job
  const last = section.end === undefined ? Number.POSITIVE_INFINITY : section.lastSeq
  let bottom = header
  for (let p = header + 1; p < ring.end && p - header < ctx.rows - 1; p++) {
    const item = ring.get(p)!
    if (item.job !== job) continue
    if (item.entry.seq > last) break
    bottom = p
  }
  return bottom
}

/** `Z`: every section folded, or every one unfolded when all are folded already. */
function toggleAll(ctx: KeyContext): void {
  if (ctx.folds.empty) return ctx.update((s) => ({...s, message: 'the job has no sections'}))
  const fold = ctx.folds.anyOpen()
  ctx.update((s) => ({...s, folds: {overrides: new Map(), all: fold}, message: fold ? 'all sections folded' : 'all sections unfolded'}))
}

function bottomOf(ctx: KeyContext): number | undefined {
  return visibleAtOrBefore(ctx.feed.buffer)
}

function currentBottom(state: ViewerState, ctx: KeyContext): number | undefined {
  return viewBottom(ctx.feed.buffer, state.anchor)
}

function scrollUp(state: ViewerState, count: number, ctx: KeyContext): void {
  const bottom = currentBottom(state, ctx)
  if (bottom === undefined) return
  const {position} = stepBack(ctx.feed.buffer, bottom, count)
  ctx.update((s) => ({...s, message: undefined, anchor: position}))
  prefetchOlder(position, ctx)
}

/** Reads the page before the buffer once the view comes within two screens of its oldest entry. */
function prefetchOlder(bottom: number, ctx: KeyContext): void {
  const {feed} = ctx
  if (feed.atStart || feed.loading) return
  const {lines} = visibleWindow(feed.buffer, bottom, ctx.rows, ctx.rowsOf)
  const top = lines[0]?.position ?? bottom
  if (stepBack(feed.buffer, top, ctx.rows * 2).atEdge) void feed.loadOlder()
}

function scrollDown(state: ViewerState, count: number, ctx: KeyContext): void {
  if (state.anchor === undefined) return
  const bottom = currentBottom(state, ctx)
  if (bottom === undefined) return
  const {position} = stepForward(ctx.feed.buffer, bottom, count)
  ctx.update((s) => ({...s, message: undefined, anchor: position}))
  // After paging back, the buffer may end before the newest line: read on as the view nears its end.
  if (!ctx.feed.buffer.attached && !ctx.feed.loading && stepForward(ctx.feed.buffer, position, ctx.rows * 2).atEdge) void ctx.feed.loadNewer()
}

function resume(ctx: KeyContext): void {
  ctx.feed.setPaused(false)
  ctx.update((s) => ({...s, message: undefined, anchor: undefined, cursor: undefined}))
  if (!ctx.feed.buffer.attached) void ctx.feed.jumpToNewest()
}

function toStart(ctx: KeyContext): void {
  const showTop = (): void => {
    const buffer = ctx.feed.buffer
    const top = visibleAtOrAfter(buffer, buffer.ring.start)
    if (top === undefined) return
    const {position} = stepForward(buffer, top, Math.max(0, ctx.rows - 1))
    ctx.update((s) => ({...s, message: undefined, anchor: position}))
  }
  showTop()
  void ctx.feed.jumpToStart().then((loaded) => loaded && showTop())
}

/** Puts `position` on screen: unchanged view when it already is, else about a third from the top. */
function reveal(state: ViewerState, position: number, ctx: KeyContext): number {
  const bottom = currentBottom(state, ctx)
  if (bottom !== undefined) {
    const {lines} = visibleWindow(ctx.feed.buffer, bottom, ctx.rows, ctx.rowsOf)
    if (lines.length > 1 && position > lines[0].position && position <= bottom) return bottom
  }
  return stepForward(ctx.feed.buffer, position, Math.floor((ctx.rows * 2) / 3)).position
}

/**
 * e/E and n/N. With one job the whole job is searched: the buffer from the cursor on,
 * then the store beyond it (read a page at a time, the page around the find loaded);
 * only when the store has nothing further does a forward search wrap within the buffer.
 * With several jobs the buffer is the history and the search wraps within it.
 */
function jumpTo(state: ViewerState, direction: 1 | -1, test: (entry: LogEntry) => boolean, what: string, ctx: KeyContext): void {
  const {feed} = ctx
  const matches = (item: ViewEntry) => test(item.entry)
  const bottom = currentBottom(state, ctx)
  const top = bottom === undefined ? undefined : (visibleWindow(feed.buffer, bottom, ctx.rows, ctx.rowsOf).lines[0]?.position ?? bottom)
  const from = state.cursor ?? (bottom === undefined ? undefined : direction === 1 ? top! - 1 : bottom + 1)
  const paged = feed.pageJob !== undefined
  const found = findVisible(feed.buffer, from, direction, matches, !paged)
  if (found !== undefined) return ctx.update((s) => ({...s, message: undefined, cursor: found, anchor: reveal(s, found, ctx)}))
  const beyond = direction === -1 ? !feed.atStart : !feed.buffer.attached
  if (!paged || !beyond) {
    // Nothing further in the store: a forward search starts again at the top of the buffer.
    const wrapped = direction === 1 && paged ? findVisible(feed.buffer, undefined, 1, matches) : undefined
    if (wrapped !== undefined) return ctx.update((s) => ({...s, message: `${what}: continued from the top`, cursor: wrapped, anchor: reveal(s, wrapped, ctx)}))
    return ctx.update((s) => ({...s, message: (paged ? `no ${what} ${direction === 1 ? 'below' : 'above'}` : `no ${what} in the buffer`) + foldedHint(ctx)}))
  }
  feed.setPaused(true)
  ctx.update((s) => ({...s, message: `searching the job for ${what}…`, anchor: s.anchor ?? bottomOf(ctx)}))
  void feed.findInStore(direction, test).then((seq) => {
    const at = seq === undefined ? undefined : findVisible(feed.buffer, undefined, 1, (item) => item.entry.seq === seq)
    if (at === undefined) return ctx.update((s) => ({...s, message: feed.error ?? `no ${what} ${direction === 1 ? 'below' : 'above'}${foldedHint(ctx)}`}))
    ctx.update((s) => ({...s, message: undefined, cursor: at, anchor: stepForward(feed.buffer, at, Math.floor((ctx.rows * 2) / 3)).position}))
  })
}

/** Searches skip the lines of folded sections: say so where that may be why nothing was found. */
function foldedHint(ctx: KeyContext): string {
  return ctx.folds.anyFolded() ? ' outside folded sections (Z unfolds them all)' : ''
}

function jumpToMatch(state: ViewerState, direction: 1 | -1, ctx: KeyContext): void {
  const pattern = searchPattern(state.query)
  if (!pattern) return ctx.update((s) => ({...s, message: 'no search: press / to search'}))
  jumpTo(state, direction, (entry) => lineMatches(stripAnsi(entry.line), pattern), `match for ${state.query}`, ctx)
}

function editSearch(state: ViewerState, input: string, key: Key, ctx: KeyContext): void {
  const draft = state.draft ?? ''
  if (key.escape) return ctx.update((s) => ({...s, draft: undefined}))
  if (key.return) {
    const next = {...state, draft: undefined, query: draft, cursor: undefined}
    ctx.update(() => next)
    // Enter lands on the newest match at or above the bottom of the view.
    if (draft !== '') jumpToMatch(next, -1, ctx)
    return
  }
  if (key.backspace || key.delete) return ctx.update((s) => ({...s, draft: draft.slice(0, -1)}))
  // A paste can carry tabs and other control characters: they have no place in a one-line search.
  const text = dropControls(input)
  if (text && !key.ctrl && !key.meta) ctx.update((s) => ({...s, draft: draft + text}))
}

function jobListKey(state: ViewerState, input: string, key: Key, ctx: KeyContext): void {
  const count = ctx.jobIds.length
  if (key.escape || input === 'j' || input === 'q') return ctx.update((s) => ({...s, overlay: undefined}))
  if (key.upArrow) return ctx.update((s) => ({...s, jobCursor: (s.jobCursor - 1 + count) % count}))
  if (key.downArrow) return ctx.update((s) => ({...s, jobCursor: (s.jobCursor + 1) % count}))
  if (input === ' ' || key.return) {
    const id = ctx.jobIds[state.jobCursor]
    if (!id) return
    const hidden = new Set(state.hidden)
    if (hidden.has(id)) hidden.delete(id)
    else hidden.add(id)
    ctx.update((s) => ({...s, hidden}))
  }
}
