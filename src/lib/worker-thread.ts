/**
 * Starts a worker thread on one of the modules scripts/bundle.mjs bundles alone for it
 * (dist/block-worker.js, dist/ship-worker.js), compiled from the CLI's compile cache: a
 * thread does not share the one bin/run.js enabled, but takes one from its environment.
 */
import module from 'node:module'
import {dirname, join} from 'node:path'
import {Worker, type WorkerOptions} from 'node:worker_threads'
import {packageDir} from './paths.js'

export function startWorker(name: 'block-worker' | 'ship-worker', options: WorkerOptions = {}): Worker {
  // The directory that was enabled (a user's NODE_COMPILE_CACHE, or ours): Node's answer names it
  // with its own subdirectory for the runtime's version appended. Node 20 has none.
  const cache = (module as {getCompileCacheDir?: () => string | undefined}).getCompileCacheDir?.()
  const env = cache ? {env: {...process.env, NODE_COMPILE_CACHE: dirname(cache)}} : {}
  return new Worker(join(packageDir(), 'dist', `${name}.js`), {...options, ...env})
}
