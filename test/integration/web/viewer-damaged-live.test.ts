/**
 * A running job whose file-store log was cut short (a full disk, a partial copy or restore)
 * in the web viewer. The relay sends the entries before the damage, then a `failed` event
 * (the stream) or an `error` field (a history page); the viewer shows those lines, says
 * in its status line that the log is damaged (the relay's message and hint, as `logs get`
 * prints them) and asks for nothing again. Before, it reconnected to the stream forever
 * and never said why.
 */
import {mkdirSync, renameSync, statSync, truncateSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {newEntry} from '../../../src/lib/entry.js'
import {FileStore} from '../../../src/lib/store/file/file-store.js'
import {runCli} from '../../helpers/cli.js'
import {raw} from '../../helpers/relay.js'
import {launchBrowser, numbered, sandbox, startRelay, viewerStats, visibleRows, type RunningRelay, type Sandbox} from './web-harness.js'

describe('web viewer: a live job whose log was cut short', () => {
  let box: Sandbox
  let relay: RunningRelay

  beforeAll(async () => {
    box = sandbox()
    mkdirSync(join(box.home, 'store', 'jobs'), {recursive: true})
    relay = await startRelay(box)
  })

  afterAll(async () => {
    await relay?.stop()
    box?.cleanup()
  })

  /** A running job of `lines` lines in a store of its own under `root`, its log then cut in half; returns how many whole lines are before the cut. */
  async function cutShort(job: string, root: string, lines: number): Promise<number> {
    const store = await new FileStore(root).init()
    await store.startJob(job)
    const ts = Date.now()
    await store.append(
      job,
      numbered(1, lines).map((line) => newEntry(Buffer.from(line), true, ts)),
    )
    await store.close()
    const log = join(root, 'jobs', job, 'log')
    const cutAt = Math.floor(statSync(log).size / 2)
    truncateSync(log, cutAt)
    const whole = numbered(1, lines)
      .map((line) => `${line}\n`)
      .join('')
      .slice(0, cutAt)
    return whole.split('\n').length - 1
  }

  /** Each page names the byte where its read met the damage: the rest of the message is the same. */
  function anyByte(text: string | null): string | undefined {
    return text?.replace(/at byte \d+/, 'at byte …')
  }

  /** What `logs get` says of the job: the message and its hint, as the viewer's status line should say them. */
  async function damageMessage(job: string): Promise<string> {
    const direct = await runCli(['get', job, '--store', box.storeUrl], {env: box.env})
    expect(direct.code).toBe(1)
    const [message, hint] = direct.stderr.trimEnd().split('\n')
    expect(message).toMatch(new RegExp(`^logs: job ${job} in file://\\S+ is damaged: `))
    return `${message.replace(/^logs: /, '')} — ${hint.trim()}`
  }

  it('a page waiting for the job: the stream gives the lines before the damage, then the error in the status line, and no reconnect', async () => {
    const JOB = 'restored.1'
    const browser = await launchBrowser({height: 1400})
    try {
      const {page, context} = browser
      let streams = 0
      let sentinels = 0
      page.on('request', (request) => {
        const {pathname} = new URL(request.url())
        if (pathname === `/v1/jobs/${JOB}/logs/stream`) streams++
        if (pathname === '/healthz') sentinels++
      })
      await context.clock.install()
      await page.goto(`${relay.url}/jobs/${JOB}`)
      await expect.poll(() => page.textContent('.message'), {timeout: 15_000}).toMatch(/waiting for it to start/)
      await expect.poll(async () => (await raw(`${relay.url}/metrics`)).body, {timeout: 15_000}).toMatch(/^logs_relay_clients 1$/m)

      // The job appears, already damaged (a partial restore), while the relay's stream waits for it.
      const staging = join(box.home, 'staging')
      const count = await cutShort(JOB, staging, 50)
      renameSync(join(staging, 'jobs', JOB), join(box.home, 'store', 'jobs', JOB))
      const said = await damageMessage(JOB)

      await expect.poll(async () => anyByte(await page.textContent('.message')), {timeout: 15_000}).toBe(anyByte(said))
      const stats = await viewerStats(page)
      expect([stats.state, stats.lastSeq, stats.received, stats.gaps]).toEqual(['failed', count, count, 0])
      expect(await page.getAttribute('.connection', 'data-state')).toBe('failed')
      const rows = await visibleRows(page)
      expect(rows.slice(0, count)).toEqual(numbered(1, count).map((line, i) => [i + 1, line]))

      // A minute later (every backoff of a reconnect passed), a request made after any reconnect would have been: none was.
      await context.clock.fastForward(60_000)
      await page.evaluate(() => fetch('/healthz'))
      await expect.poll(() => sentinels).toBe(1)
      expect(streams).toBe(1)
      expect(anyByte(await page.textContent('.message'))).toBe(anyByte(said))
    } finally {
      await browser.close()
    }
  })

  it("a page opened on it: the history pages' entries before the damage, the error in the status line, the rows after it unreadable and not asked for again", async () => {
    const JOB = 'cut.1'
    const count = await cutShort(JOB, join(box.home, 'store'), 3000)
    const said = anyByte(await damageMessage(JOB))
    // Lines 1001…count come with the error (200), the page after (2001…3000) is the error alone (500).
    expect(count).toBeGreaterThan(1010)
    expect(count).toBeLessThan(1990)
    const browser = await launchBrowser({height: 400})
    try {
      const {page, context} = browser
      const asked = new Map<string, number>()
      let sentinels = 0
      await page.route(`**/v1/jobs/${JOB}/logs?*`, (route) => {
        const after = new URL(route.request().url()).searchParams.get('after') ?? ''
        asked.set(after, (asked.get(after) ?? 0) + 1)
        return route.continue()
      })
      await page.route('**/healthz', (route) => {
        sentinels++
        return route.continue()
      })
      /** Ten seconds later rows are drawn again: a request made after the redraw reaches the relay, and no page was asked for again. */
      const expectNoPageAskedAgain = async (redraw: () => Promise<void>) => {
        const before = new Map(asked)
        await context.clock.fastForward(10_000)
        await redraw()
        const seen = sentinels
        await page.evaluate(() => fetch('/healthz'))
        expect(sentinels).toBe(seen + 1)
        expect(asked).toEqual(before)
      }
      await context.clock.install()

      await page.goto(`${relay.url}/jobs/${JOB}#L${count}`)
      await expect.poll(async () => anyByte(await page.textContent('.message')), {timeout: 15_000}).toBe(said)
      const message = (await page.textContent('.message'))!.split(' — ')[0]
      await expect.poll(async () => (await visibleRows(page)).find(([seq]) => seq === count + 1)?.[1], {timeout: 15_000}).toBe(`unreadable: ${message}`)
      const rows = await visibleRows(page)
      const before = rows.filter(([seq]) => seq <= count)
      expect(before.length).toBeGreaterThan(3)
      expect(before).toEqual(before.map(([seq]) => [seq, `line ${seq}`]))
      expect(rows.filter(([seq]) => seq > count + 1).every(([, text]) => text === 'unreadable')).toBe(true)
      expect(asked.get('1000')).toBeGreaterThan(0)
      await expectNoPageAskedAgain(async () => {
        await page.check('input.timestamps')
        await expect.poll(() => page.locator('.rows .row .ts').count()).toBeGreaterThan(0)
        await page.uncheck('input.timestamps')
      })

      // The job's end, past the damage: its page is the error alone; its rows are unreadable, the error still said.
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur()) // keys typed in the checkbox are its own
      await page.keyboard.press('End')
      await expect.poll(async () => (await visibleRows(page)).at(-1), {timeout: 15_000}).toEqual([3000, 'unreadable'])
      expect((await visibleRows(page)).every(([, text]) => text === 'unreadable')).toBe(true)
      expect(anyByte(await page.textContent('.message'))).toBe(said)
      expect(asked.get('2000')).toBeGreaterThan(0)
      // Rows of that page not drawn yet: scrolled into view.
      await expectNoPageAskedAgain(async () => {
        const [bottom] = (await visibleRows(page)).at(-1)!
        await page.keyboard.press('PageUp')
        await expect.poll(async () => (await visibleRows(page)).at(-1)![0]).toBeLessThan(bottom)
      })
      expect((await visibleRows(page)).every(([seq, text]) => seq > 2000 && text === 'unreadable')).toBe(true)
    } finally {
      await browser.close()
    }
  })

  it('a level filter on it, opened at its first line: the scan stops at the damage and the status line says why', async () => {
    const JOB = 'cut.2'
    const count = await cutShort(JOB, join(box.home, 'store'), 3000)
    const said = anyByte(await damageMessage(JOB))
    const browser = await launchBrowser({height: 400})
    try {
      const {page} = browser
      // At its first line the page of lines 1…1000 is whole, and the stream starts after the last line recorded: nothing meets the damage yet.
      await page.goto(`${relay.url}/jobs/${JOB}#L1`)
      await expect.poll(async () => (await visibleRows(page))[0], {timeout: 15_000}).toEqual([1, 'line 1'])
      expect(anyByte(await page.textContent('.message'))).not.toBe(said)

      // No line has a level: the filter shows none, and its scan reads the log up to the damage. Before: it stopped there silently.
      await page.selectOption('.level', 'error')
      await expect.poll(async () => anyByte(await page.textContent('.message')), {timeout: 15_000}).toBe(said)
      await expect.poll(() => page.textContent('.line-count')).toMatch(/ · 0 shown$/)
      expect(count).toBeLessThan(3000)
    } finally {
      await browser.close()
    }
  })
})
