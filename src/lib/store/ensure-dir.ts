/**
 * mkdir -p that fails instead of spinning: Node's `mkdir(path, {recursive: true})` loops
 * forever (at full CPU) when a parent exists but refuses new entries with ENOENT, as
 * `/proc` does (`--store file:///proc/nope`). This walks up to the nearest existing
 * directory, then creates each missing level once; any refusal is an error naming the path.
 */
import {mkdir, stat} from 'node:fs/promises'
import {dirname, resolve} from 'node:path'

export async function ensureDir(path: string): Promise<void> {
  const {missing} = await nearestDirectory(path)
  for (const dir of missing) {
    await mkdir(dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw Object.assign(new Error(`cannot create directory ${dir}: ${error.code ?? error.message}`), {code: error.code, path: dir})
    })
  }
}

/**
 * The nearest existing directory at or above `path` (what a reader waiting for `path`
 * watches without creating anything), and the levels missing below it, outermost first.
 */
export async function nearestDirectory(path: string): Promise<{existing: string | undefined; missing: string[]}> {
  const missing: string[] = []
  for (let at = resolve(path); ; at = dirname(at)) {
    const info = await stat(at).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined
      throw error
    })
    if (info) {
      if (!info.isDirectory()) throw Object.assign(new Error(`ENOTDIR: ${at} is not a directory`), {code: 'ENOTDIR', path: at})
      return {existing: at, missing: missing.reverse()}
    }
    missing.push(at)
    if (dirname(at) === at) return {existing: undefined, missing: missing.reverse()}
  }
}
