/**
 * The manifest (`<job>.meta.json`): the job's metadata plus what is needed to read and
 * verify its object without this tool — part list, sizes, checksums.
 */
import {DamagedManifestError} from '../errors/index.js'
import type {JobMeta} from '../job.js'
import type {StoredObject} from '../store/object/bucket.js'
import type {ArchivedJob} from '../store/types.js'

export const MANIFEST_FORMAT = 'logs-archive/1'

export interface Manifest {
  format: typeof MANIFEST_FORMAT
  id: string
  /** The object(s), in order; several when the backend caps object size. Keys relative to the prefix. */
  parts: Array<{key: string; size: number}>
  /** Total compressed size. */
  size: number
  /** sha256 of the compressed bytes (all parts in order), checked after upload. */
  compressedSha256: string
  /** sha256 of the uncompressed NDJSON (`zcat | sha256sum`). */
  sha256: string
  contentBytes: number
  lines: number
  archivedAt: number
  /** The job's metadata, location pointing at the object. */
  meta: JobMeta
  /**
   * Objects written as blocks (archive format 2) have a block index: a sidecar object
   * whose first `tableBytes` bytes are the JSON block table (./block-index.ts). Readers
   * without it, and objects without it (format 1), read the object from the start.
   */
  index?: {key: string; size: number; tableBytes: number; blocks: number; sha256: string}
}

export function encodeManifest(manifest: Manifest): Buffer {
  return Buffer.from(JSON.stringify(manifest, null, 2) + '\n')
}

/** `url`: where the manifest was read, for the error a damaged one is. */
export function decodeManifest(id: string, data: Buffer, url: string): Manifest {
  let value: Partial<Manifest> | null
  try {
    value = JSON.parse(data.toString('utf8')) as Partial<Manifest> | null
  } catch (error) {
    throw DamagedManifestError.at(id, url, `not JSON (${(error as Error).message})`)
  }
  if (value?.format !== MANIFEST_FORMAT || !Array.isArray(value.parts) || typeof value.meta !== 'object' || value.meta === null || value.meta.id !== id) {
    throw DamagedManifestError.at(id, url, `not a ${MANIFEST_FORMAT} manifest of job ${id}`)
  }
  return value as Manifest
}

export function partsOf(objects: StoredObject[]): Manifest['parts'] {
  return objects.map(({key, size}) => ({key, size}))
}

/** The keys of a job's object, its parts and its index. */
export const objectsOf = (manifest: Manifest): string[] => [...manifest.parts.map((p) => p.key), ...(manifest.index ? [manifest.index.key] : [])]

export function archivedOf(manifest: Manifest): ArchivedJob {
  const location = manifest.meta.location
  return {
    meta: manifest.meta,
    url: location.kind === 'archived' ? location.url : (manifest.parts[0]?.key ?? ''),
    size: manifest.size,
    sha256: manifest.sha256,
  }
}
