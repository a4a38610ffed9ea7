/**
 * Key layout. Every key of one job carries the job id as its hash tag, so a job lives in
 * one Cluster slot and one Lua script can touch all of them:
 *
 *   <prefix>{<job>}:log      stream; one entry per chunk of lines, id `<last seq>-0`;
 *                            markers (end of job, metadata changed) are `<last seq>-<n>`
 *                            with n ≥ 1: they wake followers and hold no lines
 *   <prefix>{<job>}:meta     hash: status, times, counts, labels, location
 *   <prefix>{<job>}:writers  hash: writer → "batch first last" of its last applied batch
 *   <prefix>jobs             sorted set: job id by last update (one slot for all jobs)
 *
 * Stream ids carry the sequence number of a chunk's last line, so "lines after N" is
 * `XRANGE <N+1>-0 +` / `XREAD … <N>-0` with no scan, and `XREVRANGE` reads a tail.
 */
export interface JobKeys {
  log: string
  meta: string
  writers: string
}

export function jobKeys(prefix: string, id: string): JobKeys {
  const base = `${prefix}{${id}}:`
  return {log: `${base}log`, meta: `${base}meta`, writers: `${base}writers`}
}

export function indexKey(prefix: string): string {
  return `${prefix}jobs`
}
