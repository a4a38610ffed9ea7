/**
 * `logs get --output raw` without filters: the stored bytes copied to the output as they
 * are, block by block (no entry decoded where the store keeps bytes), then, with -f, the
 * followed entries' bytes. Anything that selects lines one by one (a filter, context, a
 * time bound) goes through getEntries instead.
 */
import {rawChunk} from '../entry.js'
import type {Jobs} from '../store/jobs.js'
import {jobToRead, type GetOptions} from './get-entries.js'

/** True when the options pick consecutive sequence numbers, so stored bytes can be copied. */
export function copiesRaw(options: GetOptions): boolean {
  return !options.filter && !options.context && !options.match && options.since === undefined && options.until === undefined
}

export async function* getRaw(jobs: Jobs, options: GetOptions): AsyncGenerator<Buffer> {
  const {job, signal} = options
  let last = options.after ?? 0
  const exists = await jobToRead(jobs, options)
  if (exists && (options.tail ?? 1) > 0 && (options.head ?? 1) > 0) {
    for await (const block of jobs.readRaw(job, {after: options.after, tail: options.tail, limit: options.head, signal})) {
      last = block.last
      yield block.bytes
    }
  }
  if (!options.follow || options.head !== undefined) return
  for await (const event of jobs.follow(job, {after: last, signal})) {
    if (event.type === 'entries') {
      if (event.entries.length > 0) yield rawChunk(event.entries)
    } else if (event.type === 'end') {
      options.onEnd?.(event.meta)
      return
    }
  }
}
