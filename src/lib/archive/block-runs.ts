/**
 * Blocks a read wants that lie back to back in the object, grouped so that each group is
 * fetched with one ranged read (./block-reader.ts): reading a whole job, a long section or
 * every block with an error line costs a request per run of neighbours, not per block.
 * A run holds at most RUN_BYTES of NDJSON, so the blocks in flight stay a few MiB
 * whatever the job's size or how well it compresses.
 */
import type {BlockInfo} from './block-index.js'

export const RUN_BYTES = 2 * 1024 * 1024

/** `blocks` in the order given (ascending or descending offsets), cut into runs of neighbours. */
export function runsOf(blocks: BlockInfo[], maxBytes = RUN_BYTES): BlockInfo[][] {
  const runs: BlockInfo[][] = []
  let run: BlockInfo[] = []
  let bytes = 0
  for (const block of blocks) {
    const previous = run.at(-1)
    const next = previous !== undefined && (previous.offset + previous.size === block.offset || block.offset + block.size === previous.offset)
    const sameWay = run.length < 2 || run[1].offset > run[0].offset === block.offset > previous!.offset
    if (!next || !sameWay || bytes + block.bytes > maxBytes) {
      if (run.length > 0) runs.push(run)
      run = []
      bytes = 0
    }
    run.push(block)
    bytes += block.bytes
  }
  if (run.length > 0) runs.push(run)
  return runs
}
