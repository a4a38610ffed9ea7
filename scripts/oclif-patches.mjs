// Edits scripts/bundle.mjs makes to @oclif/core's files as it bundles them: work that every
// command paid at start-up for what only some runs use. Each edit names the exact text it
// replaces, and the build fails if oclif's text changed, rather than silently keep the cost.
//
// - The per-plugin command sort used localeCompare, whose first call in a process builds
//   ICU's collator (6 ms of CPU on Node 20, 11 on Node 24); the ids are lower-case ASCII,
//   where code-unit order is the same order.
// - Modules required at the top of oclif's files and used only on rare paths are required
//   on first use instead (lazy()): tinyglobby (finding commands without a manifest),
//   minimatch (matching plugin names: we list none), lilconfig (a plugin whose package.json
//   has no oclif section), node:child_process (the Windows shell), ejs (help templates),
//   cli-spinners (a spinner), wrap-ansi (an error message).
// - Telling WSL from Linux imported wsl-utils, whose `isWsl` is is-wsl's, and which loads
//   node:child_process for its PowerShell helpers: is-wsl alone is imported instead.
import {readFileSync} from 'node:fs'

/** `const NAME = EXPR;` → a stand-in that evaluates EXPR at the first property read. */
function lazy(name, expr) {
  return [`const ${name} = ${expr};`, `let ${name}__loaded; const ${name} = new Proxy({}, {get: (_, key) => (${name}__loaded ??= ${expr})[key]});`]
}

const EDITS = {
  'config/plugin.js': [['.sort((a, b) => a.id.localeCompare(b.id))', '.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))'], lazy('tinyglobby_1', 'require("tinyglobby")')],
  'config/plugin-loader.js': [lazy('minimatch_1', 'require("minimatch")')],
  'util/read-pjson.js': [lazy('lilconfig_1', 'require("lilconfig")')],
  'util/os.js': [lazy('node_child_process_1', 'require("node:child_process")'), ["(await import('wsl-utils')).isWsl", "(await import('is-wsl')).default"]],
  'config/config.js': [lazy('ejs_1', '__importDefault(require("ejs"))')],
  'help/util.js': [lazy('ejs_1', '__importDefault(require("ejs"))')],
  'ux/action/spinner.js': [lazy('cli_spinners_1', '__importDefault(require("cli-spinners"))')],
  'errors/errors/cli.js': [lazy('wrap_ansi_1', '__importDefault(require("wrap-ansi"))')],
  'errors/errors/pretty-print.js': [lazy('wrap_ansi_1', '__importDefault(require("wrap-ansi"))')],
}

/** The esbuild plugin. */
export const oclifPatches = {
  name: 'oclif-patches',
  setup(build) {
    build.onLoad({filter: /[\\/]node_modules[\\/]@oclif[\\/]core[\\/]lib[\\/].*\.js$/}, ({path}) => {
      const file = path.replaceAll('\\', '/').split('/@oclif/core/lib/')[1]
      const edits = EDITS[file]
      if (!edits) return undefined
      let source = readFileSync(path, 'utf8')
      for (const [from, to] of edits) {
        if (!source.includes(from)) throw new Error(`${path}: no "${from}" to replace (scripts/oclif-patches.mjs)`)
        source = source.replace(from, to)
      }
      return {contents: source, loader: 'js'}
    })
  },
}
