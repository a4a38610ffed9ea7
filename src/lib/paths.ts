import {existsSync} from 'node:fs'
import {homedir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

type Env = NodeJS.ProcessEnv

/** `$XDG_STATE_HOME/logs`, else `~/.local/state/logs`: the default live store and the spools. */
export function stateDir(env: Env = process.env): string {
  return join(env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'logs')
}

/** `$XDG_DATA_HOME/logs`, else `~/.local/share/logs`: the default archive lives below it. */
export function dataDir(env: Env = process.env): string {
  return join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'logs')
}

/** Where `push` keeps lines it has read but not yet delivered to a remote store. */
export function spoolDir(env: Env = process.env): string {
  return join(stateDir(env), 'spool')
}

/**
 * Run from TypeScript sources (vitest, benches through tsx), not from the bundle: there is no
 * compiled worker to start (dist/block-worker.js, dist/ship-worker.js), so work a worker
 * thread would do runs on the thread that asks for it.
 */
export const FROM_SOURCES = !import.meta.url.endsWith('.js')

let ownPackageDir: string | undefined

/**
 * The directory of this package (package.json, dist/, web/dist/): the nearest one above
 * this module that holds a package.json. Found rather than counted in `../`, because this
 * code runs from src/lib/ (tests, benches) and from the bundle's dist/ and dist/commands/.
 */
export function packageDir(): string {
  if (ownPackageDir) return ownPackageDir
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir)
    if (parent === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`)
    dir = parent
  }
  return (ownPackageDir = dir)
}
