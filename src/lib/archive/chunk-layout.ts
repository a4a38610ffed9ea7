/**
 * Chunk objects of a job pushed straight to an object store (`push --store s3://…`):
 *
 *   .chunks/<job>/meta.json                       JobMeta + the last batch applied per writer
 *   .chunks/<job>/<first>-<last>.jsonl.gz         one per append, seqs zero-padded so names sort
 *
 * Each chunk is a small archive object of its own (gzip NDJSON). At the end of the job
 * they are assembled into `<job>.jsonl.gz` + manifest and deleted.
 */
import {CHUNKS_DIR} from './layout.js'

const SEQ_DIGITS = 12

export const chunkDir = (id: string): string => `${CHUNKS_DIR}${id}/`
export const chunkMetaKey = (id: string): string => `${chunkDir(id)}meta.json`
export const chunkKey = (id: string, first: number, last: number): string =>
  `${chunkDir(id)}${String(first).padStart(SEQ_DIGITS, '0')}-${String(last).padStart(SEQ_DIGITS, '0')}.jsonl.gz`

/** first..last of a chunk key, or undefined for other keys (meta.json). */
export function chunkRange(key: string): {first: number; last: number} | undefined {
  const match = /(\d+)-(\d+)\.jsonl\.gz$/.exec(key)
  return match ? {first: Number(match[1]), last: Number(match[2])} : undefined
}
