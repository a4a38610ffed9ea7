/**
 * Benchmark: the web viewer in Debian's chromium against a real `logs serve`.
 *   time to first lines and page memory for a big job   vs the same for a 1 000-line job
 *   frame timing while RATE lines/s arrive               vs the same page with nothing arriving
 *   frame timing while wheel-scrolling the big job        vs the same for the 1 000-line job
 * Memory is the renderer's JS heap and DOM node count (CDP Performance.getMetrics), also
 * after jumping to the middle, the top and the bottom of the log (pages are fetched on
 * demand and old ones dropped, so it should not grow with the log).
 *
 *   npx tsx bench/web.viewer.ts [LINES] [RATE] [SECONDS]   (defaults 100000 10000 5; the job is 1000000)
 *   env BENCH_LINES, BENCH_RATE, BENCH_SECONDS do the same.
 *
 * Prints figures; never passes or fails. Needs a built CLI and page (npm run build).
 */
import type {ChildProcess} from 'node:child_process'
import {performance} from 'node:perf_hooks'
import type {Page} from 'playwright-core'
import {endPush, launchBrowser, push, pushLive, sandbox, startRelay, viewerStats, writeLines} from '../test/integration/web/web-harness.js'

const LINES = Number(process.argv[2] ?? process.env.BENCH_LINES ?? 100_000)
const RATE = Number(process.argv[3] ?? process.env.BENCH_RATE ?? 10_000)
const SECONDS = Number(process.argv[4] ?? process.env.BENCH_SECONDS ?? 5)

const box = sandbox()

function logLines(from: number, count: number): string[] {
  const lines: string[] = []
  for (let n = from; n < from + count; n++) {
    const level = n % 100 === 0 ? '\u001B[31mERROR\u001B[0m' : n % 17 === 0 ? 'WARN' : 'INFO'
    lines.push(`2026-11-23T10:00:00.000Z ${level} worker-${n % 8} request ${n} handled in ${n % 997}ms path=/api/items/${n % 1000}`)
  }
  return lines
}

async function seed(job: string, count: number): Promise<number> {
  const start = performance.now()
  const chunks: string[] = []
  for (let n = 1; n <= count; n += 10_000) chunks.push(logLines(n, Math.min(10_000, count - n + 1)).join('\n') + '\n')
  const result = await push(box, job, chunks.join(''))
  if (result.code !== 0) throw new Error(`push failed: ${result.stderr}`)
  return (performance.now() - start) / 1000
}

/** Records when the first rendered (not loading) row appears, from navigation start. */
const FIRST_LINES_PROBE = `
  new MutationObserver((_, observer) => {
    if (document.querySelector('.rows .row:not(.loading)')) {
      window.__firstLinesAt = performance.now()
      observer.disconnect()
    }
  }).observe(document, {subtree: true, childList: true})
`

async function metrics(page: Page): Promise<{heapMB: number; nodes: number}> {
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Performance.enable')
  await cdp.send('HeapProfiler.collectGarbage')
  const {metrics} = await cdp.send('Performance.getMetrics')
  const value = (name: string) => metrics.find((metric) => metric.name === name)?.value ?? 0
  await cdp.detach()
  return {heapMB: value('JSHeapUsedSize') / 1e6, nodes: value('Nodes')}
}

async function openJob(url: string, job: string, lines: number) {
  const browser = await launchBrowser({width: 1200, height: 800})
  try {
    const {page} = browser
    await page.addInitScript(FIRST_LINES_PROBE)
    await page.goto(`${url}/jobs/${job}`)
    await page.waitForFunction(() => (window as unknown as {__firstLinesAt?: number}).__firstLinesAt !== undefined, undefined, {timeout: 120_000})
    const firstLinesMs = await page.evaluate(() => (window as unknown as {__firstLinesAt: number}).__firstLinesAt)
    await page.waitForFunction(() => document.querySelector('.connection')?.textContent === 'ended', undefined, {timeout: 120_000})
    const atOpen = await metrics(page)
    // Jump around: the middle (by deep link), the top, the bottom; wait for each to render.
    for (const move of [`#L${Math.ceil(lines / 2)}`, 'g', 'G']) {
      if (move.startsWith('#')) await page.evaluate((hash) => (location.hash = hash), move)
      else await page.keyboard.press(move)
      await page.waitForFunction(() => document.querySelectorAll('.rows .row.loading').length === 0, undefined, {timeout: 60_000})
    }
    const afterJumps = await metrics(page)
    const held = (await viewerStats(page)).held
    // Scrolling: wheel down continuously from the middle while frames are timed.
    await page.evaluate((hash) => (location.hash = hash), `#L${Math.ceil(lines / 2)}`)
    await page.mouse.move(600, 400)
    const timing = frameTiming(page, 3)
    const end = Date.now() + 3000
    while (Date.now() < end) await page.mouse.wheel(0, 300)
    const scrolling = await timing
    return {firstLinesMs, atOpen, afterJumps, held, scrolling}
  } finally {
    await browser.close()
  }
}

interface Frames {
  frames: number
  fps: number
  p50: number
  p95: number
  p99: number
  max: number
  longTasks: number
  longTaskMs: number
}

/** rAF intervals and long tasks over `ms`, in the page (a string: tsx would wrap a function with helpers the page lacks). */
const FRAME_TIMING = `async (ms) => {
  const intervals = []
  let longTasks = 0
  let longTaskMs = 0
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) { longTasks++; longTaskMs += entry.duration }
  })
  observer.observe({type: 'longtask', buffered: false})
  await new Promise((resolve) => {
    let last = performance.now()
    const end = last + ms
    const tick = (now) => {
      intervals.push(now - last)
      last = now
      if (now < end) requestAnimationFrame(tick)
      else resolve()
    }
    requestAnimationFrame(tick)
  })
  observer.disconnect()
  intervals.sort((a, b) => a - b)
  const at = (q) => intervals[Math.min(intervals.length - 1, Math.floor(q * intervals.length))]
  return {frames: intervals.length, fps: intervals.length / (ms / 1000), p50: at(0.5), p95: at(0.95), p99: at(0.99), max: at(1), longTasks, longTaskMs}
}`

/** Frame timing plus the renderer main thread's CPU time over the window (less sensitive to a busy machine than frame times). */
async function frameTiming(page: Page, seconds: number): Promise<Frames & {cpuPct: number}> {
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Performance.enable')
  const threadTime = async () => {
    const {metrics} = await cdp.send('Performance.getMetrics')
    return metrics.find((metric) => metric.name === 'ThreadTime')?.value ?? 0
  }
  const before = await threadTime()
  const frames = await page.evaluate<Frames>(`(${FRAME_TIMING})(${seconds * 1000})`)
  const cpuPct = (((await threadTime()) - before) / seconds) * 100
  await cdp.detach()
  return {...frames, cpuPct}
}

async function paced(pusher: ChildProcess, rate: number, seconds: number, from: number): Promise<number> {
  const tickMs = 50
  const perTick = Math.max(1, Math.round((rate * tickMs) / 1000))
  const start = performance.now()
  let next = from
  while (performance.now() - start < seconds * 1000) {
    await writeLines(pusher, logLines(next, perTick))
    next += perTick
    const due = start + ((next - from) / perTick) * tickMs
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())))
  }
  return next - from
}

async function liveFrames(url: string) {
  const job = 'live-rate'
  const pusher = pushLive(box, job)
  await writeLines(pusher, logLines(1, 100))
  const browser = await launchBrowser({width: 1200, height: 800})
  try {
    const {page} = browser
    await page.goto(`${url}/jobs/${job}`)
    await page.waitForFunction(() => document.querySelector('.connection')?.textContent === 'connected', undefined, {timeout: 30_000})
    const idle = await frameTiming(page, Math.min(3, SECONDS))
    const sending = paced(pusher, RATE, SECONDS, 101)
    const busy = await frameTiming(page, SECONDS)
    const sent = await sending
    const shown = (await viewerStats(page)).lastSeq - 100
    const behindAtEnd = sent - shown
    return {idle, busy, sent, shown, behindAtEnd}
  } finally {
    await endPush(pusher)
    await browser.close()
  }
}

const relay = await startRelay(box)
try {
  const seedBig = await seed('big', LINES)
  await seed('small', 1000)
  console.log(`web viewer benchmark: ${LINES.toLocaleString('en-US')}-line job (pushed in ${seedBig.toFixed(1)} s), ${RATE.toLocaleString('en-US')} lines/s for ${SECONDS} s\n`)

  await openJob(relay.url, 'small', 1000) // warm-up: the relay's and the disk's first touches are not the page's
  const small = await openJob(relay.url, 'small', 1000)
  const big = await openJob(relay.url, 'big', LINES)
  const row = (name: string, r: typeof big) =>
    `${name.padEnd(22)} ${r.firstLinesMs.toFixed(0).padStart(8)} ms ${r.atOpen.heapMB.toFixed(1).padStart(8)} MB ${String(r.atOpen.nodes).padStart(7)} ${r.afterJumps.heapMB.toFixed(1).padStart(8)} MB ${String(r.afterJumps.nodes).padStart(7)} ${String(r.held).padStart(8)}`
  console.log(
    `${'job'.padEnd(22)} ${'first lines'.padStart(11)} ${'JS heap'.padStart(11)} ${'nodes'.padStart(7)} ${'heap after jumps'.padStart(11)} ${'nodes'.padStart(7)} ${'held'.padStart(8)}`,
  )
  console.log(row('1 000 lines (ref)', small))
  console.log(row(`${LINES.toLocaleString('en-US')} lines`, big))
  console.log('(first lines: navigation start → first rendered line; held: entries the page keeps after jumping to middle, top, bottom)\n')

  const live = await liveFrames(relay.url)
  const frame = (name: string, f: Frames & {cpuPct: number}) =>
    `${name.padEnd(32)} ${f.fps.toFixed(1).padStart(6)} ${f.p50.toFixed(1).padStart(7)} ${f.p95.toFixed(1).padStart(7)} ${f.p99.toFixed(1).padStart(7)} ${f.max.toFixed(1).padStart(7)} ${String(f.longTasks).padStart(6)} ${f.longTaskMs.toFixed(0).padStart(7)} ${f.cpuPct.toFixed(0).padStart(6)}`
  console.log(
    `${'frames'.padEnd(32)} ${'fps'.padStart(6)} ${'p50 ms'.padStart(7)} ${'p95 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'max ms'.padStart(7)} ${'long'.padStart(6)} ${'long ms'.padStart(7)} ${'cpu %'.padStart(6)}`,
  )
  console.log(frame('idle (ref)', live.idle))
  console.log(frame('wheel-scrolling 1 000 lines', small.scrolling))
  console.log(frame(`wheel-scrolling ${LINES.toLocaleString('en-US')} lines`, big.scrolling))
  console.log(frame(`${RATE.toLocaleString('en-US')} lines/s arriving`, live.busy))
  console.log(
    `lines sent ${live.sent.toLocaleString('en-US')} (${(live.sent / SECONDS).toFixed(0)}/s achieved), shown by the page when sending stopped ${live.shown.toLocaleString('en-US')} (behind ${live.behindAtEnd.toLocaleString('en-US')})`,
  )
  console.log("(cpu %: the page main thread's CPU time over the window. Headless chromium, --disable-gpu: compare with the idle reference of the same run)")
} finally {
  await relay.stop()
  box.cleanup()
}
