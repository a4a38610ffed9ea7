/**
 * An object's body that survives its connection being cut part-way (a reset, a gateway
 * timing out a long download): on a transient error it asks the backend for the rest,
 * from the byte it got to, under the retry policy. Backends reopen with a Range request
 * (S3 pins it to the same version with If-Match on the ETag; Supabase's download hides the
 * ETag, so only its immutable objects — chunks, archive parts — are worth resuming, and
 * readBytes re-reads small mutable ones whole).
 */
import {Readable} from 'node:stream'
import {Backoff, type RetryPolicy} from '../retry.js'
import {classifyForRetry} from './failure.js'

export function resumableBody(first: Readable, reopen: (offset: number) => Promise<Readable>, policy: RetryPolicy): Readable {
  async function* chunks(): AsyncIterable<Buffer> {
    const backoff = new Backoff({policy, classify: classifyForRetry})
    let offset = 0
    let body = first
    for (;;) {
      try {
        for await (const chunk of body as AsyncIterable<Buffer>) {
          offset += chunk.length
          backoff.reset()
          yield chunk
        }
        return
      } catch (error) {
        body.destroy()
        await backoff.retryAfter(error)
        body = await reopen(offset)
      }
    }
  }
  return Readable.from(chunks(), {objectMode: false})
}
