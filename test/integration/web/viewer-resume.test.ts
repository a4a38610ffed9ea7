/**
 * The relay restarted mid-stream: the page shows "reconnecting", resumes from the last
 * line it had (?after=seq) once the relay is back, and ends with every line exactly once.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {endPush, launchBrowser, numbered, pushLive, sandbox, startRelay, viewerStats, visibleRows, writeLines, type RunningRelay, type Sandbox} from './web-harness.js'

const JOB = 'deploy-7'

describe('web viewer: relay restarted mid-stream', () => {
  let box: Sandbox
  let relay: RunningRelay
  let browser: Awaited<ReturnType<typeof launchBrowser>>

  beforeAll(async () => {
    box = sandbox()
    relay = await startRelay(box)
    browser = await launchBrowser()
  })

  afterAll(async () => {
    await browser?.close()
    await relay?.stop()
    box?.cleanup()
  })

  it('resumes with no gap and no duplicate', async () => {
    const {page} = browser
    const pusher = pushLive(box, JOB)
    let written = 0
    const pushMore = async (count: number) => {
      await writeLines(pusher, numbered(written + 1, written + count))
      written += count
    }
    await pushMore(100)
    await expect.poll(async () => (await (await fetch(`${relay.url}/v1/jobs/${JOB}`)).json()).lines, {timeout: 15_000}).toBe(100)
    await page.goto(`${relay.url}/jobs/${JOB}`)
    await expect.poll(async () => (await viewerStats(page)).lastSeq, {timeout: 15_000}).toBeGreaterThanOrEqual(100)

    // Lines keep coming while the relay goes away and comes back on the same port.
    let writing = true
    const writer = (async () => {
      while (writing) {
        await pushMore(20)
        await new Promise((resolve) => setTimeout(resolve, 25))
      }
    })()
    await expect.poll(async () => (await viewerStats(page)).lastSeq, {timeout: 15_000}).toBeGreaterThan(300)
    const port = relay.port
    await relay.stop()
    await expect.poll(async () => (await viewerStats(page)).state, {timeout: 15_000}).toBe('reconnecting')
    expect(await page.textContent('.connection')).toBe('reconnecting')
    const seenBeforeRestart = (await viewerStats(page)).lastSeq
    await new Promise((resolve) => setTimeout(resolve, 500)) // lines pile up in the store meanwhile
    relay = await startRelay(box, {port})
    await expect.poll(async () => (await viewerStats(page)).lastSeq, {timeout: 20_000}).toBeGreaterThan(seenBeforeRestart)
    writing = false
    await writer
    await pushMore(10)
    expect(await endPush(pusher)).toBe(0)

    await expect.poll(async () => (await viewerStats(page)).state, {timeout: 20_000}).toBe('ended')
    const stats = await viewerStats(page)
    expect(stats.lastSeq).toBe(written)
    expect(stats.total).toBe(written)
    expect(stats.duplicates).toBe(0)
    expect(stats.states).toContain('reconnecting')
    expect(stats.states.slice(stats.states.lastIndexOf('reconnecting'))).toEqual(expect.arrayContaining(['connected', 'ended']))
    // Every line the stream delivered after the page's first load arrived once.
    expect(stats.received).toBe(written - stats.initialAfter)

    // What is on screen: the last lines, consecutive, each once, with the right text.
    const rows = await visibleRows(page)
    expect(rows.at(-1)).toEqual([written, `line ${written}`])
    rows.forEach(([seq, text], index) => {
      expect(text).toBe(`line ${seq}`)
      if (index > 0) expect(seq).toBe(rows[index - 1][0] + 1)
    })
    expect(await page.textContent('.status-line')).toMatch(new RegExp(`ended.*job ended.*${written.toLocaleString('en-US')} lines`))

    // The page mends a hole by reconnecting from its last line; the relay should not leave one.
    expect(stats.gaps, 'the relay skipped lines when the page resumed (the page had to reconnect to fill them)').toBe(0)
  })
})
