/**
 * The lines of UTF-8 bytes (NDJSON: an archive object's blocks once inflated, the relay's
 * streamed history): each piece decoded once and cut at its newlines, a character or line
 * split across two chunks joined. Empty lines are skipped; a last line without its newline
 * is given at the end.
 *
 * Bytes are decoded at most DECODE_BYTES at a time. V8 puts a string of 128 KiB or more in
 * its young large-object space, and each such string cost a scavenge: decoding an archive's
 * 512 KiB blocks whole took 40 times as long as in 64 KiB pieces (Node 20 and 24; 0.5 s of
 * the 3 s of `get --output raw` of a 100 MB archived job).
 */
import {StringDecoder} from 'node:string_decoder'

const DECODE_BYTES = 64 * 1024

export class LineDecoder {
  private readonly decoder = new StringDecoder('utf8')
  private rest = ''

  /**
   * The lines `bytes` completes, added to `lines`. Only the new text is searched for newlines:
   * a long line's start is joined to its end once, not searched again with every piece.
   */
  write(bytes: Buffer, lines: string[] = []): string[] {
    for (let at = 0; at < bytes.length; at += DECODE_BYTES) {
      const text = this.decoder.write(bytes.subarray(at, at + DECODE_BYTES))
      let start = 0
      for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
        const line = start === 0 ? this.rest + text.slice(0, end) : text.slice(start, end)
        if (line !== '') lines.push(line)
        this.rest = ''
        start = end + 1
      }
      this.rest += text.slice(start)
    }
    return lines
  }

  /** The last line, when the bytes did not end with a newline. */
  end(): string | undefined {
    const rest = this.rest + this.decoder.end()
    this.rest = ''
    return rest.trim() !== '' ? rest : undefined
  }
}

/** The lines of whole bytes. */
export function linesOf(bytes: Buffer): string[] {
  const decoder = new LineDecoder()
  const lines = decoder.write(bytes)
  const last = decoder.end()
  if (last !== undefined) lines.push(last)
  return lines
}

/** The lines of a byte stream, in one batch per chunk read. */
export async function* textLines(chunks: AsyncIterable<Buffer>): AsyncGenerator<string[]> {
  const decoder = new LineDecoder()
  for await (const chunk of chunks) {
    const lines = decoder.write(chunk)
    if (lines.length > 0) yield lines
  }
  const last = decoder.end()
  if (last !== undefined) yield [last]
}
