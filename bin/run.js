#!/usr/bin/env node
import module from 'node:module'
import {homedir} from 'node:os'
import {join} from 'node:path'

// Taken as require takes it: an ES import of node:fs would load all it exports lazily, its
// streams, watchers and fs/promises (7 ms on Node 24).
const fs = process.getBuiltinModule('node:fs')

// Node 22.1+ keeps the code it compiled between runs: start-up is what a user waits for at
// every prompt. The cache lives in the user's own cache dir (oclif's, $XDG_CACHE_HOME/logs,
// else ~/.cache/logs), not in the shared temp dir where another user could plant code. Where
// it cannot be written Node starts without it, as Node 20 (no compile cache) always does;
// NODE_COMPILE_CACHE and NODE_DISABLE_COMPILE_CACHE still decide first.
//
// One directory per version of logs: each release's files are new ones (their names carry a
// hash of their content) and Node never removes an entry, so the first run of a version
// removes the other versions' caches (a version run again later makes its cache anew).
function useCompileCache(version) {
  const caches = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'logs', 'compile-cache')
  const mine = join(caches, version)
  const first = !fs.existsSync(mine)
  // Another directory (NODE_COMPILE_CACHE), or none (NODE_DISABLE_COMPILE_CACHE): nothing of ours to tidy.
  if (module.enableCompileCache(mine).directory !== mine || !first) return
  for (const name of fs.readdirSync(caches)) if (name !== version) fs.rmSync(join(caches, name), {recursive: true, force: true})
}

// Read once, here, for the cache's name and for oclif, which need not find and read it again.
const pjson = JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8'))

try {
  if (module.enableCompileCache) useCompileCache(pjson.version)
} catch {
  // No home directory to put it in, or a cache we cannot tidy: run as we can.
}

// dist/main.js is oclif's runner from the bundle the commands share (scripts/bundle.mjs).
const {execute} = await import('../dist/main.js')
await execute({dir: import.meta.url, pjson})
