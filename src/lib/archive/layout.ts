/**
 * Where things live under an archive prefix:
 *
 *   <job>.jsonl.zst           the log (zstd NDJSON); `<job>.jsonl.zst.001`, … when split
 *   <job>.jsonl.zst.idx       its block index (archive format 2): block table + token filters
 *   <job>.jsonl.gz(.idx)      the same, written before (gzip NDJSON): read where a manifest names it
 *   <job>.meta.json           the manifest, written last: its presence means "complete"
 *   .catalog/…                the catalog of archived jobs, what `ls` reads (./catalog.ts)
 *   .locks/<job>.lock         `logs archive`'s per-job lock (owner, expiry)
 *   .locks/<job>.waiting      a writer waiting for that lock (owner, expiry; ./locks.ts turns)
 *   .chunks/<job>/…           chunk objects of a job pushed straight to an object store
 */
export const OBJECT_SUFFIX = '.jsonl.zst'
/** Every suffix a job's object has had, the current one first. */
export const OBJECT_SUFFIXES = [OBJECT_SUFFIX, '.jsonl.gz']
export const MANIFEST_SUFFIX = '.meta.json'
export const LOCKS_DIR = '.locks/'
export const CHUNKS_DIR = '.chunks/'
export const CATALOG_DIR = '.catalog/'

export const objectKey = (id: string): string => `${id}${OBJECT_SUFFIX}`
export const manifestKey = (id: string): string => `${id}${MANIFEST_SUFFIX}`
export const indexKey = (id: string): string => `${id}${OBJECT_SUFFIX}.idx`
/** The keys a job's object and index may have without parts, whichever format wrote them: for a delete without the manifest that names them. */
export const objectKeysOf = (id: string): string[] => OBJECT_SUFFIXES.flatMap((suffix) => [`${id}${suffix}`, `${id}${suffix}.idx`])
export const lockKey = (id: string): string => `${LOCKS_DIR}${id}.lock`
export const waitingKey = (id: string): string => `${LOCKS_DIR}${id}.waiting`

/** The job id of a manifest key at the top level, else undefined. */
export function idOfManifest(key: string): string | undefined {
  if (!key.endsWith(MANIFEST_SUFFIX) || key.includes('/')) return undefined
  return key.slice(0, -MANIFEST_SUFFIX.length)
}
