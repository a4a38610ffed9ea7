/**
 * What one reader remembers of an archive — a reading command (`get`, `tail`, `sections`)
 * or one request of the relay (BlobArchive.snapshot): each job's manifest as it first read
 * it, so that looking at a job and then reading it costs one manifest read, and the spans
 * of its objects fetched lately (./recent-spans.ts), which belong to that manifest. Only
 * manifests found are kept: a job archived while the reader runs is still seen. A read
 * that finds the manifest stale replaces or forgets it (blob-archive.ts recheck).
 */
import {objectKeysOf} from './layout.js'
import type {Manifest} from './manifest.js'
import {RECENT_SPAN_BYTES, RecentSpans} from './recent-spans.js'

export class ManifestMemory {
  private readonly manifests = new Map<string, Promise<Manifest | undefined>>()
  readonly spans: RecentSpans

  /** `spanBytes`: at most this many bytes of spans kept (0: none). */
  constructor(spanBytes = RECENT_SPAN_BYTES) {
    this.spans = new RecentSpans(spanBytes)
  }

  /** The job's remembered manifest, else the one `read` gives (remembered when found). */
  get(id: string, read: (id: string) => Promise<Manifest | undefined>): Promise<Manifest | undefined> {
    let manifest = this.manifests.get(id)
    if (!manifest) {
      manifest = read(id)
      this.manifests.set(id, manifest)
      // Absent or unreadable: asked again next time.
      void manifest.then(
        (found) => found || this.manifests.delete(id),
        () => this.manifests.delete(id),
      )
    }
    return manifest
  }

  /** The job was archived again: this is its manifest now. */
  replace(id: string, manifest: Manifest): void {
    this.forget(id)
    this.manifests.set(id, Promise.resolve(manifest))
  }

  /** Drops what is remembered of a job (written, deleted, or found gone). */
  forget(id: string): void {
    this.manifests.delete(id)
    for (const key of objectKeysOf(id)) this.spans.forget(key)
  }
}
