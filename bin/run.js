#!/usr/bin/env node
import module from 'node:module'
import {homedir} from 'node:os'
import {join} from 'node:path'

// Node 22.1+ keeps the code it compiled between runs: start-up is what a user waits for at
// every prompt. The cache lives in the user's own cache dir (oclif's, $XDG_CACHE_HOME/logs,
// else ~/.cache/logs), not in the shared temp dir where another user could plant code. Where
// it cannot be written Node starts without it, as Node 20 (no compile cache) always does;
// NODE_COMPILE_CACHE and NODE_DISABLE_COMPILE_CACHE still decide first.
try {
  module.enableCompileCache?.(join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'logs', 'compile-cache'))
} catch {
  // No home directory to put it in: run without it.
}

// dist/main.js is oclif's runner from the bundle the commands share (scripts/bundle.mjs).
const {execute} = await import('../dist/main.js')
await execute({dir: import.meta.url})
