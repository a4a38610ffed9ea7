/** The flags `push` and `run` share, and how they become WriterOptions. */
import {Flags} from '@oclif/core'
import {DEFAULT_MAX_LINE_BYTES} from '../ingest/line-splitter.js'
import type {WriterOptions} from '../ingest/open-job-writer.js'
import {parseLabels} from '../labels.js'
import type {LiveStore} from '../store/types.js'
import {redactUrl} from '../store/url.js'
import {parseDuration} from '../time.js'

export const captureFlags = {
  job: Flags.string({char: 'j', description: 'job id: letters, digits, ".", "_", "-" (max 128)', env: 'LOGS_JOB', required: true}),
  label: Flags.string({description: 'label the job: key=value (repeatable)', multiple: true}),
  'flush-interval': Flags.string({description: 'object stores: gather lines this long per chunk object (default 10s)'}),
  'max-line-bytes': Flags.integer({description: 'split longer lines into continuation entries (raw output joins them back)', default: DEFAULT_MAX_LINE_BYTES, min: 1}),
  'drain-timeout': Flags.string({description: 'at the end, wait this long for an unreachable store before exiting 1 (lines stay spooled)', default: '60s'}),
}

export interface CaptureFlagValues {
  label?: string[]
  'flush-interval'?: string
  'max-line-bytes': number
  'drain-timeout': string
}

/** Validates the flags before any store is opened, so bad input writes nothing. */
export function captureOptions(flags: CaptureFlagValues): Omit<WriterOptions, 'onOutage' | 'onRecovered'> & {maxLineBytes: number} {
  return {
    labels: parseLabels(flags.label),
    maxLineBytes: flags['max-line-bytes'],
    batchInterval: flags['flush-interval'] ? parseDuration(flags['flush-interval'], '--flush-interval') : undefined,
    drainTimeout: parseDuration(flags['drain-timeout'], '--drain-timeout'),
  }
}

/** One line on stderr when the store becomes unreachable, one when it is back. */
export function outageNotices(store: LiveStore, log: (line: string) => void): Pick<WriterOptions, 'onOutage' | 'onRecovered'> {
  const name = redactUrl(store.name)
  return {
    onOutage: (error) => log(`logs: ${name} is unreachable (${error.message}); lines are kept in a local spool and retried`),
    onRecovered: () => log(`logs: ${name} is reachable again; delivering spooled lines`),
  }
}
