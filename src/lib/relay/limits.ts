/** The relay's bounds: every buffer, body and client count it keeps has a limit here. */
export interface RelayLimits {
  /** Concurrent SSE followers; more get 503. */
  maxClients: number
  /** Bytes of one POST body; more gets 413. */
  maxBodyBytes: number
  /** A text line longer than this is stored as pieces (entries with eol=false), as `push` does. */
  maxLineBytes: number
  /** Bytes waiting to be sent to one follower before it is dropped as too slow. */
  subscriberBufferBytes: number
  /** Entries per store append while ingesting a body. */
  ingestBatchEntries: number
  /** Entries per page of history (JSON pages without `limit`). */
  pageSize: number
  /** Largest `limit` a client may ask for on GET …/logs. */
  maxPageSize: number
  /** Jobs one GET /v1/logs may read (ids and glob matches together); more gets 400. */
  maxQueryJobs: number
  /** Interval of `: ping` comments on idle streams. */
  pingMs: number
  /** The `retry:` hint given to EventSource clients. */
  retryMs: number
  /** How long a job's reader keeps running after its last follower left (reconnects reuse it). */
  readerLingerMs: number
  /** How long shutdown waits for running ingests before closing their connections. */
  shutdownGraceMs: number
}

export const DEFAULT_LIMITS: RelayLimits = {
  maxClients: 10_000,
  maxBodyBytes: 64 * 1024 * 1024,
  maxLineBytes: 1024 * 1024,
  subscriberBufferBytes: 4 * 1024 * 1024,
  ingestBatchEntries: 10_000,
  pageSize: 1000,
  maxPageSize: 10_000,
  maxQueryJobs: 1000,
  pingMs: 15_000,
  retryMs: 2000,
  readerLingerMs: 5000,
  shutdownGraceMs: 10_000,
}
