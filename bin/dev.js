#!/usr/bin/env -S node --import tsx
// The TypeScript sources, run as bin/run.js runs the bundle (a command stopped by a signal dies of it).
import {execute} from '../src/lib/cli/execute.js'

await execute({development: true, dir: import.meta.url})
