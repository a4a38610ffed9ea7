/**
 * A worker thread's module as scripts/bundle.mjs builds it (dist/NAME.js, bundled alone) and
 * where its compiled code came from: the directories a run's Node read its compile cache from,
 * by the lines NODE_DEBUG_NATIVE=COMPILE_CACHE writes to stderr.
 */
import {readFileSync} from 'node:fs'
import module from 'node:module'
import {dirname, join} from 'node:path'
import {ROOT} from './cli.js'

/** The `./` and `../` modules dist/NAME.js imports: none for a module bundled alone. */
export function chunksImported(name: string): string[] {
  return readFileSync(join(ROOT, 'dist', `${name}.js`), 'utf8').match(/(from|import)\s*\(?\s*["'`]\.{1,2}\//g) ?? []
}

/** The cache directories (as enabled, without Node's subdirectory for its version) dist/NAME.js was read from. */
export function compileCacheReads(stderr: string, name: string): string[] {
  // "[compile cache] reading cache from DIR/v24.22.3-x64-…/HASH for ESM file:///…/dist/NAME.js..."
  const reads = new RegExp(`reading cache from (\\S+) for ESM \\S+/dist/${name}\\.js`, 'g')
  return [...stderr.matchAll(reads)].map((match) => dirname(dirname(match[1])))
}

/** Whether this runtime has a compile cache (Node 22.8 and later) a worker thread can be given. */
export const HAS_COMPILE_CACHE = typeof (module as {getCompileCacheDir?: unknown}).getCompileCacheDir === 'function'

/** The compile cache bin/run.js enables in a home without NODE_COMPILE_CACHE (this package's version's). */
export function ownCompileCache(home: string): string {
  const {version} = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {version: string}
  return join(home, '.cache', 'logs', 'compile-cache', version)
}
