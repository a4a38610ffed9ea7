#!/usr/bin/env node
import module from 'node:module'

// Node 22.1+ keeps compiled code between runs (in the OS temp dir): start-up is what a
// user waits for at every prompt. Older Nodes simply start without it.
module.enableCompileCache?.()

// dist/main.js is oclif's runner from the bundle the commands share (scripts/bundle.mjs).
const {execute} = await import('../dist/main.js')
await execute({dir: import.meta.url})
