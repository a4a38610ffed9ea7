/**
 * Sections and phase in the web viewer, in a real chromium against a real `logs serve`:
 * a GitLab log (written from its documented markers) shown with foldable headers and
 * durations, folded where the marker says collapsed; the fold button, `z` and `Z`; a jump
 * to an error inside a folded section unfolds it; a running job's phase and progress in
 * the header, updated by the relay's `status` events.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import type {ChildProcess} from 'node:child_process'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {ROOT} from '../../helpers/cli.js'
import {endPush, launchBrowser, push, pushLive, sandbox, screenshot, startRelay, visibleRows, writeLines, type RunningRelay, type Sandbox} from './web-harness.js'

const seqs = async (page: Awaited<ReturnType<typeof launchBrowser>>['page']) => (await visibleRows(page)).map(([seq]) => seq)

describe('web viewer: sections and phase', () => {
  let box: Sandbox
  let relay: RunningRelay
  let browser: Awaited<ReturnType<typeof launchBrowser>>
  let pusher: ChildProcess | undefined

  beforeAll(async () => {
    box = sandbox()
    expect((await push(box, 'gitlab', readFileSync(join(ROOT, 'test', 'fixtures', 'ci', 'gitlab.log')), ['--exit-code', '1'])).code).toBe(0)
    relay = await startRelay(box)
    browser = await launchBrowser()
  })

  afterAll(async () => {
    await browser?.close()
    if (pusher) await endPush(pusher)
    await relay?.stop()
    box?.cleanup()
  })

  it('GitLab sections as headers with durations, [collapsed=true] folded; the fold button, z and Z; e unfolds to an error', async () => {
    const {page} = browser
    await page.goto(`${relay.url}/jobs/gitlab`)
    // prepare (lines 1-6) is folded: its header, then the script section.
    await expect.poll(() => seqs(page), {timeout: 15_000}).toEqual([1, 7, 8, 9])
    const header = page.locator('.row[data-seq="1"] .section-header')
    expect(await header.getAttribute('class')).toContain('folded')
    expect(await header.locator('.section-title').textContent()).toBe('Preparing the environment')
    expect(await header.locator('.section-facts').textContent()).toBe('10s · 6 lines')
    expect(await page.textContent('.row[data-seq="7"] .section-facts')).toMatch(/ · 3 lines · 1 error · failed$/)
    expect(await page.textContent('.rows')).not.toContain('section_start')
    await screenshot(page, 'viewer-sections')

    await header.locator('.fold').click()
    await expect.poll(() => seqs(page)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9])
    expect(await page.textContent('.row[data-seq="3"] .section-facts')).toBe('3s · 3 lines')
    expect(await page.textContent('.row[data-seq="5"] .text')).toBe('▴ fetch')

    await page.locator('.scroller').focus()
    await page.keyboard.press('Z')
    await expect.poll(() => seqs(page)).toEqual([1, 7])
    await expect.poll(() => page.textContent('.message')).toBe('all sections folded')
    // e: the error is inside the folded script section, which unfolds to show it.
    await page.keyboard.press('e')
    await expect.poll(() => seqs(page)).toEqual([1, 7, 8, 9])
    await expect.poll(() => page.textContent('.message')).toBe('error at line 9')
    // z unfolds the section at the top of the view (prepare's header); fetch inside it stays folded.
    await page.keyboard.press('g')
    await page.keyboard.press('z')
    await expect.poll(() => page.textContent('.message')).toBe('unfolded Preparing the environment')
    await expect.poll(() => seqs(page)).toEqual([1, 2, 3, 6, 7, 8, 9])
    // Z with some open folds every one; Z with all folded unfolds every one.
    await page.keyboard.press('Z')
    await expect.poll(() => seqs(page)).toEqual([1, 7])
    await page.keyboard.press('Z')
    await expect.poll(() => seqs(page)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9])
    await expect.poll(() => page.textContent('.message')).toBe('all sections unfolded')
  })

  it("a running job's phase and progress in the header, updated by status events", async () => {
    const {page} = browser
    pusher = pushLive(box, 'deploy')
    await writeLines(pusher, ['::group::Deploy', '{"phase":"migrate","progress":60}'])
    await page.goto(`${relay.url}/jobs/deploy`)
    await expect.poll(() => page.textContent('.phase'), {timeout: 15_000}).toBe('migrate60%')
    expect(await page.locator('.phase progress').evaluate((node) => (node as HTMLProgressElement).value)).toBe(60)
    expect(await page.textContent('.row[data-seq="1"] .section-facts')).toMatch(/^running · /)
    await writeLines(pusher, ['{"phase":"verify","progress":90}'])
    await expect.poll(() => page.textContent('.phase'), {timeout: 15_000}).toBe('verify90%')
    expect(await page.locator('.phase progress').evaluate((node) => (node as HTMLProgressElement).value)).toBe(90)
    // A status event counts sections only: the viewer fetches them when a section opens or closes.
    await writeLines(pusher, ['::endgroup::', '::group::Verify', 'checking'])
    await expect.poll(() => page.textContent('.row[data-seq="5"] .section-facts'), {timeout: 15_000}).toMatch(/^running · /)
    await expect.poll(() => page.textContent('.row[data-seq="1"] .section-facts'), {timeout: 15_000}).not.toMatch(/^running/)
    await screenshot(page, 'viewer-phase')
    await endPush(pusher)
    pusher = undefined
  })
})
