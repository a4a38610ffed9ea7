/**
 * A fixed-capacity deque addressed by absolute positions that never shift: pushing at
 * the back when full drops the front (start moves up), pushing at the front when full
 * drops the back (end moves down). The viewer keeps scroll anchors as positions, so
 * they stay valid while lines stream in.
 */
export class RingBuffer<T> {
  private readonly items: Array<T | undefined>
  /** Array index of the item at position `start`. */
  private head = 0
  private first = 0
  private count = 0

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`ring capacity must be a positive integer, got ${capacity}`)
    this.items = new Array<T | undefined>(capacity)
  }

  /** Position of the oldest item. */
  get start(): number {
    return this.first
  }

  /** One past the position of the newest item. */
  get end(): number {
    return this.first + this.count
  }

  get length(): number {
    return this.count
  }

  get full(): boolean {
    return this.count === this.capacity
  }

  get(position: number): T | undefined {
    if (position < this.first || position >= this.first + this.count) return undefined
    return this.items[(this.head + position - this.first) % this.capacity]
  }

  /** Appends; returns the item dropped from the front to make room, if any. */
  pushBack(item: T): T | undefined {
    let dropped: T | undefined
    if (this.count === this.capacity) {
      dropped = this.items[this.head]
      this.head = (this.head + 1) % this.capacity
      this.first++
      this.count--
    }
    this.items[(this.head + this.count) % this.capacity] = item
    this.count++
    return dropped
  }

  /** Prepends (an older page); returns the item dropped from the back, if any. */
  pushFront(item: T): T | undefined {
    let dropped: T | undefined
    if (this.count === this.capacity) {
      const last = (this.head + this.count - 1) % this.capacity
      dropped = this.items[last]
      this.items[last] = undefined
      this.count--
    }
    this.head = (this.head - 1 + this.capacity) % this.capacity
    this.items[this.head] = item
    this.first--
    this.count++
    return dropped
  }

  /** Empties the ring; positions continue from `nextStart` so old anchors cannot alias new items. */
  clear(nextStart = this.end): void {
    this.items.fill(undefined)
    this.head = 0
    this.first = nextStart
    this.count = 0
  }
}
