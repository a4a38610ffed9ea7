/**
 * A `status` event carries the number of sections, not the sections: the viewer fetches
 * them (GET /v1/jobs/:id/sections) when that number changed, and keeps only the answer
 * to its latest request.
 */
import {sectionsMark, statusEventOf} from '../../src/lib/job.js'
import {getSections, type JobMeta, type JobStatusEvent} from './api.js'

export class SectionsLoader {
  private asked = 0

  constructor(
    private readonly jobId: string,
    private readonly onLoaded: (sections: NonNullable<JobMeta['sections']>) => void,
    private readonly onError: (error: Error) => void,
  ) {}

  /** Whether this event changed the sections the viewer knows of (`known`: its metadata before the event). */
  onStatus(event: JobStatusEvent, known: JobMeta | undefined): boolean {
    const before = known ? sectionsMark(statusEventOf(known)) : sectionsMark({sectionCount: 0, sectionsClosed: 0})
    return sectionsMark(event) !== before
  }

  async load(): Promise<void> {
    const at = ++this.asked
    try {
      const sections = await getSections(this.jobId)
      if (at === this.asked) this.onLoaded(sections) // else a later status asked again
    } catch (error) {
      this.onError(error as Error)
    }
  }
}
