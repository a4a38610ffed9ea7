/**
 * The lines of a UTF-8 byte stream (NDJSON: an archive object once gunzipped, the relay's
 * streamed history), in one batch per chunk read: the chunk is decoded once and cut at
 * its newlines, and a character or line split across two chunks is joined. Empty lines are
 * skipped; a last line without its newline is given at the end.
 */
import {StringDecoder} from 'node:string_decoder'

export async function* textLines(chunks: AsyncIterable<Buffer>): AsyncGenerator<string[]> {
  const decoder = new StringDecoder('utf8')
  let rest = ''
  for await (const chunk of chunks) {
    const text = rest + decoder.write(chunk)
    const lines: string[] = []
    let start = 0
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      if (end > start) lines.push(text.slice(start, end))
      start = end + 1
    }
    rest = text.slice(start)
    if (lines.length > 0) yield lines
  }
  rest += decoder.end()
  if (rest.trim() !== '') yield [rest]
}
