import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {newEntry, type NewEntry} from '../../../src/lib/entry.js'
import {StoreUnavailableError} from '../../../src/lib/errors/index.js'
import {ShipStateFile} from '../../../src/lib/ingest/ship-state.js'
import {Shipper} from '../../../src/lib/ingest/shipper.js'
import {FileStore} from '../../../src/lib/store/file/file-store.js'
import {unpackEntries, type PackedEntries} from '../../../src/lib/store/packed-entries.js'
import {waitUntil} from '../../helpers/wait.js'
import type {AppendResult, AppendToken} from '../../../src/lib/store/types.js'

/** A real file store that counts how often the shipper reads its job. */
class CountingSpool extends FileStore {
  jobReads = 0
  override async getJob(...args: Parameters<FileStore['getJob']>): ReturnType<FileStore['getJob']> {
    this.jobReads++
    return super.getJob(...args)
  }
}

/**
 * A real file store as a remote that takes several appends in flight (as Redis and the relay
 * do) and fails the appends `fail` picks: before applying them (the request never arrived)
 * or after (the answer was lost).
 */
class FlakyRemote extends FileStore {
  readonly appendWindow = 4
  calls: AppendToken[] = []
  fail: (call: number, token: AppendToken | undefined) => 'before' | 'after' | undefined = () => undefined
  override async append(id: string, entries: NewEntry[], token?: AppendToken): Promise<AppendResult> {
    const call = this.calls.push(token!)
    const failure = this.fail(call, token)
    if (failure === 'before') throw new StoreUnavailableError(this.name, 'connection reset')
    const result = await super.append(id, entries, token)
    if (failure === 'after') throw new StoreUnavailableError(this.name, 'connection reset before the answer')
    return result
  }

  override async appendPacked(id: string, packed: PackedEntries, token?: AppendToken): Promise<AppendResult> {
    return this.append(id, unpackEntries(packed), token)
  }
}

/** A real file store as a remote whose first append waits, unapplied, until release() (a reply still on its way). */
class HeldRemote extends FileStore {
  readonly appendWindow = 4
  calls: Array<{token: AppendToken | undefined; lines: number}> = []
  release: () => void = () => {}
  private readonly held = new Promise<void>((resolve) => (this.release = resolve))
  override async append(id: string, entries: NewEntry[], token?: AppendToken): Promise<AppendResult> {
    if (this.calls.push({token, lines: entries.length}) === 1) await this.held
    return super.append(id, entries, token)
  }

  override async appendPacked(id: string, packed: PackedEntries, token?: AppendToken): Promise<AppendResult> {
    return this.append(id, unpackEntries(packed), token)
  }
}

const lineText = (entry: {line: string; bytes?: Buffer}) => (entry.bytes ?? Buffer.from(entry.line)).toString('latin1')

// The shipper sends a spool on, read back from it packed: every line once, in order.
describe('Shipper', () => {
  const dirs: string[] = []
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, {recursive: true, force: true})
  })
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'logs-shipper-'))
    dirs.push(dir)
    return dir
  }
  const store = async () => new FileStore(tempDir()).init()
  const numbered = (from: number, count: number) => Array.from({length: count}, (_, i) => newEntry(Buffer.from(`line ${from + i}`), true, 1000 + from + i))
  const remoteLines = async (remote: FileStore) => {
    const lines: string[] = []
    const seqs: number[] = []
    for await (const entry of remote.read('job')) {
      seqs.push(entry.seq)
      lines.push(lineText(entry))
    }
    return {lines, seqs}
  }

  /** Spools each batch and tells the running shipper, as push does, letting it run every `yieldEvery` batches; then ends the job. */
  const spoolAndEnd = async (spool: FileStore, shipper: Shipper, batches: NewEntry[][], yieldEvery: number) => {
    for (const [batch, entries] of batches.entries()) {
      const {last} = await spool.append('writer', entries)
      shipper.spooledUpTo(last)
      if (batch % yieldEvery === 0) await new Promise((resolve) => setImmediate(resolve))
    }
    await spool.endJob('writer', {status: 'succeeded', exitCode: 0})
    shipper.notify()
  }

  for (const maxBatchBytes of [1, 500, 1 << 20]) {
    it(`delivers every line once and in order in batches of up to ${maxBatchBytes} bytes`, async () => {
      const spool = await store()
      const remote = await store()
      await spool.startJob('writer')
      const shipper = new Shipper({store: spool, writer: 'writer'}, remote, 'job', {maxBatchBytes})
      const running = shipper.run()
      const batches = Array.from({length: 20}, (_, batch) =>
        Array.from({length: 7}, (_, i) => newEntry(Buffer.from(`line ${batch}.${i} \r\x00\xff`, 'latin1'), true, 1000 + batch)),
      )
      const expected = batches.flat().map((entry) => entry.bytes.toString('latin1'))
      await spoolAndEnd(spool, shipper, batches, 3)
      expect(await running).toBe(true)
      const seqs: number[] = []
      const lines: string[] = []
      for await (const entry of remote.read('job')) {
        seqs.push(entry.seq)
        lines.push(lineText(entry))
      }
      expect(seqs).toEqual(expected.map((_, i) => i + 1))
      expect(lines).toEqual(expected)
      expect((await remote.getJob('job'))?.status).toBe('succeeded')
    })
  }

  // A store that gathers lines between appends (--flush-interval) still ships a backlog back to
  // back when its turn comes: it used to send one batch per interval, so a job writing faster
  // than a batch per interval fell further behind for as long as it ran.
  it('with a flush interval, ships the whole backlog at its turn, in batches of maxBatchBytes, while the job runs', async () => {
    const spool = await store()
    const remote = await store()
    await spool.startJob('writer')
    await spool.append('writer', numbered(1, 200))
    const shipper = new Shipper({store: spool, writer: 'writer'}, remote, 'job', {batchInterval: 3_600_000, maxBatchBytes: 500})
    const running = shipper.run()
    await waitUntil(async () => (await remote.getJob('job'))?.lines === 200, {what: 'the backlog of 200 lines shipped'})
    expect((await remoteLines(remote)).seqs).toEqual(Array.from({length: 200}, (_, i) => i + 1))
    shipper.stop()
    expect(await running).toBe(false)
  })

  it('learns how far the spool goes from its writer: the job is not read for every batch', async () => {
    const spool = await new CountingSpool(tempDir()).init()
    const remote = await store()
    await spool.startJob('writer')
    const shipper = new Shipper({store: spool, writer: 'writer'}, remote, 'job', {maxBatchBytes: 500})
    const running = shipper.run()
    await spoolAndEnd(
      spool,
      shipper,
      Array.from({length: 20}, (_, batch) => numbered(batch * 10 + 1, 10)),
      1,
    )
    expect(await running).toBe(true)
    // The offers tell the shipper how many lines the spool holds: its job is read around the start and the end, not for each of the 20 batches.
    expect(spool.jobReads).toBeLessThan(10)
    const {lines, seqs} = await remoteLines(remote)
    expect(lines).toEqual(numbered(1, 200).map((entry) => entry.bytes.toString('latin1')))
    expect(seqs).toEqual(lines.map((_, i) => i + 1))
  })

  it('sends lines spooled while a small append is in flight at once, without waiting for its reply; while much is in flight they gather', async () => {
    const spool = await store()
    const remote = await new HeldRemote(tempDir()).init()
    await spool.startJob('writer')
    const shipper = new Shipper({store: spool, writer: 'writer'}, remote, 'job')
    const running = shipper.run()
    const offer = async (entries: NewEntry[]) => shipper.spooledUpTo((await spool.append('writer', entries)).last)
    await offer(numbered(1, 1))
    await waitUntil(() => remote.calls.length === 1, {what: 'the first append'})
    await offer(numbered(2, 1))
    // The first append has not answered: the second line goes out beside it (the latency of a slow job's lines).
    await waitUntil(() => remote.calls.length === 2, {what: 'the second line sent while the first append is in flight'})
    remote.release()
    await waitUntil(async () => (await remote.getJob('job'))?.lines === 2, {what: 'both lines applied'})

    // A big batch in flight: lines spooled meanwhile wait for its reply and go out together.
    const big = await new HeldRemote(tempDir()).init()
    const spool2 = await store()
    await spool2.startJob('writer')
    const shipper2 = new Shipper({store: spool2, writer: 'writer'}, big, 'job')
    const running2 = shipper2.run()
    const offer2 = async (entries: NewEntry[]) => shipper2.spooledUpTo((await spool2.append('writer', entries)).last)
    const wide = (from: number, count: number) => Array.from({length: count}, (_, i) => newEntry(Buffer.alloc(1000, 97 + ((from + i) % 26)), true, 1000 + from + i))
    await offer2(wide(1, 400))
    await waitUntil(() => big.calls.length === 1, {what: 'the big append'})
    for (let i = 0; i < 3; i++) await offer2(wide(401 + i, 1))
    // What the shipper does on an offer is done by the next turn of the event loop (no I/O in it).
    await new Promise((resolve) => setImmediate(resolve))
    expect(big.calls.length).toBe(1)
    big.release()
    await waitUntil(async () => (await big.getJob('job'))?.lines === 403, {what: 'every line applied'})
    expect(big.calls.map((call) => call.lines)).toEqual([400, 3])

    for (const [spooled, ended] of [
      [spool, shipper],
      [spool2, shipper2],
    ] as const) {
      await spooled.endJob('writer', {status: 'succeeded', exitCode: 0})
      ended.notify()
    }
    expect(await running).toBe(true)
    expect(await running2).toBe(true)
    expect((await remoteLines(remote)).lines).toEqual(numbered(1, 2).map((entry) => entry.bytes.toString('latin1')))
  })

  it('after a crash between an append and its record, re-sends the in-flight batch with its token: applied once, nothing skipped', async () => {
    // The dead shipper had started the job, sent lines 1-10 (applied), then 11-20 (applied
    // by the remote, but the process died before it recorded that); 21-30 never left.
    const {spool, remote} = await afterCrashWithBatchInFlight({inflightApplied: true})
    expect(await new Shipper({store: spool, writer: 'writer'}, remote, 'job').run()).toBe(true)
    await expectLines1To30(remote)
    expect((await remote.getJob('job'))?.status).toBe('succeeded')
    expect(await spool.getJob('writer')).toBeUndefined() // delivered: the spool is gone
  })

  it('after a crash before the in-flight batch reached the remote, sends it then: nothing skipped', async () => {
    const {spool, remote} = await afterCrashWithBatchInFlight({inflightApplied: false})
    expect(await new Shipper({store: spool, writer: 'writer'}, remote, 'job').run()).toBe(true)
    await expectLines1To30(remote)
  })

  for (const failure of ['before', 'after'] as const) {
    it(`with several appends in flight, one failing ${failure} it is applied: every line once, in order, the later ones re-sent after it`, async () => {
      const spool = await store()
      const remote = await new FlakyRemote(tempDir()).init()
      remote.fail = (call) => (call === 3 ? failure : undefined)
      await spool.startJob('writer')
      const outages: Error[] = []
      let recovered = 0
      const shipper = new Shipper({store: spool, writer: 'writer'}, remote, 'job', {
        maxBatchBytes: 100,
        onOutage: (error) => outages.push(error),
        onRecovered: () => recovered++,
      })
      // Spooled before the shipper runs: it cuts them into batches of ~100 bytes and keeps 4 in flight.
      for (let batch = 0; batch < 10; batch++) {
        const entries = numbered(batch * 10 + 1, 10)
        shipper.spooledUpTo((await spool.append('writer', entries)).last)
      }
      await spool.endJob('writer', {status: 'succeeded', exitCode: 0})
      expect(await shipper.run()).toBe(true)
      const {lines, seqs} = await remoteLines(remote)
      expect(lines).toEqual(numbered(1, 100).map((entry) => entry.bytes.toString('latin1')))
      expect(seqs).toEqual(lines.map((_, i) => i + 1))
      // The third was in flight with the fourth (and more) behind it: they were sent before it failed.
      const tokens = remote.calls.map((token) => token.batch)
      expect(remote.calls[3].after).toBe(remote.calls[2].batch)
      expect(tokens.filter((batch) => batch === remote.calls[2].batch)).toHaveLength(2)
      expect(outages).toHaveLength(1)
      expect(recovered).toBe(1)
    })
  }

  it('through an outage mid-stream with batches in flight: retries, then resumes from the spool; every line once, in order, the outage reported once', async () => {
    const spool = await store()
    const remote = await new FlakyRemote(tempDir()).init()
    // Down from the 4th append on, for 6 attempts: the batches in flight fail, then the retries.
    remote.fail = (call) => (call >= 4 && call < 10 ? 'before' : undefined)
    await spool.startJob('writer')
    const outages: Error[] = []
    let recovered = 0
    const shipper = new Shipper({store: spool, writer: 'writer'}, remote, 'job', {
      maxBatchBytes: 100,
      onOutage: (error) => outages.push(error),
      onRecovered: () => recovered++,
    })
    const running = shipper.run()
    await spoolAndEnd(
      spool,
      shipper,
      Array.from({length: 30}, (_, batch) => numbered(batch * 10 + 1, 10)),
      1,
    )
    expect(await running).toBe(true)
    const {lines, seqs} = await remoteLines(remote)
    expect(lines).toEqual(numbered(1, 300).map((entry) => entry.bytes.toString('latin1')))
    expect(seqs).toEqual(lines.map((_, i) => i + 1))
    expect(outages).toHaveLength(1)
    expect(recovered).toBe(1)
  })

  it('after a crash with several batches in flight, re-sends each as it was cut: applied once, nothing skipped', async () => {
    // The dead shipper had 11-20 and 21-30 in flight; the remote had applied the first of them.
    const {spool, remote} = await afterCrashWithBatchInFlight({inflightApplied: true, ends: [20, 30]})
    expect(await new Shipper({store: spool, writer: 'writer'}, remote, 'job').run()).toBe(true)
    await expectLines1To30(remote)
  })

  it('records a confirmed batch with the next send, not on its own: killed after the reply, the batch is re-sent and answered as a duplicate; every line once', async () => {
    const spool = await store()
    const remote = await new FlakyRemote(tempDir()).init()
    await spool.startJob('writer')
    const shipper = new Shipper({store: spool, writer: 'writer', own: true}, remote, 'job')
    const running = shipper.run()
    const first = numbered(1, 10)
    shipper.spooledUpTo((await spool.append('writer', first)).last)
    await waitUntil(async () => (await remote.getJob('job'))?.lines === 10, {what: 'lines 1-10 at the remote'})
    // Stopped where a kill -9 would leave it: the batch was applied and confirmed, and nothing written since its send.
    shipper.stop()
    expect(await running).toBe(false)
    const stateFile = new ShipStateFile(join(spool.root, 'jobs', 'writer', 'ship'))
    expect(stateFile.load()).toEqual({shipped: 0, inflight: {from: 1, to: 10}, started: true})
    stateFile.close()

    await spool.append('writer', numbered(11, 10))
    await spool.endJob('writer', {status: 'succeeded', exitCode: 0})
    expect(await new Shipper({store: spool, writer: 'writer'}, remote, 'job').run()).toBe(true)
    expect(remote.calls.map((token) => token.batch)).toEqual([10, 10, 20])
    await expectLines1To(20, remote)
  })

  /** A spool of 30 ended lines whose dead shipper had delivered 1-10 and had 11-20 in flight (applied by the remote or not). */
  async function afterCrashWithBatchInFlight({inflightApplied, ends}: {inflightApplied: boolean; ends?: number[]}) {
    const spool = await store()
    const remote = await store()
    await spool.startJob('writer')
    await spool.append('writer', numbered(1, 30))
    await spool.endJob('writer', {status: 'succeeded', exitCode: 0})
    await remote.startJob('job')
    await remote.append('job', numbered(1, 10), {writer: 'writer', batch: 10})
    if (inflightApplied) await remote.append('job', numbered(11, 10), {writer: 'writer', batch: 20})
    const state = new ShipStateFile(join(spool.root, 'jobs', 'writer', 'ship'))
    state.save(ends ? {shipped: 10, inflight: {from: 11, to: ends.at(-1)!}, ends, started: true} : {shipped: 10, inflight: {from: 11, to: 20}, started: true})
    state.close()
    return {spool, remote}
  }

  async function expectLines1To30(remote: FileStore): Promise<void> {
    await expectLines1To(30, remote)
  }

  async function expectLines1To(last: number, remote: FileStore): Promise<void> {
    const {lines, seqs} = await remoteLines(remote)
    expect(lines).toEqual(numbered(1, last).map((entry) => entry.bytes.toString('latin1')))
    expect(seqs).toEqual(lines.map((_, i) => i + 1))
  }
})
