/**
 * A bounded queue between producers (one follower per job) and one consumer. Producers
 * await `push` when it is full, so a slow consumer (a stdout pipe, a busy renderer)
 * slows the followers down instead of growing memory. Capacity is a total weight (by
 * default one per item; the tail feed weighs a batch by its entries).
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = []
  private weight = 0
  private readonly waitingProducers: Array<() => void> = []
  private waitingConsumer: (() => void) | undefined
  private ended = false
  private failure: unknown

  constructor(
    private readonly capacity = 256,
    private readonly weigh: (item: T) => number = () => 1,
  ) {}

  async push(item: T): Promise<void> {
    // An item heavier than the whole capacity still goes through, alone.
    while (this.weight > 0 && this.weight + this.weigh(item) > this.capacity && !this.ended) {
      await new Promise<void>((resolve) => this.waitingProducers.push(resolve))
    }
    if (this.ended) return
    this.items.push(item)
    this.weight += this.weigh(item)
    this.wakeConsumer()
  }

  /** No more items: the consumer finishes after draining what is queued. */
  end(): void {
    this.ended = true
    this.wakeConsumer()
    this.releaseProducers()
  }

  /** Ends the queue with an error the consumer rethrows after the queued items. */
  fail(error: unknown): void {
    this.failure ??= error
    this.end()
  }

  get size(): number {
    return this.items.length
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      if (this.items.length > 0) {
        const item = this.items.shift() as T
        this.weight -= this.weigh(item)
        this.releaseProducers()
        yield item
        continue
      }
      if (this.ended) break
      await new Promise<void>((resolve) => {
        this.waitingConsumer = resolve
      })
    }
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- the source's own error, rethrown as it came
    if (this.failure !== undefined) throw this.failure
  }

  private wakeConsumer(): void {
    const wake = this.waitingConsumer
    this.waitingConsumer = undefined
    wake?.()
  }

  private releaseProducers(): void {
    for (const release of this.waitingProducers.splice(0)) release()
  }
}
