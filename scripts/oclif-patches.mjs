// Edits scripts/bundle.mjs makes to @oclif/core's files as it bundles them (rolldown): work that every
// command paid at start-up for what only some runs use. Each edit names the exact text it
// replaces, and the build fails if oclif's text changed, rather than silently keep the cost.
//
// - The per-plugin command sort used localeCompare, whose first call in a process builds
//   ICU's collator (6 ms of CPU on Node 20, 11 on Node 24); the ids are lower-case ASCII,
//   where code-unit order is the same order.
// - Modules required at the top of oclif's files and used only on rare paths are required
//   on first use instead (lazy()): tinyglobby (finding commands without a manifest),
//   minimatch (matching plugin names: we list none), lilconfig (a plugin whose package.json
//   has no oclif section), ejs (help templates), cli-spinners (a spinner), wrap-ansi (an
//   error message), node:child_process (the Windows shell), node:readline (a flag read
//   from stdin), node:perf_hooks (OCLIF_PERFORMANCE's markers). The packages among them
//   named in RARE (with picomatch, fdir and brace-expansion: 160 KB, half of oclif's
//   share of the bundle) are not in the chunk every command parses but in
//   dist/oclif-rare.cjs, bundled on its own by scripts/bundle.mjs and required from
//   there: Node 20 has no compile cache and parses whatever a command imports, used or not.
// - oclif read its JSON files (package.json, oclif.manifest.json, the user's theme.json and
//   plugins' package.json) with fs/promises: each a round trip through libuv's thread pool,
//   the first of which starts the pool's threads, all while the command waits (0.2-1.8 ms a
//   read on Node 24 here). Read with readFileSync instead: the same bytes, 0.1 ms a read.
// - oclif's logger made a `debug` logger per namespace, and the debug package loads, at
//   require, its own supports-color, node:tty and node:net, with the theme's supports-color
//   doing the same (7 ms on Node 24 where stdout is a file): the logger requires debug at its
//   first message with DEBUG set (without DEBUG, debug prints nothing), and the theme its
//   colour probe when it first colours something. ansis, the colours of oclif's theme, help and
//   spinner, probes the environment at import too: each requires it at first use (its import
//   was 1.6 of the 15 ms `logs ls` spent in oclif's chunk, Node 24, profiles of 20 runs).
// - Telling WSL from Linux imported wsl-utils, whose `isWsl` is is-wsl's, and which loads
//   node:child_process for its PowerShell helpers: is-wsl alone is required instead, which
//   puts it in the chunk every command loads (an import() of it was a module of its own).
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

/** What dist/oclif-rare.cjs exports: name → the package, resolved as @oclif/core would. */
export const RARE = {ejs: 'ejs', minimatch: 'minimatch', tinyglobby: 'tinyglobby', lilconfig: 'lilconfig', cliSpinners: 'cli-spinners'}
const RARE_FILE = './oclif-rare.cjs'

/** The esbuild options of dist/oclif-rare.cjs (`root`: the package's directory). */
export function rareBuild(root) {
  const lines = Object.entries(RARE).map(([name, pkg]) => `  ${name}: require(${JSON.stringify(pkg)}),`)
  return {
    stdin: {contents: `module.exports = {\n${lines.join('\n')}\n}\n`, resolveDir: join(root, 'node_modules', '@oclif', 'core', 'lib'), sourcefile: 'oclif-rare.cjs'},
    outfile: join(root, 'dist', 'oclif-rare.cjs'),
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
  }
}

/** `require("PKG")` of a package in RARE: from dist/oclif-rare.cjs, beside the chunks. */
function rare(pkg) {
  const name = Object.keys(RARE).find((key) => RARE[key] === pkg)
  return `require(${JSON.stringify(RARE_FILE)}).${name}`
}

/** `const NAME = EXPR;` → a stand-in that evaluates LOAD (EXPR unless given) at the first property read. */
function lazy(name, expr, load = expr) {
  return [`const ${name} = ${expr};`, `let ${name}__loaded; const ${name} = new Proxy({}, {get: (_, key) => (${name}__loaded ??= ${load})[key]});`]
}

const ANSIS = lazy('ansis_1', '__importDefault(require("ansis"))')

const EDITS = {
  'config/plugin.js': [
    ['.sort((a, b) => a.id.localeCompare(b.id))', '.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))'],
    lazy('tinyglobby_1', 'require("tinyglobby")', rare('tinyglobby')),
  ],
  'config/plugin-loader.js': [lazy('minimatch_1', 'require("minimatch")', rare('minimatch'))],
  'util/read-pjson.js': [lazy('lilconfig_1', 'require("lilconfig")', rare('lilconfig'))],
  'util/fs.js': [["const contents = await (0, promises_1.readFile)(path, 'utf8');", "const contents = (0, node_fs_1.readFileSync)(path, 'utf8');"]],
  'util/os.js': [lazy('node_child_process_1', 'require("node:child_process")'), ["(await import('wsl-utils')).isWsl", "require('is-wsl').default"]],
  'config/config.js': [lazy('ejs_1', '__importDefault(require("ejs"))', `__importDefault(${rare('ejs')})`)],
  'help/util.js': [lazy('ejs_1', '__importDefault(require("ejs"))', `__importDefault(${rare('ejs')})`)],
  'ux/action/spinner.js': [lazy('cli_spinners_1', '__importDefault(require("cli-spinners"))', `__importDefault(${rare('cli-spinners')})`), ANSIS],
  'performance.js': [lazy('node_perf_hooks_1', 'require("node:perf_hooks")')],
  'parser/parse.js': [lazy('node_readline_1', 'require("node:readline")')],
  'errors/errors/cli.js': [lazy('wrap_ansi_1', '__importDefault(require("wrap-ansi"))')],
  'errors/errors/pretty-print.js': [lazy('wrap_ansi_1', '__importDefault(require("wrap-ansi"))')],
  'ux/theme.js': [lazy('supports_color_1', 'require("./supports-color")'), ANSIS],
  'help/index.js': [ANSIS],
  'help/formatter.js': [ANSIS],
  'help/command.js': [ANSIS],
  'help/root.js': [ANSIS],
  'logger.js': [
    [
      'const debug_1 = __importDefault(require("debug"));',
      'const debug_1 = {default: (namespace) => { let log; return (...args) => { if (log === undefined && !process.env.DEBUG) return; (log ??= require("debug")(namespace))(...args) } }};',
    ],
  ],
}

/** The rolldown plugin. */
export const oclifPatches = {
  name: 'oclif-patches',
  resolveId(source) {
    return source === RARE_FILE ? {id: RARE_FILE, external: true} : null
  },
  load(id) {
    const file = id.replaceAll('\\', '/').split('/node_modules/@oclif/core/lib/')[1]
    const edits = file === undefined ? undefined : EDITS[file]
    if (!edits) return null
    let source = readFileSync(id, 'utf8')
    for (const [from, to] of edits) {
      if (!source.includes(from)) throw new Error(`${id}: no "${from}" to replace (scripts/oclif-patches.mjs)`)
      source = source.replace(from, to)
    }
    return {code: source, moduleType: 'js'}
  },
}
