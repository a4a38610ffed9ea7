/**
 * `logs serve` as a function: open the stores (never the relay itself, whatever LOGS_URL
 * says), start the relay, run until the signal, shut down gracefully, close the stores.
 */
import {UsageError} from '../errors/index.js'
import type {Settings} from '../config.js'
import {openJobs} from '../open/open-jobs.js'
import type {RelayLimits} from './limits.js'
import {createRelay, isLoopback} from './server.js'

export interface ServeOptions {
  settings: Settings
  host?: string
  port: number
  cors?: string
  limits?: Partial<RelayLimits>
  signal: AbortSignal
  onListening: (url: URL) => void
  onWarning: (message: string) => void
}

export async function serveRelay(options: ServeOptions): Promise<void> {
  const {settings} = options
  const token = settings.token?.value
  const readToken = settings.readToken?.value
  const secured = Boolean(token || readToken)
  const host = options.host ?? (secured ? '0.0.0.0' : '127.0.0.1')
  if (!secured && !isLoopback(host)) {
    throw new UsageError(`refusing to listen on ${host} without a token: anyone who can reach it could read and write every log`, [
      'pass --token (and --read-token for read-only clients), or set LOGS_TOKEN',
      'or leave out --host to listen on 127.0.0.1 only',
    ])
  }
  if (token && readToken && token === readToken) throw new UsageError('--token and --read-token must differ: the read token would grant writes')

  // The relay reads the stores themselves, whatever LOGS_URL says.
  const jobs = await openJobs({...settings, url: undefined})
  const relay = createRelay({jobs, token, readToken, cors: options.cors, limits: options.limits})
  try {
    const url = await relay.listen(options.port, host)
    if (!secured) options.onWarning(`no --token given: listening on ${host} (loopback) only, without authentication; pass --token to serve other machines`)
    options.onListening(url)
    if (!options.signal.aborted) await new Promise<void>((resolve) => options.signal.addEventListener('abort', () => resolve(), {once: true}))
  } finally {
    await relay.close()
    await jobs.close()
  }
}
