/** The viewer's DOM: toolbar, list area, "N new lines" button and status line. No behaviour here. */
import {jobPath} from './api.js'
import {h} from './dom.js'

export interface ViewerControls {
  root: HTMLElement
  search: HTMLInputElement
  previous: HTMLButtonElement
  next: HTMLButtonElement
  matchCount: HTMLElement
  level: HTMLSelectElement
  timestamps: HTMLInputElement
  wrap: HTMLInputElement
  followButton: HTMLButtonElement
  download: HTMLAnchorElement
  /** The job's phase and progress (hidden while it reports none). */
  phase: HTMLElement
  phaseName: HTMLElement
  progress: HTMLProgressElement
  progressText: HTMLElement
  scroller: HTMLElement
  newLines: HTMLButtonElement
  connection: HTMLElement
  jobStatus: HTMLElement
  lineCount: HTMLElement
  message: HTMLElement
}

const LEVEL_CHOICES: [string, string][] = [
  ['', 'all levels'],
  ['debug', 'debug+'],
  ['info', 'info+'],
  ['warn', 'warn+'],
  ['error', 'error+'],
  ['fatal', 'fatal'],
]

export function buildViewer(jobId: string): ViewerControls {
  const search = h('input', {type: 'search', class: 'search', placeholder: 'Search ( / )', 'aria-label': 'Search', autocomplete: 'off', spellcheck: 'false'})
  const previous = h('button', {type: 'button', title: 'Previous match (Shift+Enter, N)', 'aria-label': 'Previous match'}, '↑')
  const next = h('button', {type: 'button', title: 'Next match (Enter, n)', 'aria-label': 'Next match'}, '↓')
  const matchCount = h('span', {class: 'match-count', 'aria-live': 'polite'})
  const level = h('select', {class: 'level', 'aria-label': 'Level filter'}, ...LEVEL_CHOICES.map(([value, label]) => h('option', {value}, label)))
  const timestamps = h('input', {type: 'checkbox', class: 'timestamps'})
  const wrap = h('input', {type: 'checkbox', class: 'wrap'})
  const followButton = h('button', {type: 'button', class: 'follow', title: 'Pause or follow the live tail (G follows)'}, 'Pause')
  const download = h('a', {class: 'download', href: `${jobPath(jobId)}/logs/download`, download: `${jobId}.log`}, 'Download')
  const phaseName = h('span', {class: 'phase-name'})
  const progress = h('progress', {class: 'progress', max: '100'})
  const progressText = h('span', {class: 'progress-text'})
  const phase = h('span', {class: 'phase', hidden: true, title: 'Phase and progress the job reports'}, phaseName, progress, progressText)
  const scroller = h('div', {class: 'scroller', tabindex: '0', role: 'log', 'aria-label': `Log of ${jobId}`})
  const newLines = h('button', {type: 'button', class: 'new-lines', hidden: true})
  const connection = h('span', {class: 'connection'})
  const jobStatus = h('span', {class: 'job-status'})
  const lineCount = h('span', {class: 'line-count'})
  const message = h('span', {class: 'message', 'aria-live': 'polite'})

  const root = h(
    'div',
    {class: 'viewer'},
    h(
      'header',
      {class: 'toolbar'},
      h('a', {class: 'home', href: '/', title: 'All jobs'}, 'logs'),
      h('h1', {class: 'job-id', title: jobId}, jobId),
      phase,
      h('span', {class: 'search-group'}, search, previous, next, matchCount),
      level,
      h('label', {class: 'toggle'}, timestamps, ' time'),
      h('label', {class: 'toggle'}, wrap, ' wrap'),
      followButton,
      download,
    ),
    h('main', {class: 'log-area'}, scroller, newLines),
    h('footer', {class: 'status-line'}, connection, jobStatus, lineCount, message),
  )
  return {
    root,
    search,
    previous,
    next,
    matchCount,
    level,
    timestamps,
    wrap,
    followButton,
    download,
    phase,
    phaseName,
    progress,
    progressText,
    scroller,
    newLines,
    connection,
    jobStatus,
    lineCount,
    message,
  }
}
