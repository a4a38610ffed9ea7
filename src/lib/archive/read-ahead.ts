/**
 * The bytes of an archive object a read will want, guessed before its block index says
 * where they are, so that one ranged read of them runs beside the read of the index:
 * `-n N` wants the object's last blocks, `--head N` its first. The guess is N lines' worth
 * of the object's average compressed line plus one average block (the partial block at
 * the end, or the one the first lines start), a tenth more for blocks that compress
 * worse than the average. Blocks it turns out not to cover are fetched as usual
 * (./block-reader.ts), so a wrong guess costs a request, never an answer.
 */
import type {ReadRange} from '../store/types.js'
import type {Manifest} from './manifest.js'

/** Beyond this a guess is not worth holding in memory before it is known to be wanted. */
export const READ_AHEAD_MAX = 4 * 1024 * 1024

export interface Span {
  offset: number
  length: number
}

export function readAhead(manifest: Manifest & {index: NonNullable<Manifest['index']>}, range: ReadRange): Span | undefined {
  const {size, lines, index} = manifest
  // Only reads whose blocks sit at one end of the object whatever the data holds.
  if (size <= 0 || lines <= 0 || index.blocks <= 0) return undefined
  if (range.since !== undefined || range.until !== undefined || range.levels || range.seqRanges || range.before !== undefined) return undefined
  const count = range.tail ?? (range.after === undefined && range.match === undefined ? range.limit : undefined)
  if (count === undefined || count <= 0) return undefined
  const length = Math.min(size, Math.ceil(((count * size) / lines + size / index.blocks) * 1.1))
  if (length > READ_AHEAD_MAX) return undefined
  return range.tail === undefined ? {offset: 0, length} : {offset: size - length, length}
}
