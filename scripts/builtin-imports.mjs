// A rolldown plugin: the bundle's static imports of Node's built-in modules (`import {open}
// from 'node:fs'`) become reads of process.getBuiltinModule(), as `require` gets them.
//
// Why: to give an ES module its named exports, Node reads every export of the built-in when
// it is imported, lazy getters included: `node:process` loads process.report (and with it
// worker and performance internals), `node:util` parseArgs and diff, `node:fs` its streams
// and watchers. Measured on Node 24.22, 20 runs each: a module importing node:process,
// util, fs, fs/promises and tty started 17 ms later than an empty one, and 9 ms when it
// required them; `logs ls` loaded 181 of Node's modules, now 159. Node 20 showed no
// difference within its noise, and loses nothing.
//
// Each built-in becomes a module that exports the names it has on the Node that builds
// (a name it lacks fails the build, as the import would fail to link), each read through
// a pure call so that the names nobody imports are dropped and their getters never run.
// Only import statements: require() of a built-in already gets it, and node:module stays
// imported (rolldown's runtime imports createRequire from it; it has no lazy exports).
import {createRequire, isBuiltin} from 'node:module'

const PREFIX = '\0builtin:'
const require = createRequire(import.meta.url)

export const builtinImports = {
  name: 'builtin-imports',
  resolveId(source, _importer, {kind}) {
    if (!isBuiltin(source)) return null
    const name = source.startsWith('node:') ? source : `node:${source}`
    if (kind !== 'import-statement' || name === 'node:module') return {id: source, external: true}
    return {id: PREFIX + name, moduleSideEffects: false}
  },
  load(id) {
    if (!id.startsWith(PREFIX)) return null
    const name = id.slice(PREFIX.length)
    const keys = Object.keys(require(name)).filter((key) => /^[A-Za-z_$][\w$]*$/.test(key) && key !== 'default')
    return [
      `const m = process.getBuiltinModule(${JSON.stringify(name)})`,
      'export default m',
      ...keys.map((key) => `export const ${key} = /* @__PURE__ */ Reflect.get(m, ${JSON.stringify(key)})`),
    ].join('\n')
  },
}
