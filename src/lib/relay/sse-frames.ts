/**
 * The bytes of Server-Sent Events. `id:` is the entry's sequence number, so an
 * EventSource's Last-Event-ID is exactly the `after` to resume from. JSON never holds a
 * raw newline, so every event's data fits on one `data:` line.
 */
import {recordJson, type LogEntry} from '../entry.js'
import type {UnreadableBlock} from '../errors/index.js'
import {statusEventOf, type JobMeta} from '../job.js'

export function logFrame(entry: LogEntry): string {
  return `id: ${entry.seq}\nevent: log\ndata: ${recordJson(entry, {fields: true})}\n\n`
}

/** Status and end carry the metadata without its sections (JobStatusEvent): a few hundred bytes whatever the job's sections. */
export function statusFrame(meta: JobMeta): string {
  return `event: status\ndata: ${JSON.stringify(statusEventOf(meta))}\n\n`
}

export function endFrame(meta: JobMeta): string {
  return `event: end\ndata: ${JSON.stringify(statusEventOf(meta))}\n\n`
}

/** Sent before the relay closes a stream itself (a slow client); the client may reconnect and resume. */
export function droppedFrame(reason: string): string {
  return `event: dropped\ndata: ${JSON.stringify({reason})}\n\n`
}

/**
 * A damaged archived block the stream went past: its phrase and the seqs it held. Its `id:`
 * is the block's last seq when the stream had not passed it yet, so a reconnecting client
 * resumes after the block instead of meeting it again.
 */
export function unreadableFrame(block: UnreadableBlock, id: boolean): string {
  return `${id ? `id: ${block.lastSeq}\n` : ''}event: unreadable\ndata: ${JSON.stringify(block)}\n\n`
}

/**
 * The stream ends on an error reconnecting would meet again (a damaged log, a job deleted
 * while it was followed): `failureBody`'s fields. Not `error`, the name EventSource gives
 * its own connection errors.
 */
export function failedFrame(failure: {error: string; status: number}): string {
  return `event: failed\ndata: ${JSON.stringify(failure)}\n\n`
}

export function retryFrame(ms: number): string {
  return `retry: ${ms}\n\n`
}

export function commentFrame(text: string): string {
  return `: ${text.replaceAll('\n', ' ')}\n\n`
}
