#!/usr/bin/env node
import module from 'node:module'

// Node 22.1+ keeps compiled code between runs (in the OS temp dir): start-up is what a
// user waits for at every prompt. Older Nodes simply start without it.
module.enableCompileCache?.()

const {execute} = await import('@oclif/core')
await execute({dir: import.meta.url})
