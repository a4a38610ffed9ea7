/**
 * Counters of the relay, rendered in the Prometheus text exposition format for `/metrics`
 * (read access, like every read): what an operator watches to see trouble coming — open
 * streams and readers per job, uploads in flight, lines in and out, followers dropped for
 * being slow, store errors, and event-loop lag (a relay whose loop is late serves everyone late).
 */
import {monitorEventLoopDelay, type IntervalHistogram} from 'node:perf_hooks'
import {retriesSoFar} from '../store/retry.js'

export interface MetricGauges {
  clients: number
  readers: number
  /** Followers per followed job. */
  followersByJob: Map<string, number>
}

export class RelayMetrics {
  /** POST/PUT requests whose body is being received or appended (what a shutdown waits for). */
  uploadsInFlight = 0
  linesIn = 0
  bytesIn = 0
  linesOut = 0
  storeErrors = 0
  readonly drops = new Map<string, number>()
  readonly responses = new Map<string, number>()
  private readonly loopDelay: IntervalHistogram

  constructor() {
    this.loopDelay = monitorEventLoopDelay({resolution: 20})
    this.loopDelay.enable()
  }

  drop(reason: string): void {
    this.drops.set(reason, (this.drops.get(reason) ?? 0) + 1)
  }

  response(status: number): void {
    const key = `${Math.floor(status / 100)}xx`
    this.responses.set(key, (this.responses.get(key) ?? 0) + 1)
  }

  /** A store call failed (a 503 answered, a follower's reader failed, /healthz down). */
  storeError(): void {
    this.storeErrors++
  }

  close(): void {
    this.loopDelay.disable()
  }

  render(gauges: MetricGauges): string {
    const lines: string[] = []
    const metric = (name: string, type: 'counter' | 'gauge', help: string, samples: Array<[string, number]>) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`)
      for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`)
    }
    metric('logs_relay_clients', 'gauge', 'SSE followers connected (open streams).', [['', gauges.clients]])
    metric('logs_relay_job_readers', 'gauge', 'Jobs read from the store (one reader per followed job).', [['', gauges.readers]])
    metric(
      'logs_relay_job_followers',
      'gauge',
      'SSE followers per followed job.',
      [...gauges.followersByJob].map(([job, n]): [string, number] => [`{job="${job}"}`, n]),
    )
    metric('logs_relay_uploads_in_flight', 'gauge', 'POST/PUT uploads of lines being received or appended.', [['', this.uploadsInFlight]])
    metric('logs_relay_lines_in_total', 'counter', 'Lines ingested through POST.', [['', this.linesIn]])
    metric('logs_relay_bytes_in_total', 'counter', 'Bytes of lines ingested through POST.', [['', this.bytesIn]])
    metric('logs_relay_lines_out_total', 'counter', 'Lines sent to SSE followers.', [['', this.linesOut]])
    metric('logs_relay_drops_total', 'counter', 'Followers disconnected by the relay, by reason.', [
      ['{reason="slow"}', this.drops.get('slow') ?? 0],
      ...[...this.drops].filter(([reason]) => reason !== 'slow').map(([reason, n]): [string, number] => [`{reason="${reason}"}`, n]),
    ])
    metric('logs_relay_store_errors_total', 'counter', 'Store calls that failed (answered 503, or a job reader that failed).', [['', this.storeErrors]])
    metric('logs_relay_store_retries_total', 'counter', 'Store requests retried after a transient failure (object stores: 5xx, 429, resets, timeouts).', [['', retriesSoFar()]])
    metric(
      'logs_relay_http_responses_total',
      'counter',
      'HTTP responses by status class.',
      [...this.responses].map(([k, n]): [string, number] => [`{code="${k}"}`, n]),
    )
    const max = this.loopDelay.count > 0 ? this.loopDelay.max / 1e9 : 0
    const p99 = this.loopDelay.count > 0 ? this.loopDelay.percentile(99) / 1e9 : 0
    metric('nodejs_eventloop_lag_max_seconds', 'gauge', 'Longest event-loop delay since the last scrape.', [['', max]])
    metric('nodejs_eventloop_lag_p99_seconds', 'gauge', '99th percentile of event-loop delay since the last scrape.', [['', p99]])
    this.loopDelay.reset()
    const memory = process.memoryUsage()
    metric('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.', [['', memory.rss]])
    const cpu = process.cpuUsage()
    metric('process_cpu_seconds_total', 'counter', 'User and system CPU time in seconds.', [['', (cpu.user + cpu.system) / 1e6]])
    return `${lines.join('\n')}\n`
  }
}
