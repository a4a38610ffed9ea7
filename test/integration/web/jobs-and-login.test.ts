/**
 * The jobs list (status, lines, age, live/archived, filter box) and the token login: a
 * relay with --token sends the browser to /login, which sets an HttpOnly SameSite=Strict
 * cookie; the token never appears in a URL; logout clears it.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {endPush, launchBrowser, push, pushLive, sandbox, screenshot, startRelay, writeLines, type RunningRelay, type Sandbox} from './web-harness.js'

const TOKEN = 'write-Secret-1'
const READ_TOKEN = 'read-only+token/2='

describe('web: jobs list and login', () => {
  let box: Sandbox
  let relay: RunningRelay
  let browser: Awaited<ReturnType<typeof launchBrowser>>
  const urls: string[] = []

  beforeAll(async () => {
    box = sandbox()
    expect((await push(box, 'build-1', 'ok\n', ['--exit-code', '0'])).code).toBe(0)
    expect((await push(box, 'build-2', 'ERROR no\n', ['--exit-code', '1'])).code).toBe(0)
    expect((await push(box, 'deploy-1', 'a\nb\nc\n')).code).toBe(0)
    relay = await startRelay(box, {token: TOKEN, readToken: READ_TOKEN})
    browser = await launchBrowser()
    browser.page.on('request', (request) => urls.push(request.url()))
  })

  afterAll(async () => {
    await browser?.close()
    await relay?.stop()
    box?.cleanup()
  })

  it('sends a browser without a token to the login form, and rejects a wrong token there', async () => {
    const {page} = browser
    await page.goto(`${relay.url}/jobs/build-2#L1`)
    await page.waitForURL(/\/login\?next=/, {timeout: 15_000})
    expect(new URL(page.url()).searchParams.get('next')).toBe('/jobs/build-2#L1')
    await page.fill('input[name="token"]', 'wrong')
    await page.click('button[type="submit"]')
    await expect.poll(() => page.textContent('.error')).toBe('That token was not accepted.')
    expect(page.url()).toContain('/login')
  })

  it('logs in with a read token: HttpOnly SameSite=Strict cookie, back to the page asked for', async () => {
    const {page, context} = browser
    await page.fill('input[name="token"]', READ_TOKEN)
    await page.click('button[type="submit"]')
    await page.waitForURL(/\/jobs\/build-2#L1$/, {timeout: 15_000})
    await expect.poll(() => page.textContent('.row.target .text'), {timeout: 15_000}).toBe('ERROR no')
    const [cookie] = (await context.cookies()).filter((c) => c.name === 'logs_token')
    expect(cookie).toMatchObject({httpOnly: true, sameSite: 'Strict', path: '/'})
    expect(decodeURIComponent(cookie.value)).toBe(READ_TOKEN)
    expect(await page.evaluate(() => document.cookie)).toBe('') // scripts cannot read it
    // A read token in a cookie reads but cannot write.
    const write = await page.evaluate(async () => (await fetch('/v1/jobs/build-2/logs', {method: 'POST', body: 'x\n'})).status)
    expect(write).toBe(403)
  })

  it('lists jobs with status, phase and progress, lines, age and where they live; the filter box narrows them', async () => {
    const {page} = browser
    const live = pushLive(box, 'build-3')
    await writeLines(live, ['one', '{"phase":"migrate","progress":60}'])
    const job = () => page.evaluate(async () => (await (await fetch('/v1/jobs/build-3')).json()) as {lines?: number; phase?: string})
    await expect.poll(async () => [(await job()).lines, (await job()).phase], {timeout: 15_000}).toEqual([2, 'migrate'])
    await page.goto(`${relay.url}/`)
    await expect.poll(() => page.locator('tr[data-job]').count(), {timeout: 15_000}).toBe(4)
    const cells = (job: string) => page.locator(`tr[data-job="${job}"] td`).allTextContents()
    await expect.poll(() => cells('build-3')).toEqual(['build-3', 'running', 'migrate 60%', '2', expect.stringMatching(/ago|just now/), 'live'])
    expect(await cells('build-2')).toEqual(['build-2', 'failed (1)', '', '1', expect.stringMatching(/ago|just now/), 'live'])
    expect(await cells('deploy-1')).toEqual(['deploy-1', 'ended', '', '3', expect.stringMatching(/ago|just now/), 'live'])
    await screenshot(page, 'jobs-list')

    await page.keyboard.press('/')
    await page.keyboard.type('build fail')
    await expect.poll(() => page.locator('tr[data-job]').evaluateAll((rows) => rows.map((row) => (row as HTMLElement).dataset.job))).toEqual(['build-2'])
    expect(await page.textContent('.summary')).toBe('1 of 4 jobs')
    await page.click('tr[data-job="build-2"] a')
    await page.waitForURL(/\/jobs\/build-2$/)
    await endPush(live)
  })

  it('never puts the token in a URL, and logs out', async () => {
    const {page, context} = browser
    for (const url of urls) {
      expect(url).not.toContain(encodeURIComponent(READ_TOKEN))
      expect(url).not.toContain('read-only')
    }
    await page.goto(`${relay.url}/`)
    await page.click('form.logout button')
    await page.waitForURL(/\/login$/)
    expect((await context.cookies()).filter((c) => c.name === 'logs_token')).toEqual([])
  })
})
