/**
 * A spool's delivery state, as one fixed-size record rewritten in place (one pwrite per
 * change; a rename per batch made ext4 flush every time):
 *
 *   f64 shipped         last spool seq the remote store has applied
 *   f64 inflight from   first seq of the batch being sent (0 = none)
 *   f64 inflight to     last seq of that batch; re-sent with the same token after a crash
 *   f64 started         1 once the remote job was started
 */
import {closeSync, constants, openSync, readSync, writeSync} from 'node:fs'

export interface ShipState {
  shipped: number
  inflight?: {from: number; to: number}
  started: boolean
}

const SIZE = 32

export class ShipStateFile {
  private readonly fd: number

  constructor(path: string) {
    this.fd = openSync(path, constants.O_RDWR | constants.O_CREAT)
  }

  load(): ShipState {
    const buffer = Buffer.alloc(SIZE)
    const read = readSync(this.fd, buffer, 0, SIZE, 0)
    if (read < SIZE) return {shipped: 0, started: false}
    const from = buffer.readDoubleLE(8)
    return {
      shipped: buffer.readDoubleLE(0),
      inflight: from > 0 ? {from, to: buffer.readDoubleLE(16)} : undefined,
      started: buffer.readDoubleLE(24) === 1,
    }
  }

  save(state: ShipState): void {
    const buffer = Buffer.alloc(SIZE)
    buffer.writeDoubleLE(state.shipped, 0)
    buffer.writeDoubleLE(state.inflight?.from ?? 0, 8)
    buffer.writeDoubleLE(state.inflight?.to ?? 0, 16)
    buffer.writeDoubleLE(state.started ? 1 : 0, 24)
    writeSync(this.fd, buffer, 0, SIZE, 0)
  }

  close(): void {
    closeSync(this.fd)
  }
}
