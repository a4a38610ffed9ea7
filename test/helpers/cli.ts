/**
 * Runs the built CLI (`bin/run.js`, which loads dist/) as a user would: a child process
 * with real pipes. Tests check stdout, stderr, the exit code and the stores.
 */
import {spawn, type ChildProcess, type SpawnOptions} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const BIN = join(ROOT, 'bin', 'run.js')

export interface CliResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  stdoutBytes: Buffer
}

export interface CliOptions {
  input?: string | Buffer
  env?: NodeJS.ProcessEnv
  cwd?: string
  /** Kill the process after this many ms (default 60 s) so a hung command fails its test. */
  timeout?: number
}

/** An isolated environment: its own state/data/config dirs, no LOGS_* from the developer's shell. */
export function isolatedEnv(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {...process.env}
  for (const key of Object.keys(env)) if (key.startsWith('LOGS_') || key === 'REDIS_URL' || key === 'FORCE_COLOR') delete env[key]
  return {
    ...env,
    HOME: home,
    XDG_STATE_HOME: join(home, 'state'),
    XDG_DATA_HOME: join(home, 'data'),
    XDG_CONFIG_HOME: join(home, 'config'),
    NO_COLOR: '1',
    ...extra,
  }
}

export function tempHome(): {home: string; cleanup: () => void} {
  const home = mkdtempSync(join(tmpdir(), 'logs-test-'))
  return {home, cleanup: () => rmSync(home, {recursive: true, force: true})}
}

export function startCli(args: string[], options: Omit<CliOptions, 'input' | 'timeout'> & {stdio?: SpawnOptions['stdio']} = {}): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    env: options.env ?? process.env,
    stdio: options.stdio ?? ['pipe', 'pipe', 'pipe'],
  })
}

export function collect(child: ChildProcess, timeout = 60_000): Promise<CliResult> {
  const out: Buffer[] = []
  const err: Buffer[] = []
  child.stdout?.on('data', (chunk: Buffer) => out.push(chunk))
  child.stderr?.on('data', (chunk: Buffer) => err.push(chunk))
  const timer = setTimeout(() => child.kill('SIGKILL'), timeout)
  return new Promise((resolveResult, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const stdoutBytes = Buffer.concat(out)
      resolveResult({code, signal, stdout: stdoutBytes.toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), stdoutBytes})
    })
  })
}

export async function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const child = startCli(args, options)
  const done = collect(child, options.timeout)
  child.stdin?.on('error', () => {}) // the command may exit before reading all input
  if (options.input !== undefined) child.stdin?.end(options.input)
  else child.stdin?.end()
  return done
}
