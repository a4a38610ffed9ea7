/**
 * JobMeta ⇄ the job's `meta` hash. Counters are plain integer fields so the append
 * script can HINCRBY them; labels and location are JSON; per-level counts are `lv:<level>`.
 */
import type {ContinuedRun, JobLocation, JobMeta, JobStatus} from '../../job.js'
import {LEVELS} from '../../level.js'

/** HGETALL's answer (a flat array from a script, an object from ioredis) → JobMeta; undefined when the job does not exist. */
export function decodeMeta(id: string, raw: Record<string, string> | string[] | null | undefined): JobMeta | undefined {
  const hash = Array.isArray(raw) ? pairs(raw) : raw
  if (!hash || hash.createdAt === undefined) return undefined
  const number = (field: string) => (hash[field] === undefined ? undefined : Number(hash[field]))
  const meta: JobMeta = {
    id,
    status: (hash.status ?? 'running') as JobStatus,
    createdAt: Number(hash.createdAt),
    updatedAt: number('updatedAt') ?? Number(hash.createdAt),
    lines: number('lines') ?? 0,
    bytes: number('bytes') ?? 0,
    levels: {},
    location: hash.location ? (JSON.parse(hash.location) as JobLocation) : {kind: 'live'},
  }
  for (const level of LEVELS) {
    const count = number(`lv:${level}`)
    if (count) meta.levels[level] = count
  }
  const endedAt = number('endedAt')
  if (endedAt !== undefined) meta.endedAt = endedAt
  const exitCode = number('exitCode')
  if (exitCode !== undefined) meta.exitCode = exitCode
  const firstTs = number('firstTs')
  if (firstTs !== undefined) meta.firstTs = firstTs
  if (hash.sections) meta.sections = JSON.parse(hash.sections) as JobMeta['sections']
  const sectionsDropped = number('sectionsDropped')
  if (sectionsDropped) meta.sectionsDropped = sectionsDropped
  if (hash.phase !== undefined) meta.phase = hash.phase
  const progress = number('progress')
  if (progress !== undefined) meta.progress = progress
  const masked = number('masked')
  if (masked) meta.masked = masked
  const lastTs = number('lastTs')
  if (lastTs !== undefined) meta.lastTs = lastTs
  if (hash.labels) meta.labels = JSON.parse(hash.labels) as Record<string, string>
  if (hash.continues) meta.continues = JSON.parse(hash.continues) as ContinuedRun
  return meta
}

/** The fields of a patch that updateJob stores as they are (status goes through start/end); '' removes one (a phase given as undefined: it ended). */
export function encodePatch(patch: Partial<Omit<JobMeta, 'id'>>): Record<string, string> {
  const fields: Record<string, string> = {}
  if (patch.location) fields.location = JSON.stringify(patch.location)
  if (patch.labels) fields.labels = JSON.stringify(patch.labels)
  if (patch.updatedAt !== undefined) fields.updatedAt = String(patch.updatedAt)
  if (patch.endedAt !== undefined) fields.endedAt = String(patch.endedAt)
  if (patch.exitCode !== undefined) fields.exitCode = String(patch.exitCode)
  if (patch.sections) fields.sections = JSON.stringify(patch.sections)
  if (patch.sectionsDropped !== undefined) fields.sectionsDropped = String(patch.sectionsDropped)
  if ('phase' in patch) fields.phase = patch.phase ?? ''
  if (patch.progress !== undefined) fields.progress = String(patch.progress)
  return fields
}

function pairs(flat: string[]): Record<string, string> {
  const hash: Record<string, string> = {}
  for (let i = 0; i + 1 < flat.length; i += 2) hash[flat[i]] = flat[i + 1]
  return hash
}
