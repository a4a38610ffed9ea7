/**
 * A writer for stdout that respects backpressure and treats a closed reader
 * (`logs get X | head -1` → EPIPE) as the end of output, not as an error.
 */
export class Output {
  private closedByReader = false
  private failure: Error | undefined

  /** `around`: every write goes through it (a progress line on the terminal steps aside while output is written). */
  constructor(
    private readonly stream: NodeJS.WritableStream & {writableLength?: number},
    private readonly around: <T>(write: () => T) => T = (write) => write(),
  ) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') this.closedByReader = true
      else this.failure = error
    })
  }

  /** True once the reader went away: callers stop producing output. */
  get closed(): boolean {
    return this.closedByReader
  }

  /** Writes and waits for drain when the stream's buffer is full. Returns false once the reader is gone. */
  async write(chunk: string | Uint8Array): Promise<boolean> {
    if (this.failure) throw this.failure
    if (this.closedByReader) return false
    if (!this.around(() => this.stream.write(chunk))) await this.settled('drain')
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- set by an error event during the await; TS narrowed it to never
    if (this.failure) throw this.failure
    return !this.closedByReader
  }

  /** write(), resolved only once the stream is done with `chunk` (handed to the OS, or the reader gone): the caller may then reuse its memory. */
  async writeWhole(chunk: Uint8Array): Promise<boolean> {
    if (this.failure) throw this.failure
    if (this.closedByReader) return false
    await new Promise<void>((resolve) => this.around(() => this.stream.write(chunk, () => resolve())))
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- set by an error event during the await; TS narrowed it to never
    if (this.failure) throw this.failure
    return !this.closedByReader
  }

  /** Resolves when everything written has been handed to the OS (or the reader is gone). */
  async flush(): Promise<void> {
    if (this.closedByReader || !this.stream.writableLength) return
    // Not 'drain': it comes only after a write was refused, and a pipe that is full holds writes
    // below the stream's buffer size too. Writes complete in order, so this empty one's callback
    // runs once those before it have been handed over (or have failed, the reader gone).
    await new Promise<void>((resolve) => this.around(() => this.stream.write('', () => resolve())))
  }

  /** Waits for the event, or for the stream to close or fail (the 'error' listener above records why). */
  private settled(event: string): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.stream.off(event, done)
        this.stream.off('close', done)
        this.stream.off('error', done)
        resolve()
      }
      this.stream.on(event, done)
      this.stream.on('close', done)
      this.stream.on('error', done)
    })
  }
}
