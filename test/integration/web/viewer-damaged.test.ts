/**
 * An archived job with a damaged block in the web viewer: the lines after it are shown,
 * and the status line names the block that could not be read (the relay's history page
 * answers 200 with `unreadable`), as `logs get` names it on stderr. The block's rows say
 * they are unreadable and are not asked for again.
 */
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {BlobArchive} from '../../../src/lib/archive/blob-archive.js'
import type {IndexTable} from '../../../src/lib/archive/block-index.js'
import {newEntry} from '../../../src/lib/entry.js'
import {FileStore} from '../../../src/lib/store/file/file-store.js'
import {DirectoryBucket} from '../../../src/lib/store/object/directory-bucket.js'
import {iterate} from '../../helpers/iterables.js'
import {endedMeta, stepJob} from '../archive/archive-helpers.js'
import {launchBrowser, sandbox, startRelay, viewerStats, visibleRows, type RunningRelay, type Sandbox} from './web-harness.js'

const JOB = 'damaged.1'

describe('web viewer: an archived job with a damaged block', () => {
  let box: Sandbox
  let relay: RunningRelay
  let browser: Awaited<ReturnType<typeof launchBrowser>>
  let damaged: IndexTable['blocks'][number]
  let blockNumber: number

  beforeAll(async () => {
    box = sandbox()
    const root = join(box.home, 'archive')
    box.env.LOGS_ARCHIVE = `file://${root}`
    const archive = new BlobArchive({bucket: new DirectoryBucket(root), blockBytes: 16 * 1024})
    const entries = stepJob(3000)
    await archive.put(endedMeta(JOB, entries), iterate(entries))
    const manifest = (await archive.manifest(JOB))!
    await archive.close()
    const table = JSON.parse(
      readFileSync(join(root, `${JOB}.jsonl.zst.idx`))
        .subarray(0, manifest.index!.tableBytes)
        .toString(),
    ) as IndexTable
    // The last block but one: in the page of the first screen (the job's end).
    damaged = table.blocks.at(-2)!
    blockNumber = table.blocks.length - 2
    const object = join(root, `${JOB}.jsonl.zst`)
    const data = readFileSync(object)
    data.fill(0x55, damaged.offset + 20, damaged.offset + 60)
    writeFileSync(object, data)
    relay = await startRelay(box)
    browser = await launchBrowser({height: 400})
  })

  afterAll(async () => {
    await browser?.close()
    await relay?.stop()
    box?.cleanup()
  })

  it('shows the readable lines and names the unreadable block in the status line', async () => {
    const {page} = browser
    await page.goto(`${relay.url}/jobs/${JOB}`)
    await expect
      .poll(() => page.textContent('.message'), {timeout: 15_000})
      .toMatch(
        new RegExp(
          `^part of the job could not be read: block ${blockNumber} \\(bytes ${damaged.offset}\\.\\.\\d+, seq ${damaged.firstSeq}\\.\\.${damaged.lastSeq}\\) could not be read`,
        ),
      )
    // The lines after the block are shown; the job ends at line 3000.
    await expect.poll(async () => (await visibleRows(page)).at(-1), {timeout: 15_000}).toEqual([3000, expect.stringMatching(/^INFO step 3000 /)])
  })

  it("shows the block's rows as unreadable, naming it once, and does not ask for their page again", async () => {
    const own = await launchBrowser({height: 400})
    const {page, context} = own
    try {
      // The page of history that holds the damaged block, counted as the relay is asked for it.
      const pageAfter = Math.floor((damaged.firstSeq - 1) / 1000) * 1000
      let asked = 0
      let sentinels = 0
      await page.route(`**/v1/jobs/${JOB}/logs?*`, (route) => {
        if (new URL(route.request().url()).searchParams.get('after') === String(pageAfter)) asked++
        return route.continue()
      })
      await page.route('**/healthz', (route) => {
        sentinels++
        return route.continue()
      })
      await context.clock.install()
      await page.goto(`${relay.url}/jobs/${JOB}#L${damaged.firstSeq - 2}`)
      const phrase = new RegExp(`^unreadable: block ${blockNumber} \\(bytes ${damaged.offset}\\.\\.\\d+, seq ${damaged.firstSeq}\\.\\.${damaged.lastSeq}\\) could not be read`)
      await expect.poll(async () => (await visibleRows(page)).find(([seq]) => seq === damaged.firstSeq)?.[1], {timeout: 15_000}).toMatch(phrase)
      const rows = await visibleRows(page)
      expect(rows.find(([seq]) => seq === damaged.firstSeq - 1)?.[1]).toMatch(new RegExp(`^INFO step ${damaged.firstSeq - 1} `))
      const blockRows = rows.filter(([seq]) => seq > damaged.firstSeq && seq <= damaged.lastSeq)
      expect(blockRows.length).toBeGreaterThan(3)
      expect(blockRows.every(([, text]) => text === 'unreadable')).toBe(true)
      const askedWhenShown = asked
      expect(askedWhenShown).toBeGreaterThan(0)

      // Ten seconds later the rows are drawn again (timestamps on): the page is not asked for.
      await context.clock.fastForward(10_000)
      await page.check('input.timestamps')
      await expect.poll(() => page.locator('.rows .row .ts').count()).toBeGreaterThan(0)
      // A request made after the redraw: once the relay has it, one the redraw made would have been seen.
      await page.evaluate(() => fetch('/healthz'))
      expect(sentinels).toBe(1)
      expect(asked).toBe(askedWhenShown)
      expect(await visibleRows(page)).toContainEqual([damaged.firstSeq, expect.stringMatching(phrase)])
    } finally {
      await own.close()
    }
  })

  it('a page that was following the job when it was archived reads on past the damaged block the stream names: no gap, no reconnect loop', async () => {
    const MOVED = 'moved.1'
    const live = await new FileStore(join(box.home, 'store')).init()
    await live.startJob(MOVED)
    await live.append(
      MOVED,
      stepJob(10).map((entry) => newEntry(Buffer.from(entry.line), true, entry.ts)),
    )
    const own = await launchBrowser({height: 400})
    try {
      const {page} = own
      await page.goto(`${relay.url}/jobs/${MOVED}`)
      await expect.poll(async () => (await viewerStats(page)).state, {timeout: 15_000}).toBe('connected')
      expect((await viewerStats(page)).lastSeq).toBe(10)
      const port = relay.port
      await relay.stop()
      await expect.poll(async () => (await viewerStats(page)).state, {timeout: 15_000}).toBe('reconnecting')

      // Meanwhile the job ends and moves to the archive, where a block after the page's last line is damaged.
      const root = join(box.home, 'archive')
      const archive = new BlobArchive({bucket: new DirectoryBucket(root), blockBytes: 16 * 1024})
      const entries = stepJob(3000)
      await archive.put(endedMeta(MOVED, entries), iterate(entries))
      const manifest = (await archive.manifest(MOVED))!
      await archive.close()
      await live.deleteJob(MOVED)
      await live.close()
      const table = JSON.parse(
        readFileSync(join(root, `${MOVED}.jsonl.zst.idx`))
          .subarray(0, manifest.index!.tableBytes)
          .toString(),
      ) as IndexTable
      const lost = table.blocks[3]
      const object = join(root, `${MOVED}.jsonl.zst`)
      const data = readFileSync(object)
      data.fill(0x55, lost.offset + 20, lost.offset + 60)
      writeFileSync(object, data)

      relay = await startRelay(box, {port})
      await expect.poll(async () => (await viewerStats(page)).state, {timeout: 20_000}).toBe('ended')
      const stats = await viewerStats(page)
      expect([stats.lastSeq, stats.gaps, stats.duplicates]).toEqual([3000, 0, 0])
      expect(stats.received).toBe(3000 - 10 - lost.lines)
      expect(await page.textContent('.message')).toMatch(
        new RegExp(`^part of the job could not be read: block 3 \\(bytes ${lost.offset}\\.\\.\\d+, seq ${lost.firstSeq}\\.\\.${lost.lastSeq}\\)`),
      )
      await page.goto(`${relay.url}/jobs/${MOVED}#L${lost.firstSeq - 1}`)
      await expect.poll(async () => (await visibleRows(page)).find(([seq]) => seq === lost.firstSeq)?.[1], {timeout: 15_000}).toMatch(/^unreadable: block 3 /)
    } finally {
      await own.close()
    }
  })
})
