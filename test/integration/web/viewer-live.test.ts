/**
 * The viewer on a running job, in a real chromium against a real `logs serve`: lines
 * arrive live, ANSI colours, search, level filter, pause/resume with "N new lines",
 * keyboard and the #L deep link.
 */
import type {ChildProcess} from 'node:child_process'
import type {Page} from 'playwright-core'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {endPush, launchBrowser, numbered, pushLive, sandbox, screenshot, startRelay, viewerStats, visibleRows, writeLines, type RunningRelay, type Sandbox} from './web-harness.js'

const JOB = 'build-42'

/** Every 10th line an error (red ANSI), every 7th a warning, every 50th holds a needle. */
function logLine(n: number): string {
  const needle = n % 50 === 0 ? ' found the Needle here' : ''
  if (n % 10 === 0) return `\u001B[31mERROR\u001B[0m line ${n} failed${needle}`
  if (n % 7 === 0) return `WARN line ${n} slow${needle}`
  return `INFO line ${n} ok${needle}`
}

describe('web viewer: a running job', () => {
  let box: Sandbox
  let relay: RunningRelay
  let pusher: ChildProcess
  let browser: Awaited<ReturnType<typeof launchBrowser>>
  let page: Page
  let written = 0

  async function pushMore(count: number): Promise<void> {
    await writeLines(pusher, numbered(written + 1, written + count, logLine))
    written += count
  }

  async function lastRow(): Promise<[number, string] | undefined> {
    return (await visibleRows(page)).at(-1)
  }

  beforeAll(async () => {
    box = sandbox()
    relay = await startRelay(box)
    pusher = pushLive(box, JOB)
    await pushMore(200)
    browser = await launchBrowser()
    page = browser.page
  })

  afterAll(async () => {
    await browser?.close()
    if (pusher) await endPush(pusher)
    await relay?.stop()
    box?.cleanup()
  })

  it('opens the running job and shows new lines as they arrive', async () => {
    await page.goto(`${relay.url}/jobs/${JOB}`)
    // A row shows its seq at once and its text when its page of history arrives: wait for both.
    await expect.poll(lastRow, {timeout: 15_000}).toEqual([200, 'ERROR line 200 failed found the Needle here'])
    await expect.poll(() => page.textContent('.status-line')).toMatch(/connected.*job running.*200 lines/)

    await pushMore(50)
    await expect.poll(lastRow, {timeout: 15_000}).toEqual([250, 'ERROR line 250 failed found the Needle here'])
    await expect.poll(() => page.textContent('.line-count')).toBe('250 lines')

    // ANSI red is a styled span built from text, not markup; error rows are marked.
    const red = page.locator('.row[data-seq="250"] .fg-c-red')
    expect(await red.textContent()).toBe('ERROR')
    expect(await page.locator('.row[data-seq="250"]').getAttribute('class')).toContain('level-error')
    await screenshot(page, 'viewer-running')
  })

  it('searches with highlight, next and previous (keyboard / and Enter)', async () => {
    await page.keyboard.press('g')
    await expect.poll(async () => (await visibleRows(page))[0]?.[0]).toBe(1)
    await page.keyboard.press('/')
    expect(await page.evaluate(() => document.activeElement?.className)).toBe('search')
    await page.keyboard.type('needle')
    await page.keyboard.press('Enter')
    await expect.poll(() => page.getAttribute('.row.current-match', 'data-seq')).toBe('50')
    expect(await page.textContent('.row.current-match mark')).toBe('Needle')
    await expect.poll(() => page.textContent('.match-count')).toBe('1/5')
    await page.keyboard.press('Enter')
    await expect.poll(() => page.getAttribute('.row.current-match', 'data-seq')).toBe('100')
    await page.keyboard.press('Shift+Enter')
    await expect.poll(() => page.getAttribute('.row.current-match', 'data-seq')).toBe('50')
    await page.click('button[aria-label="Previous match"]')
    await expect.poll(() => page.getAttribute('.row.current-match', 'data-seq')).toBe('250') // wraps around
    await page.fill('.search', '')
    await page.keyboard.press('Escape')
  })

  it('filters by level', async () => {
    await page.selectOption('.level', 'error')
    await expect.poll(() => page.textContent('.line-count')).toBe('250 lines · 25 shown')
    // The count changes before the filtered rows are drawn: wait for the rows themselves.
    await expect.poll(async () => (await visibleRows(page)).length).toBeGreaterThan(0)
    const rows = await visibleRows(page)
    expect(rows.every(([seq, text]) => seq % 10 === 0 && text.startsWith('ERROR'))).toBe(true)
    // New lines pass through the same filter.
    await pushMore(10)
    await expect.poll(() => page.textContent('.line-count')).toBe('260 lines · 26 shown')
    await page.selectOption('.level', '')
    await expect.poll(async () => (await lastRow())?.[0]).toBe(260)
    expect(await page.textContent('.line-count')).toBe('260 lines') // no stale "26 shown" left once the filter is gone
  })

  it('pauses when the user scrolls up, counts new lines, and resumes', async () => {
    await page.keyboard.press('G')
    await page.mouse.move(500, 300)
    await page.mouse.wheel(0, -600)
    await expect.poll(async () => (await viewerStats(page)).following).toBe(false)
    expect(await page.textContent('button.follow')).toBe('Follow')
    const before = await visibleRows(page)
    await pushMore(30)
    await expect.poll(() => page.textContent('.new-lines')).toBe('↓ 30 new lines')
    expect(await visibleRows(page)).toEqual(before) // the view does not move while paused
    await page.click('.new-lines')
    await expect.poll(async () => (await lastRow())?.[0]).toBe(290)
    expect(await page.isHidden('.new-lines')).toBe(true)

    await page.click('button.follow') // the Pause button
    await pushMore(5)
    await expect.poll(() => page.textContent('.new-lines')).toBe('↓ 5 new lines')
    await page.click('button.follow')
    await expect.poll(async () => (await lastRow())?.[0]).toBe(295)
  })

  it('jumps to the next error with e', async () => {
    await page.keyboard.press('g')
    await page.keyboard.press('e')
    await expect.poll(() => page.getAttribute('.row.current-match', 'data-seq')).toBe('10')
    await page.keyboard.press('e')
    await expect.poll(() => page.getAttribute('.row.current-match', 'data-seq')).toBe('20')
  })

  it('waits for a job that has not started yet', async () => {
    await page.goto(`${relay.url}/jobs/later-1`)
    await expect.poll(() => page.textContent('.message'), {timeout: 15_000}).toBe('no such job yet: waiting for it to start')
    const later = pushLive(box, 'later-1')
    await writeLines(later, ['first', 'second'])
    await expect.poll(async () => (await visibleRows(page)).map(([, text]) => text), {timeout: 15_000}).toEqual(['first', 'second'])
    expect(await page.textContent('.message')).toBe('')
    await expect.poll(() => page.textContent('.job-status')).toBe('job running')
    expect(await endPush(later)).toBe(0)
    await expect.poll(() => page.textContent('.status-line')).toMatch(/ended.*job ended.*2 lines/)
  })

  it('opens a #L deep link scrolled to the highlighted line', async () => {
    await page.goto('about:blank') // a fresh load, not just a hash change
    await page.goto(`${relay.url}/jobs/${JOB}#L123`)
    await expect.poll(() => page.getAttribute('.row.target', 'data-seq'), {timeout: 15_000}).toBe('123')
    await expect.poll(() => page.textContent('.row.target .text')).toBe('INFO line 123 ok') // '…' while its page loads
    const row = (await page.locator('.row.target').boundingBox())!
    const area = (await page.locator('.scroller').boundingBox())!
    expect(row.y).toBeGreaterThanOrEqual(area.y)
    expect(row.y + row.height).toBeLessThanOrEqual(area.y + area.height)
    expect((await viewerStats(page)).following).toBe(false)
    await screenshot(page, 'viewer-deep-link')

    // A hash change on the open page moves to that line too.
    await page.evaluate(() => (location.hash = '#L7'))
    await expect.poll(() => page.getAttribute('.row.target', 'data-seq')).toBe('7')
  })
})
