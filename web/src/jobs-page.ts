/** `/`: the jobs the relay knows (live and archived), newest first, with their phase and progress, and a filter box. */
import {listJobs, type JobMeta} from './api.js'
import {formatAge, formatCount, h} from './dom.js'

const REFRESH_MS = 5000

export class JobsPage {
  private jobs: JobMeta[] = []
  private readonly filter: HTMLInputElement
  private readonly body: HTMLTableSectionElement
  private readonly summary: HTMLElement

  constructor(mount: HTMLElement) {
    document.title = 'jobs · logs'
    this.filter = h('input', {type: 'search', class: 'job-filter', placeholder: 'Filter jobs ( / )', 'aria-label': 'Filter jobs', autocomplete: 'off'})
    this.body = h('tbody')
    this.summary = h('p', {class: 'summary', 'aria-live': 'polite'})
    const logout = h('form', {method: 'post', action: '/logout', class: 'logout'}, h('button', {type: 'submit'}, 'Log out'))
    mount.replaceChildren(
      h(
        'div',
        {class: 'jobs-page'},
        h('header', {class: 'toolbar'}, h('a', {class: 'home', href: '/'}, 'logs'), h('h1', {}, 'Jobs'), this.filter, logout),
        h(
          'main',
          {class: 'jobs-area'},
          h(
            'table',
            {class: 'jobs'},
            h('thead', {}, h('tr', {}, ...['Job', 'Status', 'Phase', 'Lines', 'Updated', 'Where'].map((title) => h('th', {scope: 'col'}, title)))),
            this.body,
          ),
          this.summary,
        ),
      ),
    )
    this.filter.addEventListener('input', () => this.render())
    document.addEventListener('keydown', (event) => {
      if (event.key === '/' && document.activeElement !== this.filter) {
        event.preventDefault()
        this.filter.focus()
      }
    })
    void this.refresh()
  }

  private async refresh(): Promise<void> {
    try {
      this.jobs = (await listJobs()).sort((a, b) => b.updatedAt - a.updatedAt)
      this.render()
    } catch (error) {
      this.summary.textContent = `cannot list jobs: ${(error as Error).message}`
    }
    setTimeout(() => void this.refresh(), document.hidden ? REFRESH_MS * 6 : REFRESH_MS)
  }

  private render(): void {
    const words = this.filter.value.trim().toLowerCase().split(/\s+/).filter(Boolean)
    const shown = this.jobs.filter((job) => {
      const text = `${job.id} ${job.status} ${job.location.kind}`.toLowerCase()
      return words.every((word) => text.includes(word))
    })
    const now = Date.now()
    this.body.replaceChildren(
      ...shown.map((job) =>
        h(
          'tr',
          {'data-job': job.id},
          h('td', {class: 'id'}, h('a', {href: `/jobs/${encodeURIComponent(job.id)}`}, job.id)),
          h('td', {}, h('span', {class: `badge status-${job.status}`}, job.exitCode !== undefined ? `${job.status} (${job.exitCode})` : job.status)),
          h('td', {class: 'phase'}, `${job.phase ?? ''}${job.phase !== undefined && job.progress !== undefined ? ' ' : ''}${job.progress === undefined ? '' : `${job.progress}%`}`),
          h('td', {class: 'num'}, formatCount(job.lines)),
          h('td', {title: new Date(job.updatedAt).toISOString()}, formatAge(job.updatedAt, now)),
          h('td', {}, job.location.kind === 'archived' ? 'archived' : 'live'),
        ),
      ),
    )
    this.summary.textContent = this.jobs.length === 0 ? 'No jobs yet. Push one: some-command | logs push --job NAME' : `${shown.length} of ${this.jobs.length} jobs`
  }
}
