/**
 * A job's sections across its runs (each push of the job): a run numbers the sections it
 * names itself (`github-1`, `buildkite-2`, …) from 1, so a later run's numbers go on from
 * the highest of the earlier runs'. A name then picks one section of the job, and a later
 * run's section never takes an earlier one's name.
 */
import {NAMED_FAMILIES, type Section} from './job.js'

/** The number of a section the tracker named (structure/sections.ts); 0 for one named in its marker (GitLab's, TeamCity's). */
function numberOf(section: Section): number {
  if (NAMED_FAMILIES.has(section.family)) return 0
  const match = /^[a-z]+-(\d+)$/.exec(section.name)
  return match && section.name.startsWith(`${section.family}-`) ? Number(match[1]) : 0
}

/** The earlier runs' sections, then the later run's, its numbered names (and parents) moved past the earlier ones'. */
export function joinRunSections(earlier: Section[], later: Section[]): Section[] {
  let highest = 0
  for (const section of earlier) highest = Math.max(highest, numberOf(section))
  if (highest === 0 || later.length === 0) return [...earlier, ...later]
  const renamed = new Map<string, string>()
  for (const section of later) {
    const n = numberOf(section)
    if (n > 0) renamed.set(section.name, `${section.family}-${n + highest}`)
  }
  const moved = later.map((section) => {
    const name = renamed.get(section.name)
    const parent = section.parent === undefined ? undefined : renamed.get(section.parent)
    if (name === undefined && parent === undefined) return section
    return {...section, ...(name !== undefined && {name}), ...(parent !== undefined && {parent})}
  })
  return [...earlier, ...moved]
}
