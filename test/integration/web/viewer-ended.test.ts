/**
 * An ended job: the download is the relay's whole log, byte for byte what
 * `logs get --output raw` prints; the status line shows the exit code; timestamps and
 * wrap toggles; light and dark themes; phone width.
 */
import {readFile} from 'node:fs/promises'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {runCli} from '../../helpers/cli.js'
import {launchBrowser, push, sandbox, screenshot, startRelay, visibleRows, type RunningRelay, type Sandbox} from './web-harness.js'

const JOB = 'nightly.3'

/**
 * Bytes a page must not "clean up": ANSI, CRLF, tabs, invalid UTF-8, a very long line, no final
 * newline. It shows them as a terminal would, safely: a carriage return starts the line again,
 * and colours are the only escapes it keeps (terminal-safe.ts).
 */
const INPUT = Buffer.concat([
  Buffer.from('\u001B[1;32mstarting\u001B[0m nightly 10%\r\u001B[1;32mstarting\u001B[0m nightly\r\n'),
  Buffer.from('tab\tseparated\tvalues\n'),
  Buffer.from([0x62, 0x61, 0x64, 0x20, 0xff, 0xfe, 0x0a]),
  Buffer.from(`${'long '.repeat(400)}end\n`),
  Buffer.from('<script>alert(1)</script>\u001B]52;c;eA==\u0007 stays text\n'),
  Buffer.from('ERROR exiting with 3'),
])

describe('web viewer: an ended job', () => {
  let box: Sandbox
  let relay: RunningRelay
  let browser: Awaited<ReturnType<typeof launchBrowser>>

  beforeAll(async () => {
    box = sandbox()
    const pushed = await push(box, JOB, INPUT, ['--exit-code', '3'])
    expect(pushed.code).toBe(0)
    relay = await startRelay(box)
    browser = await launchBrowser({height: 400})
  })

  afterAll(async () => {
    await browser?.close()
    await relay?.stop()
    box?.cleanup()
  })

  it('shows the ended job with its exit code, its lines as text', async () => {
    const {page} = browser
    await page.goto(`${relay.url}/jobs/${JOB}`)
    await expect.poll(() => page.textContent('.status-line'), {timeout: 15_000}).toMatch(/ended.*job failed, exit code 3.*6 lines/)
    // The rows are drawn (as "…") when the job's size is known, and filled once its lines arrive.
    await expect.poll(() => page.locator('.row.loading').count(), {timeout: 15_000}).toBe(0)
    const rows = await visibleRows(page)
    expect(rows.map(([seq]) => seq)).toEqual([1, 2, 3, 4, 5, 6])
    expect(rows[0][1]).toBe('starting nightly')
    expect(await page.textContent('.row[data-seq="1"] .bold.fg-c-green')).toBe('starting')
    expect(rows[4][1]).toBe('<script>alert(1)</script> stays text')
    expect(await page.locator('.rows script').count()).toBe(0)
  })

  it('downloads the whole log: the same bytes as logs get --output raw', async () => {
    const {page} = browser
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a.download')])
    expect(download.suggestedFilename()).toBe(`${JOB}.log`)
    const downloaded = await readFile(await download.path())
    const raw = await runCli(['get', JOB, '--output', 'raw', '--store', box.storeUrl], {env: box.env})
    expect(raw.code).toBe(0)
    expect(raw.stdoutBytes.equals(INPUT)).toBe(true)
    expect(downloaded.equals(raw.stdoutBytes)).toBe(true)
  })

  it('toggles timestamps and wrapping', async () => {
    const {page} = browser
    expect(await page.locator('.row .ts').count()).toBe(0)
    await page.check('input.timestamps')
    await expect.poll(() => page.locator('.row[data-seq="1"] .ts').textContent()).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$/)

    const longRow = page.locator('.row[data-seq="4"]')
    const oneLine = (await longRow.boundingBox())!.height
    await page.check('input.wrap')
    await expect.poll(async () => (await longRow.boundingBox())!.height).toBeGreaterThan(oneLine * 3)
    await screenshot(page, 'viewer-ended-wrapped')
    // The wrapped rows are taller than the view: scrolling up still reaches the first line.
    await page.mouse.move(500, 200)
    await page.mouse.wheel(0, -2000)
    await expect.poll(async () => (await visibleRows(page))[0]?.[0]).toBe(1)
    expect((await page.locator('.row[data-seq="1"]').boundingBox())!.y).toBeGreaterThan(0)
    await page.keyboard.press('G')
    await page.uncheck('input.wrap')
    await expect.poll(async () => (await longRow.boundingBox())!.height).toBe(oneLine)
  })

  it('follows the system theme and fits a phone-width screen', async () => {
    const dark = await launchBrowser({width: 390, height: 700, colorScheme: 'dark'})
    try {
      await dark.page.goto(`${relay.url}/jobs/${JOB}`)
      await expect.poll(async () => (await visibleRows(dark.page)).length, {timeout: 15_000}).toBe(6)
      const background = await dark.page.evaluate(() => getComputedStyle(document.body).backgroundColor)
      const light = await browser.page.evaluate(() => getComputedStyle(document.body).backgroundColor)
      expect(background).not.toBe(light)
      expect(background).toBe('rgb(13, 17, 23)')
      // No sideways scrolling of the page itself: only the log area scrolls horizontally.
      expect(await dark.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
      const search = (await dark.page.locator('.search').boundingBox())!
      expect(search.width).toBeGreaterThan(150)
      await screenshot(dark.page, 'viewer-phone-dark')
      await dark.page.goto(`${relay.url}/`)
      await expect.poll(() => dark.page.locator('tr[data-job]').count(), {timeout: 15_000}).toBe(1)
      expect(await dark.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
      await screenshot(dark.page, 'jobs-phone-dark')
    } finally {
      await dark.close()
    }
  })
})
