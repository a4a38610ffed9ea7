/**
 * Text output with nothing added (no colour, timestamps or job prefix) prints a line of
 * plain text as it was stored: a block of stored bytes that it would not change
 * (readsAsText) is copied as --output raw copies it, no entry decoded — also the lines a
 * filter took, where none lacks its newline; any other block is printed from its entries,
 * as the rest of text output is.
 */
import type {StoredBlock} from '../store/types.js'
import {TextBytes} from '../text-bytes.js'
import {readsAsText, TextLineJoiner, type TextStyle} from './format-entry.js'

/** Whether text output in `style` prints plain lines as they were stored. */
export function printsAsStored(style: TextStyle): boolean {
  return style.chalk.level === 0 && !style.terminal && !style.timestamps && !style.prefix
}

/** Text output (in a style that printsAsStored) of blocks of a job's entries, consecutive or those a filter took. */
export async function* textOfBlocks(blocks: AsyncIterable<StoredBlock>, style: TextStyle): AsyncGenerator<Buffer | string> {
  const lines = new TextLineJoiner()
  const text = new TextBytes()
  for await (const block of blocks) {
    if (!block.partial && readsAsText(block.bytes)) {
      const before = lines.copied(block.first, block.last, block.bytes.at(-1) !== 10)
      if (before) yield before
      yield block.bytes
      continue
    }
    for await (const entry of block.entries()) text.add(lines.format(entry, style))
    yield text.take()
  }
}
