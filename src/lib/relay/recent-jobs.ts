/**
 * State the relay keeps per job for the jobs written to it (or per job and writer),
 * bounded: at most `max` of them, and past that the least recently written one is let go
 * (`letGo` is told).
 */
export class RecentJobs<T> {
  private readonly states = new Map<string, T>()

  constructor(
    private readonly create: (job: string) => T,
    private readonly max: number,
    private readonly letGo: (state: T) => void = () => {},
  ) {}

  /** The job's state (made when it has none), now the most recently written. */
  use(job: string): T {
    let state = this.states.get(job)
    if (state !== undefined)
      this.states.delete(job) // re-inserted: the map's order is least recently written first
    else {
      if (this.states.size >= this.max) {
        const [oldest, old] = this.states.entries().next().value!
        this.states.delete(oldest)
        this.letGo(old)
      }
      state = this.create(job)
    }
    this.states.set(job, state)
    return state
  }

  /** The job's state if it has one, without making it the most recently written. */
  peek(job: string): T | undefined {
    return this.states.get(job)
  }

  /** The job's state, no longer kept. */
  take(job: string): T | undefined {
    const state = this.states.get(job)
    this.states.delete(job)
    return state
  }

  values(): T[] {
    return [...this.states.values()]
  }
}
