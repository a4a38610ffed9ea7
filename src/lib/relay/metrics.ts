/** Counters of the relay, rendered in the Prometheus text exposition format for `/metrics`. */
export class RelayMetrics {
  linesIn = 0
  bytesIn = 0
  linesOut = 0
  readonly drops = new Map<string, number>()
  readonly responses = new Map<string, number>()

  drop(reason: string): void {
    this.drops.set(reason, (this.drops.get(reason) ?? 0) + 1)
  }

  response(status: number): void {
    const key = `${Math.floor(status / 100)}xx`
    this.responses.set(key, (this.responses.get(key) ?? 0) + 1)
  }

  render(gauges: {clients: number; readers: number}): string {
    const lines: string[] = []
    const metric = (name: string, type: 'counter' | 'gauge', help: string, samples: Array<[string, number]>) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`)
      for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`)
    }
    metric('logs_relay_clients', 'gauge', 'SSE followers connected.', [['', gauges.clients]])
    metric('logs_relay_job_readers', 'gauge', 'Jobs read from the store (one reader per followed job).', [['', gauges.readers]])
    metric('logs_relay_lines_in_total', 'counter', 'Lines ingested through POST.', [['', this.linesIn]])
    metric('logs_relay_bytes_in_total', 'counter', 'Bytes of lines ingested through POST.', [['', this.bytesIn]])
    metric('logs_relay_lines_out_total', 'counter', 'Lines sent to SSE followers.', [['', this.linesOut]])
    metric('logs_relay_drops_total', 'counter', 'Followers disconnected by the relay, by reason.', [
      ['{reason="slow"}', this.drops.get('slow') ?? 0],
      ...[...this.drops].filter(([reason]) => reason !== 'slow').map(([reason, n]): [string, number] => [`{reason="${reason}"}`, n]),
    ])
    metric('logs_relay_http_responses_total', 'counter', 'HTTP responses by status class.', [...this.responses].map(([k, n]): [string, number] => [`{code="${k}"}`, n]))
    const memory = process.memoryUsage()
    metric('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.', [['', memory.rss]])
    const cpu = process.cpuUsage()
    metric('process_cpu_seconds_total', 'counter', 'User and system CPU time in seconds.', [['', (cpu.user + cpu.system) / 1e6]])
    return `${lines.join('\n')}\n`
  }
}
