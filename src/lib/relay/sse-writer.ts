/**
 * One follower's end of a stream. Two ways to write:
 *   - `writeAndWait` while catching up on history: waits for the socket to drain, so a
 *     slow client only slows its own history read;
 *   - `push` for live entries fanned out by the hub: never waits. What the socket cannot
 *     take yet stays in Node's buffer; past `maxBufferedBytes` the follower is dropped with
 *     a reason instead of slowing the job's reader or the other followers.
 */
import type {ServerResponse} from 'node:http'
import {PING_HEADER} from '../store/relay/relay-http.js'
import {drainedOrClosed} from './respond.js'
import {commentFrame, droppedFrame, retryFrame} from './sse-frames.js'

export interface SseWriterOptions {
  maxBufferedBytes: number
  retryMs: number
  pingMs: number
  /** Called once when the writer gives up on a slow client (before the connection closes). */
  onDrop?: (reason: string) => void
}

/** Grace given to a dropped client to read the reason before its socket is destroyed. */
const DROP_GRACE_MS = 1000

export class SseWriter {
  private closedFlag = false
  /** A history write waits for the socket: the client is slow only to itself, not dropped. */
  private waiting = false
  private readonly ping: NodeJS.Timeout

  constructor(
    private readonly response: ServerResponse,
    private readonly options: SseWriterOptions,
    extraHeaders: Record<string, string> = {},
  ) {
    response.writeHead(200, {
      ...extraHeaders,
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
      [PING_HEADER]: String(options.pingMs),
    })
    response.socket?.setNoDelay(true)
    response.write(retryFrame(options.retryMs))
    this.ping = setInterval(() => this.push(commentFrame('ping')), options.pingMs)
    this.ping.unref()
    response.once('close', () => this.markClosed())
  }

  get closed(): boolean {
    return this.closedFlag
  }

  /** Bytes accepted but not yet handed to the kernel. */
  get bufferedBytes(): number {
    return this.response.writableLength
  }

  /**
   * Writes without waiting. A client that still has more than the bound waiting from
   * earlier writes is dropped instead: the check comes first so that one large batch
   * never drops a client that was keeping up. Memory per client ≤ bound + one batch.
   * Not while a history write waits (a ping, a status during catch-up): that wait is the bound.
   */
  push(frame: string | Buffer): boolean {
    if (this.closedFlag) return false
    if (!this.waiting && this.response.writableLength > this.options.maxBufferedBytes) {
      this.drop(`client too slow: more than ${this.options.maxBufferedBytes} bytes were waiting to be sent`)
      return false
    }
    this.response.write(frame)
    return true
  }

  /** Writes and waits until the socket can take more (history catch-up). Returns false once closed. */
  async writeAndWait(frames: string): Promise<boolean> {
    if (this.closedFlag) return false
    if (!this.response.write(frames)) {
      this.waiting = true
      await drainedOrClosed(this.response)
      this.waiting = false
    }
    return !this.closedFlag
  }

  /** Sends the reason, closes, and destroys the socket if the client does not read it in time. */
  drop(reason: string): void {
    if (this.closedFlag) return
    this.options.onDrop?.(reason)
    this.response.write(droppedFrame(reason))
    this.finish()
    setTimeout(() => this.response.destroy(), DROP_GRACE_MS).unref()
  }

  /** Ends the stream normally (after `end`, or without it on shutdown so clients reconnect elsewhere). */
  finish(frame?: string): void {
    if (this.closedFlag) return
    if (frame) this.response.write(frame)
    this.markClosed()
    this.response.end()
  }

  private markClosed(): void {
    if (this.closedFlag) return
    this.closedFlag = true
    clearInterval(this.ping)
  }
}
