// Preloaded with `node --import` by test/integration/cli/start-up.test.ts: records the URL
// of every ES module the process loads, one a line, in the file $RECORD_IMPORTS, and a
// line `fetch <url>` for each call of the global fetch (whose first use compiles undici:
// ~130 ms of CPU on Node 20), and a line `localeCompare` at its first call (which builds
// ICU's collator: ~6 ms of CPU on Node 20, 11 on Node 24). The paths read with
// fs.readFileSync or fs/promises readFile (how bin/run.js and oclif read package.json files
// and manifests) go one a line to $RECORD_IMPORTS.reads, the latter followed by
// ` (fs/promises)`; what is require()d (CommonJS, which the hooks do not see) to
// $RECORD_IMPORTS.requires. Node's modules taken with process.getBuiltinModule (how the
// bundle imports them: scripts/builtin-imports.mjs) are recorded as imports, `node:NAME`.
import {appendFileSync} from 'node:fs'
import {register} from 'node:module'

register('./record-imports-hooks.mjs', import.meta.url)

const fetch = globalThis.fetch
globalThis.fetch = (input, init) => {
  if (process.env.RECORD_IMPORTS) appendFileSync(process.env.RECORD_IMPORTS, `fetch ${input instanceof Request ? input.url : String(input)}\n`)
  return fetch(input, init)
}

const localeCompare = String.prototype.localeCompare
let compared = false
String.prototype.localeCompare = function (...args) {
  if (!compared && process.env.RECORD_IMPORTS) appendFileSync(process.env.RECORD_IMPORTS, 'localeCompare\n')
  compared = true
  return localeCompare.apply(this, args)
}

function recordRead(path, how = '') {
  if (process.env.RECORD_IMPORTS) appendFileSync(`${process.env.RECORD_IMPORTS}.reads`, `${path instanceof URL ? path.pathname : String(path)}${how}\n`)
}
// Not an ES import of fs/promises here: that would take it off the list of what the command imports.
const fsPromises = process.getBuiltinModule('node:fs/promises')
const readFile = fsPromises.readFile
fsPromises.readFile = function (path, ...rest) {
  recordRead(path, ' (fs/promises)')
  return readFile.call(this, path, ...rest)
}
const fs = process.getBuiltinModule('node:fs')
const readFileSync = fs.readFileSync
fs.readFileSync = function (path, ...rest) {
  recordRead(path)
  return readFileSync.call(this, path, ...rest)
}

const Module = process.getBuiltinModule('node:module')
const load = Module._load
Module._load = function (request, ...rest) {
  if (process.env.RECORD_IMPORTS) appendFileSync(`${process.env.RECORD_IMPORTS}.requires`, `${request}\n`)
  return load.call(this, request, ...rest)
}

const getBuiltinModule = process.getBuiltinModule
process.getBuiltinModule = function (id) {
  if (process.env.RECORD_IMPORTS) appendFileSync(process.env.RECORD_IMPORTS, `${id.startsWith('node:') ? id : `node:${id}`}\n`)
  return getBuiltinModule.call(this, id)
}
