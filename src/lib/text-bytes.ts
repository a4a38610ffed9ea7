/**
 * Text made piece by piece (a batch of formatted lines) and handed over as UTF-8 bytes,
 * turned into bytes every PIECE_CHARS characters. A string of 128 KiB or more is a young
 * large object in V8, and each cost a scavenge (text-lines.ts): written whole, a batch's
 * text was one, and `get -o json` of a 256 MB job took 9.7–11.5 s where these take 7.7–8.6 s.
 */
const PIECE_CHARS = 32 * 1024

export class TextBytes {
  private text = ''
  private readonly parts: Buffer[] = []

  add(piece: string): void {
    this.text += piece
    if (this.text.length >= PIECE_CHARS) this.encodeText()
  }

  addBytes(bytes: Buffer): void {
    this.encodeText()
    this.parts.push(bytes)
  }

  /** Everything added (then nothing again): a short text as it is, else its bytes. */
  take(): string | Buffer {
    if (this.parts.length > 0) return this.takeBytes()
    const text = this.text
    this.text = ''
    return text
  }

  /** Everything added, as bytes (then nothing again). */
  takeBytes(): Buffer {
    this.encodeText()
    const bytes = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts)
    this.parts.length = 0
    return bytes
  }

  private encodeText(): void {
    if (this.text === '') return
    this.parts.push(Buffer.from(this.text, 'utf8'))
    this.text = ''
  }
}
