/**
 * A spool: the lines one `push` process has read for a remote store, kept on local disk
 * until delivered. It is a file store of its own (same format, same crash recovery):
 *
 *   <spool dir>/<store key>/<job>/jobs/<writer>/…   entries, as in the file store
 *   <spool dir>/<store key>/<job>/jobs/<writer>/ship.json   delivery state (shipper.ts)
 *
 * One spool per writer process, so two pushes into one job never ship each other's lines;
 * the writer id doubles as the idempotency key of the remote appends.
 *
 * node:crypto is loaded on first use, not at import: a push into the file store never spools,
 * and loading it cost that push's start-up 18 of Node's modules.
 */
import {existsSync} from 'node:fs'
import {readdir} from 'node:fs/promises'
import {join} from 'node:path'
import {FileStore} from '../store/file/file-store.js'
import {spoolDir} from '../paths.js'
import type {ContinuedRun} from '../job.js'

const crypto = () => process.getBuiltinModule('node:crypto')

/** Label on a spool's job naming the process that writes it. */
export const SPOOL_PID_LABEL = 'logs.spool.pid'

export interface SpoolHandle {
  store: FileStore
  writer: string
  /** Written by this process: its writer indexes what it writes, so a reader (maybe on another thread) must not. */
  own?: boolean
}

/** The spools of every job written to one remote store, one directory per job. */
function storeSpoolDir(remoteName: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(spoolDir(env), crypto().createHash('sha256').update(remoteName).digest('hex').slice(0, 16))
}

export function spoolRoot(remoteName: string, job: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(storeSpoolDir(remoteName, env), job)
}

/** Jobs of this remote store that have spools on this machine (delivered or not). */
export async function spooledJobs(remoteName: string, env?: NodeJS.ProcessEnv): Promise<string[]> {
  return subdirectories(storeSpoolDir(remoteName, env))
}

export async function createSpool(remoteName: string, job: string, labels: Record<string, string> = {}, env?: NodeJS.ProcessEnv, continues?: ContinuedRun): Promise<SpoolHandle> {
  const store = await new FileStore(spoolRoot(remoteName, job, env)).init()
  const writer = crypto().randomUUID()
  await store.startJob(writer, {labels: {...labels, [SPOOL_PID_LABEL]: String(process.pid)}, continues})
  return {store, writer, own: true}
}

/** Spools of this job left by writers that are gone (killed, crashed, gave up): to deliver. */
export async function orphanSpools(remoteName: string, job: string, env?: NodeJS.ProcessEnv): Promise<SpoolHandle[]> {
  const root = spoolRoot(remoteName, job, env)
  if (!existsSync(root)) return []
  const store = await new FileStore(root).init()
  const writers = await store.listJobs()
  return writers.filter((meta) => !isAlive(Number(meta.labels?.[SPOOL_PID_LABEL]))).map((meta) => ({store, writer: meta.id}))
}

function isAlive(pid: number): boolean {
  if (!pid || pid === process.pid) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

export interface StaleSpool {
  /** The spool's directory, for listings. */
  path: string
  job: string
  updatedAt: number
  remove: () => Promise<void>
}

/**
 * Spools on this machine whose writer is gone and that nothing touched since `cutoff`:
 * lines a dead push could not deliver within the retention. `logs gc` removes them.
 */
export async function staleSpools(cutoff: number, env: NodeJS.ProcessEnv = process.env): Promise<StaleSpool[]> {
  const stale: StaleSpool[] = []
  for (const storeKey of await subdirectories(spoolDir(env))) {
    for (const job of await subdirectories(join(spoolDir(env), storeKey))) {
      const root = join(spoolDir(env), storeKey, job)
      const store = await new FileStore(root).init()
      for (const meta of await store.listJobs()) {
        if (isAlive(Number(meta.labels?.[SPOOL_PID_LABEL])) || meta.updatedAt >= cutoff) continue
        stale.push({path: join(root, 'jobs', meta.id), job, updatedAt: meta.updatedAt, remove: () => store.deleteJob(meta.id)})
      }
    }
  }
  return stale
}

async function subdirectories(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, {withFileTypes: true})).filter((entry) => entry.isDirectory()).map((entry) => entry.name)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw error
  }
}
