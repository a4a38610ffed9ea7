import * as Flags from '@oclif/core/flags'
import {BaseCommand} from '../lib/cli/base-command.js'
import {directStoreFlags} from '../lib/cli/flags.js'
import {onInterrupt} from '../lib/interrupt.js'
import {serveRelay} from '../lib/relay/serve.js'
import {parseDuration} from '../lib/time.js'

export default class Serve extends BaseCommand {
  static override summary = 'Serve the HTTP API and live SSE streams of the stores (the relay for --url, browsers and curl)'
  static override description = `Lets browsers, curl, other machines and \`logs --url …\` read and write logs without credentials to the stores.
Every followed job is read from the store once and fanned out; a follower too slow to keep up is disconnected (it can reconnect and resume).
--token guards everything but /healthz; --read-token grants reads only. Without a token the relay listens on 127.0.0.1 only, answers requests for a loopback name only (another Host header is 403: DNS rebinding), and refuses writes from a web page of another origin (403).
/healthz answers 503 "store unavailable" when the live store or the archive does not answer within 3 s (details only to the write token and in this log). /metrics is Prometheus text (open streams, followers per job, uploads in flight, lines in/out, drops, store errors and retries, event-loop lag) for read-token holders.
Endpoints: GET /healthz, /metrics, /v1/jobs, /v1/jobs/ID, /v1/jobs/ID/logs (JSON pages; ?format=ndjson streams the whole range in one answer, ?format=raw its stored bytes in frames: what logs get --url reads, resumed after a cut), /v1/jobs/ID/logs/stream (SSE), /v1/jobs/ID/logs/download, /v1/logs?jobs=a,b,build-* (several jobs as NDJSON with job, merged by time; the history filters, l=, by-job=1; at most 1000 jobs); POST or PUT /v1/jobs/ID/logs (text or NDJSON, e.g. curl -T -, their secrets masked as push masks them; or ?format=chunk, the compact batches push --url sends, masked by it; ?end=1&exit-code=N (or &status=S) ends the job, N 0-255, and exit-code or status without end=1 is a 400; headers Logs-Writer and Logs-Batch make a retried request apply once, Logs-After (the previous Logs-Batch, 0 first) keeps several requests in flight in order: 409, nothing written, when that one did not land); DELETE /v1/jobs/ID (from the live store and the archive; ?dry-run=1 only says where it is). GET / is the web viewer.
SIGTERM (or SIGINT, SIGHUP) closes followers without an end event (they reconnect elsewhere), lets running uploads finish (for at most --shutdown-grace; then their connections are closed), then dies of that signal (a shell reports 128+N: 143 for SIGTERM; systemd counts death by SIGTERM as a clean stop, no SuccessExitStatus needed). A second signal meanwhile ends it at once.`

  static override examples = [
    '<%= config.bin %> serve --port 8080',
    'LOGS_TOKEN=s3cret <%= config.bin %> serve --host 0.0.0.0 --port 8080 --read-token viewer --store redis://redis:6379',
    'curl -N -H "Authorization: Bearer viewer" http://relay:8080/v1/jobs/build-42/logs/stream',
    'curl -H "Authorization: Bearer viewer" http://relay:8080/metrics',
    'curl -H "Authorization: Bearer viewer" "http://relay:8080/v1/jobs/build-42/logs?format=ndjson&level=error" | jq -r .line',
    'curl -H "Authorization: Bearer viewer" "http://relay:8080/v1/logs?jobs=build-*&grep=ERROR&since=7d"',
    'make 2>&1 | curl -T - -H "Authorization: Bearer s3cret" "http://relay:8080/v1/jobs/build-42/logs?end=1"',
    'curl -T part1.log -H "Authorization: Bearer s3cret" -H "Logs-Writer: ci-7" -H "Logs-Batch: 1" -H "Logs-After: 0" "http://relay:8080/v1/jobs/import-4/logs?end=1"',
    'LOGS_URL=http://relay:8080 LOGS_TOKEN=s3cret <%= config.bin %> tail build-42',
  ]

  static override flags = {
    host: Flags.string({description: 'address to listen on (default: 0.0.0.0 with a token, else 127.0.0.1)'}),
    port: Flags.integer({char: 'p', description: 'port to listen on (0: any free port)', default: 8080, min: 0, max: 65_535}),
    token: Flags.string({description: 'bearer token required for every request; grants reads and writes [env: LOGS_TOKEN]'}),
    'read-token': Flags.string({description: 'bearer token that grants reads only [env: LOGS_READ_TOKEN]'}),
    cors: Flags.string({description: 'allow browser pages from this origin (or *) to use the API'}),
    'max-clients': Flags.integer({description: 'most SSE followers at once; more get 503', default: 10_000, min: 1}),
    'shutdown-grace': Flags.string({
      description: "on SIGTERM, how long running uploads may take to finish before their connections are closed (e.g. 30s; keep it under your supervisor's stop timeout)",
      default: '10s',
    }),
    ...directStoreFlags,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Serve)
    const shutdownGraceMs = parseDuration(flags['shutdown-grace'], '--shutdown-grace')
    const interrupt = onInterrupt()
    try {
      await serveRelay({
        settings: this.settings({store: flags.store, archive: flags.archive, config: flags.config, token: flags.token, readToken: flags['read-token']}),
        host: flags.host,
        port: flags.port,
        cors: flags.cors,
        limits: {maxClients: flags['max-clients'], shutdownGraceMs},
        signal: interrupt.signal,
        onListening: (url) => this.log(`listening on ${url.origin}`),
        onWarning: (message) => this.logToStderr(`logs serve: warning: ${message}`),
      })
    } finally {
      interrupt.dispose()
    }
  }
}
