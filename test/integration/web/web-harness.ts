/**
 * What the browser tests and the web benchmark share: a real `logs serve` (the built CLI,
 * a child process on a loopback port, its own file store), `logs push` to feed it, and
 * Debian's chromium driven by playwright-core with a fresh profile.
 */
import type {ChildProcess} from 'node:child_process'
import {once} from 'node:events'
import {mkdirSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {chromium, type BrowserContext, type Page} from 'playwright-core'
import {isolatedEnv, ROOT, runCli, startCli, type CliResult} from '../../helpers/cli.js'

export const ARTIFACTS = join(ROOT, 'test-artifacts', 'web')

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']

export interface Sandbox {
  home: string
  env: NodeJS.ProcessEnv
  storeUrl: string
  cleanup: () => void
}

export function sandbox(): Sandbox {
  const home = mkdtempSync(join(tmpdir(), 'logs-web-'))
  const storeUrl = `file://${join(home, 'store')}`
  return {home, env: isolatedEnv(home), storeUrl, cleanup: () => rmSync(home, {recursive: true, force: true})}
}

export interface RunningRelay {
  url: string
  port: number
  child: ChildProcess
  stop: () => Promise<void>
}

/** `logs serve` on 127.0.0.1 (port 0 = any free one); resolves once it says where it listens. */
export async function startRelay(box: Sandbox, options: {port?: number; token?: string; readToken?: string} = {}): Promise<RunningRelay> {
  const args = ['serve', '--store', box.storeUrl, '--host', '127.0.0.1', '--port', String(options.port ?? 0)]
  if (options.token) args.push('--token', options.token)
  if (options.readToken) args.push('--read-token', options.readToken)
  const child = startCli(args, {env: box.env})
  let output = ''
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`logs serve did not start: ${output}`)), 30_000)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /listening on (http:\/\/[\d.]+:\d+)/.exec(output)
      if (match) {
        clearTimeout(timer)
        resolve(match[1])
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.once('exit', (code) => reject(new Error(`logs serve exited (${code}): ${output}`)))
  })
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGTERM')
    const killer = setTimeout(() => child.kill('SIGKILL'), 5000)
    await once(child, 'exit')
    clearTimeout(killer)
  }
  return {url, port: Number(new URL(url).port), child, stop}
}

/** `logs push` of a whole input, straight into the store. */
export function push(box: Sandbox, job: string, input: string | Buffer, extra: string[] = []): Promise<CliResult> {
  return runCli(['push', '--job', job, '--store', box.storeUrl, ...extra], {env: box.env, input})
}

/** A `logs push` that stays open: write lines when the test wants, end it to end the job. */
export function pushLive(box: Sandbox, job: string, extra: string[] = []): ChildProcess {
  return startCli(['push', '--job', job, '--store', box.storeUrl, ...extra], {env: box.env})
}

export async function writeLines(child: ChildProcess, lines: string[]): Promise<void> {
  if (!child.stdin!.write(lines.map((line) => `${line}\n`).join(''))) await once(child.stdin!, 'drain')
}

export async function endPush(child: ChildProcess): Promise<number | null> {
  child.stdin!.end()
  if (child.exitCode !== null) return child.exitCode
  const [code] = (await once(child, 'exit')) as [number | null]
  return code
}

export async function launchBrowser(
  options: {width?: number; height?: number; colorScheme?: 'light' | 'dark'} = {},
): Promise<{context: BrowserContext; page: Page; close: () => Promise<void>}> {
  const profile = mkdtempSync(join(tmpdir(), 'logs-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: {width: options.width ?? 1100, height: options.height ?? 640},
    colorScheme: options.colorScheme ?? 'light',
    acceptDownloads: true,
  })
  const page = context.pages()[0] ?? (await context.newPage())
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(error.message))
  if (process.env.WEB_TEST_CONSOLE) page.on('console', (message) => console.log(`page: ${message.text()}`))
  return {
    context,
    page,
    close: async () => {
      await context.close()
      rmSync(profile, {recursive: true, force: true})
      if (errors.length > 0) throw new Error(`errors in the page: ${errors.join('; ')}`)
    },
  }
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, {recursive: true})
  await page.screenshot({path: join(ARTIFACTS, `${name}.png`)})
}

export interface ViewerStats {
  total: number
  held: number
  rows: number
  gaps: number
  lastSeq: number
  received: number
  initialAfter: number
  duplicates: number
  states: string[]
  state: string
  following: boolean
}

export function viewerStats(page: Page): Promise<ViewerStats> {
  return page.evaluate(() => (window as unknown as {logsViewer: {stats: () => ViewerStats}}).logsViewer.stats())
}

/** The rows in the DOM now: [seq, text]. */
export function visibleRows(page: Page): Promise<[number, string][]> {
  return page.$$eval('.rows .row', (rows) => rows.map((row) => [Number((row as HTMLElement).dataset.seq), row.querySelector('.text')?.textContent ?? ''] as [number, string]))
}

export function numbered(from: number, to: number, make: (n: number) => string = (n) => `line ${n}`): string[] {
  const lines: string[] = []
  for (let n = from; n <= to; n++) lines.push(make(n))
  return lines
}
