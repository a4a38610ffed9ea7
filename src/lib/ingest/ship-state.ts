/**
 * A spool's delivery state, as one fixed-size record rewritten in place (one pwrite before
 * each send, none at its confirmation: shipper.ts; a rename per batch made ext4 flush every
 * time):
 *
 *   f64 shipped         last spool seq the remote store has applied, as of the last send
 *   f64 inflight from   first seq of the batches being sent (0 = none)
 *   f64 inflight to     last seq of those batches
 *   f64 started         1 once the remote job was started
 *   f64 count           batches in flight (0: one, from..to, as written before there were more)
 *   f64 × MAX_INFLIGHT  the last seq of each, in order: its token
 *
 * After a crash the in-flight batches are re-sent as they were cut, each with its token,
 * which the remote store applies at most once (one it had applied is answered as a duplicate).
 */
import {closeSync, constants, openSync, readSync, writeSync} from 'node:fs'

export interface ShipState {
  shipped: number
  inflight?: {from: number; to: number}
  /** The last seq of each batch in flight, when there are several (the last is inflight.to). */
  ends?: number[]
  started: boolean
}

/** Batches a shipper may have in flight at once. */
export const MAX_INFLIGHT = 8
const HEAD = 32
const SIZE = HEAD + 8 + MAX_INFLIGHT * 8

export class ShipStateFile {
  private readonly fd: number

  constructor(path: string) {
    this.fd = openSync(path, constants.O_RDWR | constants.O_CREAT)
  }

  load(): ShipState {
    const buffer = Buffer.alloc(SIZE)
    const read = readSync(this.fd, buffer, 0, SIZE, 0)
    if (read < HEAD) return {shipped: 0, started: false}
    const from = buffer.readDoubleLE(8)
    const state: ShipState = {
      shipped: buffer.readDoubleLE(0),
      inflight: from > 0 ? {from, to: buffer.readDoubleLE(16)} : undefined,
      started: buffer.readDoubleLE(24) === 1,
    }
    const count = read >= HEAD + 8 ? buffer.readDoubleLE(HEAD) : 0
    if (state.inflight && count > 1) state.ends = Array.from({length: count}, (_, i) => buffer.readDoubleLE(HEAD + 8 + i * 8))
    return state
  }

  save(state: ShipState): void {
    const buffer = Buffer.alloc(SIZE)
    buffer.writeDoubleLE(state.shipped, 0)
    buffer.writeDoubleLE(state.inflight?.from ?? 0, 8)
    buffer.writeDoubleLE(state.inflight?.to ?? 0, 16)
    buffer.writeDoubleLE(state.started ? 1 : 0, 24)
    const ends = state.inflight ? (state.ends ?? []) : []
    if (ends.length > MAX_INFLIGHT) throw new RangeError(`${ends.length} batches in flight (at most ${MAX_INFLIGHT})`)
    buffer.writeDoubleLE(ends.length > 1 ? ends.length : 0, HEAD)
    ends.forEach((end, i) => buffer.writeDoubleLE(end, HEAD + 8 + i * 8))
    writeSync(this.fd, buffer, 0, SIZE, 0)
  }

  close(): void {
    closeSync(this.fd)
  }
}
