/** The viewer header's job status, phase and progress, as the job's metadata has them now; what the status line says of a failure. */
import type {JobMeta, RelayFailure} from './api.js'
import type {ViewerControls} from './viewer-controls.js'

export function renderJobHeader(controls: ViewerControls, meta: JobMeta | undefined): void {
  const {jobStatus, phase, phaseName, progress, progressText} = controls
  jobStatus.textContent = meta ? `job ${meta.status}${meta.exitCode !== undefined ? `, exit code ${meta.exitCode}` : ''}` : ''
  jobStatus.dataset.status = meta?.status ?? ''
  phase.hidden = meta?.phase === undefined && meta?.progress === undefined
  phaseName.textContent = meta?.phase ?? ''
  progress.hidden = meta?.progress === undefined
  progressText.textContent = meta?.progress === undefined ? '' : `${meta.progress}%`
  if (meta?.progress !== undefined) progress.value = meta.progress
}

/** An error the relay gives (a damaged live log): its message and what to do, as `logs get` prints them. */
export function failureText({error, hints = []}: RelayFailure): string {
  return [error, ...hints.map((hint) => `hint: ${hint}`)].join(' — ')
}
