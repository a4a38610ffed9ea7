/**
 * `/jobs/:id`: the log viewer.
 *
 *   getJob ──► total lines ──► VirtualList ◄── rows from EntryCache (pages from history)
 *                 │                    ▲
 *   LiveStream (SSE after=total) ──────┴── EntryCache.put, level filter scan, search scan
 *
 * Without a level filter, row i is seq i+1 (sequence numbers are gapless), so nothing but
 * the visible pages is ever fetched. A level filter or a search asks the relay for the
 * matching entries (EntryScan) and keeps them current from the stream.
 *
 * Sections (from the job's metadata, refreshed by `status` events) fold: a folded
 * section's lines are left out of the rows (SectionFolds maps rows to seqs over the
 * hidden ranges), its header stays. With a level filter the filtered lines are shown flat.
 */
import {metaOfStatusEvent} from '../../src/lib/job.js'
import {levelRank} from '../../src/lib/level.js'
import {NO_FOLDS, SectionFolds, isFolded, withFold, type FoldChoices} from '../../src/lib/structure/folds.js'
import {caseInsensitivePattern, getHistory, getJob, HttpError, type EntryRecord, type JobMeta, type JobStatusEvent, type Level} from './api.js'
import {formatCount} from './dom.js'
import {EntryCache} from './entry-cache.js'
import {EntryScan} from './entry-scan.js'
import {bindViewerKeys} from './viewer-keys.js'
import {LiveStream, type StreamState} from './live-stream.js'
import {renderRow} from './row-view.js'
import {bindSearchBox, focusSearchBox} from './search-box.js'
import {SectionsLoader} from './sections-loader.js'
import {failureText, renderJobHeader} from './status-view.js'
import {buildViewer, type ViewerControls} from './viewer-controls.js'
import {VirtualList} from './virtual-list.js'

const WAITING = 'no such job yet: waiting for it to start'

export class ViewerPage {
  readonly controls: ViewerControls
  private meta: JobMeta | undefined
  private total = 0
  private readonly cache: EntryCache
  private readonly sections: SectionsLoader
  private readonly list: VirtualList
  private stream: LiveStream | undefined
  private filter: EntryScan | undefined
  private search: EntryScan | undefined
  private searchTerm = ''
  private target = 0
  private currentMatch = 0
  private countAtPause = 0
  private streamState: StreamState = 'connecting'
  /** The line count when the page opened: the stream starts after it. */
  private initialAfter = 0
  private foldChoices: FoldChoices = NO_FOLDS
  private folds: SectionFolds | undefined
  /** The connection states seen, oldest first (the last few): lets tests see a reconnect happened. */
  private readonly states: StreamState[] = []

  constructor(
    private readonly jobId: string,
    mount: HTMLElement,
  ) {
    this.controls = buildViewer(jobId)
    mount.replaceChildren(this.controls.root)
    document.title = `${jobId} · logs`
    this.sections = new SectionsLoader(
      jobId,
      (sections) => {
        if (!this.meta) return
        this.meta = {...this.meta, sections}
        this.setFolds(this.foldChoices)
        this.renderStatus()
      },
      (error) => this.say(`cannot load the sections: ${error.message}`),
    )
    this.cache = new EntryCache({
      load: (after, limit) => getHistory(jobId, {after, limit}),
      onLoaded: () => this.list.invalidate(),
      onUnreadable: (what) => this.say(`part of the job could not be read: ${what.join('; ')}`),
      onFailure: (failure) => this.say(failureText(failure)),
    })
    this.list = new VirtualList(
      this.controls.scroller,
      {count: () => this.rowCount(), render: (index) => this.renderIndex(index)},
      {onFollowChange: (following) => this.onFollowChange(following)},
    )
    this.bindControls()
    bindViewerKeys(this)
    void this.start()
  }

  /** For tests and benchmarks: what the page holds and shows. */
  stats() {
    return {
      total: this.total,
      held: this.cache.held(),
      rows: this.rowCount(),
      gaps: this.stream?.gaps ?? 0,
      lastSeq: this.stream?.lastSeq ?? 0,
      received: this.stream?.received ?? 0,
      initialAfter: this.initialAfter,
      duplicates: this.stream?.duplicates ?? 0,
      states: [...this.states],
      state: this.streamState,
      following: this.list.following,
    }
  }

  /** `z`, or a click on a header: folds or unfolds the innermost section around the line (default: the top of the view). */
  toggleSection(seq = this.anchorSeq() + 1): void {
    const section = this.folds?.around(seq)
    if (!section) {
      this.say('no section here')
      return
    }
    const folded = isFolded(this.jobId, section, this.foldChoices)
    this.setFolds(withFold(this.foldChoices, this.jobId, section, !folded))
    this.say(`${folded ? 'unfolded' : 'folded'} ${section.title || section.name}`)
  }

  /** `Z`: every section folded, or every one unfolded when all are folded already. */
  toggleAllSections(): void {
    if (!this.folds) {
      this.say('the job has no sections')
      return
    }
    const fold = this.folds.anyOpen()
    this.setFolds({overrides: new Map(), all: fold})
    this.say(fold ? 'all sections folded' : 'all sections unfolded')
  }

  readonly focusSearch = () => focusSearchBox(this.controls)
  readonly scrollRows = (rows: number) => this.list.scrollBy(rows)
  readonly top = () => this.list.scrollToIndex(0)
  readonly bottom = () => this.list.follow()

  /** Next (or previous) search match after the current one, wrapping around. */
  jumpToMatch(direction: 1 | -1): void {
    const matches = this.search?.entries
    if (!matches || matches.length === 0) {
      this.say(this.searchTerm ? 'no matches' : '')
      return
    }
    // From the current match while it is in view, else from the top line of the view (a match there counts as next).
    const search = this.search!
    const current = this.currentMatchInView()
    const after = search.indexAtOrAfter((current || this.anchorSeq()) + 1)
    let index = direction === 1 ? after : (current ? search.indexAtOrAfter(current) : after) - 1
    const wrapped = index < 0 || index >= matches.length
    if (index >= matches.length) index = 0
    if (index < 0) index = matches.length - 1
    this.currentMatch = matches[index].seq
    this.say(wrapped ? 'search wrapped' : '')
    this.scrollToSeq(this.currentMatch)
    this.updateMatchCount(index)
  }

  /** `e`: the next error (or fatal) line after the current position, asked of the relay. */
  async nextError(): Promise<void> {
    let entry: EntryRecord | undefined
    try {
      entry = (await getHistory(this.jobId, {level: 'error', after: this.currentMatchInView() || this.anchorSeq(), limit: 1})).entries[0]
    } catch (error) {
      this.say(`cannot look for errors: ${(error as Error).message}`)
      return
    }
    if (!entry) {
      this.say('no error after this line')
      return
    }
    this.cache.put([entry])
    this.currentMatch = entry.seq
    this.say(`error at line ${formatCount(entry.seq)}`)
    this.scrollToSeq(entry.seq)
  }

  private async start(): Promise<void> {
    try {
      this.meta = await getJob(this.jobId)
      this.total = this.meta.lines
      this.setFolds(this.foldChoices)
    } catch (error) {
      if (!(error instanceof HttpError) || error.status !== 404) {
        this.say(`cannot load the job: ${(error as Error).message}`)
        return
      }
      this.say(WAITING)
    }
    this.renderStatus()
    this.applyHash()
    this.list.invalidate()
    this.initialAfter = this.total
    this.stream = new LiveStream(this.jobId, this.total, {
      onEntries: (entries) => this.onEntries(entries),
      onStatus: (event) => this.onStatus(event),
      onUnreadable: (block) => this.cache.putUnreadable(block),
      onFailed: (failure) => this.say(failureText(failure)),
      onState: (state) => {
        this.streamState = state
        this.states.push(state)
        if (this.states.length > 20) this.states.shift()
        this.renderStatus()
      },
    })
    this.stream.start()
    window.addEventListener('hashchange', () => this.applyHash())
  }

  /** A status event has no sections, only their count: they are fetched when that changed. */
  private onStatus(event: JobStatusEvent): void {
    const sectionsChanged = this.sections.onStatus(event, this.meta)
    this.meta = metaOfStatusEvent(event, this.meta?.sections)
    if (event.lines > this.total) this.total = event.lines
    this.renderStatus()
    this.list.invalidate()
    if (sectionsChanged) void this.sections.load()
  }

  private onEntries(entries: EntryRecord[]): void {
    if (this.controls.message.textContent === WAITING) this.say('')
    this.cache.put(entries)
    this.filter?.add(entries)
    this.search?.add(entries)
    const last = entries[entries.length - 1].seq
    if (last > this.total) this.total = last
    this.renderStatus()
    this.list.invalidate()
  }

  /** New sections (a status event) or new choices: the rows again, the same line kept at the top when paused. */
  private setFolds(choices: FoldChoices): void {
    const top = this.list.following || this.filter ? 0 : this.anchorSeq() + 1
    this.foldChoices = choices
    const sections = this.meta?.sections ?? []
    this.folds = sections.length > 0 ? new SectionFolds(this.jobId, sections, choices) : undefined
    if (top > 0) this.list.scrollToIndex(this.rowOf(top))
    this.list.invalidate()
  }

  private rowCount(): number {
    if (this.filter) return this.filter.entries.length
    return this.folds ? this.folds.shown(this.total) : this.total
  }

  /** The row a seq is on without a filter: its own, or its folded section's header's. */
  private rowOf(seq: number): number {
    return this.folds ? this.folds.indexOf(seq) : seq - 1
  }

  private renderIndex(index: number): HTMLElement {
    const options = {timestamps: this.controls.timestamps.checked, highlight: this.searchTerm, target: this.target, currentMatch: this.currentMatch}
    if (this.filter) {
      const entry = this.filter.entries[index]
      return renderRow(entry.seq, entry, {...options, section: this.folds?.startingAt(entry.seq)})
    }
    const seq = this.folds ? this.folds.seqAt(index) : index + 1
    return renderRow(seq, this.cache.get(seq), {...options, section: this.folds?.startingAt(seq)})
  }

  /** Where "next" searches start from: the line at the top of the view. */
  private anchorSeq(): number {
    const index = this.list.topIndex()
    // The seq just before the top row, so that "after" it starts at the top row.
    if (this.filter) return (this.filter.entries[index]?.seq ?? 1) - 1
    return this.folds ? this.folds.seqAt(index) - 1 : index
  }

  /** The current match's seq when its row is on screen (else 0: the user has moved on). */
  private currentMatchInView(): number {
    if (!this.currentMatch) return 0
    const index = this.filter ? this.filter.indexAtOrAfter(this.currentMatch) : this.rowOf(this.currentMatch)
    const top = this.list.topIndex()
    return index >= top && index < top + this.list.visibleRows() ? this.currentMatch : 0
  }

  /** Scrolls a line into view; a line in a folded section unfolds the sections around it. */
  private scrollToSeq(seq: number): void {
    if (!this.filter && this.folds?.hides(seq)) {
      let choices = this.foldChoices
      for (const section of this.folds.enclosing(seq)) if (section.firstSeq !== seq) choices = withFold(choices, this.jobId, section, false)
      this.setFolds(choices)
    }
    this.list.scrollToIndex(this.filter ? this.filter.indexAtOrAfter(seq) : this.rowOf(seq))
  }

  private applyHash(): void {
    const match = /^#L(\d+)$/.exec(location.hash)
    if (!match) return
    this.target = Number(match[1])
    this.scrollToSeq(this.target)
  }

  private bindControls(): void {
    const {level, timestamps, wrap, followButton, newLines} = this.controls
    bindSearchBox(this.controls, {
      term: () => this.searchTerm,
      search: (term) => this.setSearch(term),
      jump: (direction) => this.whenSearched(() => this.jumpToMatch(direction)),
    })
    level.addEventListener('change', () => this.setLevel(level.value))
    timestamps.addEventListener('change', () => this.list.invalidate())
    wrap.addEventListener('change', () => {
      this.controls.root.classList.toggle('wrapped', wrap.checked)
      this.list.setWrapped(wrap.checked)
    })
    followButton.addEventListener('click', () => (this.list.following ? this.list.pause() : this.list.follow()))
    newLines.addEventListener('click', () => this.list.follow())
    this.controls.scroller.addEventListener('click', (event) => {
      const fold = (event.target as Element).closest('.fold')
      const seq = Number(fold?.closest<HTMLElement>('.row')?.dataset.seq)
      if (fold && seq > 0) this.toggleSection(seq)
    })
  }

  /** Runs `then` once the search scan has found its first matches (or finished). */
  private whenSearched(then: () => void): void {
    const search = this.search
    if (!search || !search.scanning || search.entries.length > 0) return then()
    setTimeout(() => this.whenSearched(then), 50)
  }

  private setSearch(value: string): void {
    const term = value.trim().toLowerCase()
    if (term === this.searchTerm) return
    this.search?.close()
    this.search = undefined
    this.searchTerm = term
    this.currentMatch = 0
    if (term) this.search = this.newScan(caseInsensitivePattern(term))
    this.updateMatchCount(-1)
    this.list.invalidate()
  }

  private setLevel(value: string): void {
    const anchor = this.list.following ? 0 : this.anchorSeq()
    this.filter?.close()
    this.filter = value ? this.newScan(undefined) : undefined
    this.search?.close() // the search scans the lines the filter lets through
    this.search = this.searchTerm ? this.newScan(caseInsensitivePattern(this.searchTerm)) : undefined
    if (anchor) this.scrollToSeq(anchor)
    this.list.invalidate()
    this.renderStatus() // " · N shown" goes with the filter; a new scan's count comes with its onChange
  }

  private newScan(grep: string | undefined): EntryScan {
    const level = this.controls.level.value
    const minimum = level ? levelRank(level as Level) : -1
    const pattern = grep === undefined ? undefined : new RegExp(grep)
    let dropped = 0
    const scan: EntryScan = new EntryScan({
      jobId: this.jobId,
      query: {level: level || undefined, grep},
      matches: (entry) => (minimum < 0 || (entry.level !== null && levelRank(entry.level) >= minimum)) && (!pattern || pattern.test(entry.line)),
      onChange: () => {
        // The filtered rows lost some at the front: keep the same lines in view.
        if (scan === this.filter && scan.dropped !== dropped) this.list.shiftRows(dropped - scan.dropped)
        dropped = scan.dropped
        this.updateMatchCount(-1)
        this.renderStatus()
        this.list.invalidate()
      },
      onFailure: (failure) => this.say(failureText(failure)),
    })
    return scan
  }

  private updateMatchCount(index: number): void {
    const search = this.search
    if (!search) {
      this.controls.matchCount.textContent = ''
      return
    }
    const total = `${formatCount(search.entries.length)}${search.scanning ? '+' : ''}`
    const position = index >= 0 ? index + 1 : this.currentMatch ? search.indexAtOrAfter(this.currentMatch) + 1 : 0
    this.controls.matchCount.textContent = position > 0 ? `${formatCount(position)}/${total}` : `${total} matches`
  }

  private onFollowChange(following: boolean): void {
    this.controls.followButton.textContent = following ? 'Pause' : 'Follow'
    this.controls.followButton.classList.toggle('paused', !following)
    if (!following) this.countAtPause = this.rowCount()
    this.renderStatus()
  }

  private renderStatus(): void {
    const {connection, lineCount, newLines} = this.controls
    connection.textContent = this.streamState
    connection.dataset.state = this.streamState
    renderJobHeader(this.controls, this.meta)
    const filter = this.filter
    const shown = filter ? ` · ${filter.dropped > 0 ? 'last ' : ''}${formatCount(filter.entries.length)}${filter.scanning ? '…' : ''} shown` : ''
    lineCount.textContent = `${formatCount(this.total)} lines${shown}`
    const fresh = this.list.following ? 0 : this.rowCount() - this.countAtPause
    newLines.hidden = fresh <= 0
    newLines.textContent = `↓ ${formatCount(fresh)} new line${fresh === 1 ? '' : 's'}`
  }

  private say(text: string): void {
    this.controls.message.textContent = text
  }
}
