/**
 * A file-store follower wakes once per append, when the batch's records are in `idx`, not
 * at the first file the append touches (its lock, before any data is written): each early
 * wake cost an empty read round, a thread-pool round trip on every line's way to the screen.
 * And it reads a small new batch without thread-pool round trips at all (counted with
 * async_hooks: no FSREQ is created).
 *
 * Observable without a clock: a second, unfiltered watcher of the same directory shows
 * when the append's last event (the lock's removal) has been delivered. A follower woken
 * by any event after `idx` would then hold a pending change, and its next wait would
 * return at once with "nothing notable" instead of waiting for the metadata change.
 */
import {createHook} from 'node:async_hooks'
import {mkdtempSync, rmSync, watch, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {setImmediate as nextTurn} from 'node:timers/promises'
import {afterAll, describe, expect, it} from 'vitest'
import {newEntry} from '../../../src/lib/entry.js'
import {FileStore} from '../../../src/lib/store/file/file-store.js'
import {openFileFollowSource} from '../../../src/lib/store/file/follow-source.js'
import {DirectoryWake} from '../../../src/lib/store/file/wake.js'
import {waitUntil} from '../../helpers/wait.js'

const root = mkdtempSync(join(tmpdir(), 'logs-file-wake-'))
afterAll(() => rmSync(root, {recursive: true, force: true}))

/** Every change in `dir`, as fs.watch reports it, in order. */
function observe(dir: string): {names: string[]; close: () => void} {
  const names: string[] = []
  const watcher = watch(dir, (_event, name) => names.push(String(name)))
  return {names, close: () => watcher.close()}
}

describe('file store follower wake', () => {
  it('an ignored file does not wake a waiter; a notable one does', async () => {
    const dir = mkdtempSync(join(root, 'dir-'))
    const wake = new DirectoryWake(dir, (name) => (name === 'noise' ? 'ignored' : 'notable'))
    const seen = observe(dir)
    try {
      writeFileSync(join(dir, 'noise'), 'x')
      await waitUntil(() => seen.names.includes('noise'), {what: 'the change of the ignored file'})
      await nextTurn() // every watcher of the directory has been given the event
      const next = wake.next()
      writeFileSync(join(dir, 'meta'), 'x')
      expect(await next).toBe(true)
    } finally {
      seen.close()
      wake.close()
    }
  })

  it('wakes once an append has written its records, and not again for the rest of the append', async () => {
    const store = await new FileStore(root).init()
    await store.startJob('wake')
    const dir = join(root, 'jobs', 'wake')
    const source = await openFileFollowSource({
      dir,
      owner: {id: 'wake', store: store.name},
      metaFile: 'meta.json',
      meta: () => store.getJob('wake'),
      notFound: () => new Error('gone'),
    })
    const seen = observe(dir)
    try {
      const woken = source.wait()
      await store.append('wake', [newEntry(Buffer.from('one line'), true, Date.now())])
      expect(await woken).toBe(false) // lines, not metadata
      const batches: number[][] = []
      for await (const entries of source.entries(0, (await store.getJob('wake'))!)) batches.push(entries.map((entry) => entry.seq))
      expect(batches).toEqual([[1]])
      // The append's last event, the lock's removal, has reached every watcher.
      await waitUntil(() => seen.names.filter((name) => name === 'lock').length >= 2, {what: 'the lock taken and released'})
      await nextTurn()
      const next = source.wait()
      await store.updateJob('wake', {phase: 'deploy'})
      expect(await next).toBe(true)
    } finally {
      seen.close()
      await source.close()
      await store.close()
    }
  })

  it('reads what was just appended without a thread-pool round trip; a catch-up past 64 KiB reads asynchronously, every line in order', async () => {
    const store = await new FileStore(root).init()
    await store.startJob('reads')
    const dir = join(root, 'jobs', 'reads')
    const source = await openFileFollowSource({
      dir,
      owner: {id: 'reads', store: store.name},
      metaFile: 'meta.json',
      meta: () => store.getJob('reads'),
      notFound: () => new Error('gone'),
    })
    const seqs: number[] = []
    const readNew = async () => {
      for await (const entries of source.entries(seqs.at(-1) ?? 0, (await store.getJob('reads'))!)) seqs.push(...entries.map((entry) => entry.seq))
    }
    let requests = 0
    const hook = createHook({init: (_id, type) => void (type.startsWith('FSREQ') && requests++)})
    try {
      hook.enable()
      for (let i = 1; i <= 5; i++) {
        const woken = source.wait()
        await store.append('reads', [newEntry(Buffer.from(`line ${i}`), true, Date.now())])
        await woken
        await readNew()
      }
      hook.disable()
      expect(seqs).toEqual([1, 2, 3, 4, 5])
      expect(requests).toBe(0)

      const line = 'x'.repeat(99)
      await store.append(
        'reads',
        Array.from({length: 2000}, () => newEntry(Buffer.from(line), true, Date.now())),
      )
      hook.enable()
      await readNew()
      hook.disable()
      expect(seqs).toEqual(Array.from({length: 2005}, (_, i) => i + 1))
      expect(requests).toBeGreaterThan(0) // 200 KB of log: read on the thread pool
    } finally {
      hook.disable()
      await source.close()
      await store.close()
    }
  })
})
