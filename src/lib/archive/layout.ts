/**
 * Where things live under an archive prefix:
 *
 *   <job>.jsonl.zst           the log (zstd NDJSON); `<job>.jsonl.zst.001`, … when split
 *   <job>.jsonl.zst.idx       its block index (archive format 2): block table + token filters
 *   <job>.jsonl.gz(.idx)      the same, written before (gzip NDJSON): read where a manifest names it
 *   <job>.meta.json           the manifest, written last: its presence means "complete"
 *   .catalog/…                the catalog of archived jobs, what `ls` reads (./catalog.ts)
 *   .locks/<job>.<nonce>.claim  a claim on the job's lock, of `logs archive` or a push (owner, expiry; ./locks.ts)
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
/** A claim on the job's lock; `nonce` is hex. */
export const claimKey = (id: string, nonce: string): string => `${LOCKS_DIR}${id}.${nonce}.claim`
/** Where a listing finds the job's claims (and those of jobs whose id continues with a dot: see isClaimOf). */
export const claimsPrefix = (id: string): string => `${LOCKS_DIR}${id}.`
/** A claim on the job's lock, or the lock object of versions before claims (`.locks/<job>.lock`). */
export function isClaimOf(key: string, id: string): boolean {
  const rest = key.slice(claimsPrefix(id).length)
  return key.startsWith(claimsPrefix(id)) && (rest === 'lock' || /^[0-9a-f]+\.claim$/.test(rest))
}
export const waitingKey = (id: string): string => `${LOCKS_DIR}${id}.waiting`

/** The job id of a manifest key at the top level, else undefined. */
export function idOfManifest(key: string): string | undefined {
  if (!key.endsWith(MANIFEST_SUFFIX) || key.includes('/')) return undefined
  return key.slice(0, -MANIFEST_SUFFIX.length)
}
