/**
 * A stable colour per job: the same id gets the same colour in every run and in both
 * the plain printer and the viewer, so people learn to recognise their jobs.
 */
import type {ChalkInstance} from 'chalk'

/** Ink/chalk colour names; red and yellow are left out because they mean error and warn. */
export const JOB_COLORS = ['cyan', 'green', 'magenta', 'blue', 'cyanBright', 'greenBright', 'magentaBright', 'blueBright'] as const
export type JobColor = (typeof JOB_COLORS)[number]

export function jobColor(id: string): JobColor {
  let hash = 2_166_136_261 // FNV-1a: cheap and well spread for short ids
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i)
    hash = Math.imul(hash, 16_777_619)
  }
  return JOB_COLORS[(hash >>> 0) % JOB_COLORS.length]
}

export function jobPrefixColor(chalk: ChalkInstance, id: string): (text: string) => string {
  return chalk[jobColor(id)]
}

/** Pads job ids to a common width so that the lines after the prefixes line up. */
export function padJobId(id: string, width: number): string {
  return id.length >= width ? id : id + ' '.repeat(width - id.length)
}
