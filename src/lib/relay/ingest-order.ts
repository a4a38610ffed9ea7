/**
 * Pipelined ingest requests of one writer, kept in order. `push --url` keeps a few requests
 * in flight, each naming the batch before it (`Logs-After`); they reach the relay on
 * separate connections, so a request may be read while its predecessor is still being
 * appended. It waits for that one to finish before it appends anything. The store behind
 * the relay checks the order itself (AppendToken.after) and refuses a batch whose
 * predecessor failed or never arrived (409), and the client re-sends from there: this
 * only spares it those refusals. Only requests in progress are kept, so the map is bounded
 * by the relay's connections.
 */
export class IngestOrder {
  private readonly running = new Map<string, Promise<void>>()

  /** A request for `batch` of this writer is being handled; call the result when it is done. */
  start(job: string, writer: string, batch: number): () => void {
    const key = runningKey(job, writer, batch)
    let done = () => {}
    const finished = new Promise<void>((resolve) => (done = resolve))
    // A request retried while the first is still running: its successor waits for both.
    const entry = Promise.all([this.running.get(key), finished]).then(() => undefined)
    this.running.set(key, entry)
    return () => {
      done()
      if (this.running.get(key) === entry) this.running.delete(key)
    }
  }

  /** Resolves once the request for batch `after` of this writer, if one is being handled here, is done. */
  async turn(job: string, writer: string, after: number): Promise<void> {
    await this.running.get(runningKey(job, writer, after))
  }
}

function runningKey(job: string, writer: string, batch: number): string {
  return `${job}\n${writer}\n${batch}`
}
