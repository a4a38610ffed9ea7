// Bundles the CLI into dist/ with esbuild, for start-up: most of a command's start was
// Node resolving, reading and compiling some 250 small modules, ours and @oclif/core's.
//   dist/main.js           bin/run.js's entry: oclif's runner and the help class
//   dist/commands/X.js     one entry per command, found by oclif through oclif.manifest.json
//                          (oclif's help and autocomplete commands among them, see src/commands/help.ts)
//   dist/hooks/*.js        oclif hooks package.json names (did-you-mean for an unknown command)
//   dist/block-worker.js   the archive's worker thread (see src/lib/archive/worker-pool.ts)
//   dist/ship-worker.js    push's shipping thread (see src/lib/ingest/worker-delivery.ts)
//   dist/*-HASH.js         code shared by those, and what is imported lazily (stores, the
//                          relay, the viewer), loaded only by the command that needs it
// All of them share one copy of @oclif/core, so oclif's own state is one. Type-checking
// stays with tsc (`npm run build` runs both).
import {build} from 'esbuild'
import {readdirSync, readFileSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const outdir = join(root, 'dist')
// Left in node_modules: big packages that only some commands load, on demand (object
// stores, the Ink viewer), and what oclif requires only to run TypeScript in development.
const EXTERNAL = ['@aws-sdk/*', '@smithy/*', '@supabase/*', '@vercel/blob', 'ink', 'react', 'react/*', 'typescript', 'ts-node', 'tsx', 'tsx/*']
// oclif sorts each plugin's commands with localeCompare on every run, and the first
// localeCompare of a process builds ICU's collator: 6 ms of CPU on Node 20, 11 on Node 24, for
// ids that are lower-case ASCII, where code-unit order is the same order. The build fails if
// oclif's line changes, rather than silently keep the cost.
const OCLIF_SORT = '.sort((a, b) => a.id.localeCompare(b.id))'
const oclifSortWithoutCollator = {
  name: 'oclif-sort-without-collator',
  setup(build) {
    build.onLoad({filter: /[\\/]@oclif[\\/]core[\\/]lib[\\/]config[\\/]plugin\.js$/}, ({path}) => {
      const source = readFileSync(path, 'utf8')
      if (!source.includes(OCLIF_SORT)) throw new Error(`${path}: no "${OCLIF_SORT}" to replace (scripts/bundle.mjs)`)
      return {contents: source.replace(OCLIF_SORT, '.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))'), loader: 'js'}
    })
  },
}
const commands = readdirSync(join(root, 'src', 'commands'), {recursive: true}).filter((name) => name.endsWith('.ts'))

rmSync(outdir, {recursive: true, force: true})
const result = await build({
  absWorkingDir: root,
  entryPoints: {
    main: 'src/lib/cli/main.ts',
    'block-worker': 'src/lib/archive/block-worker.ts',
    'ship-worker': 'src/lib/ingest/ship-worker.ts',
    'hooks/command-not-found': 'src/lib/cli/command-not-found.ts',
    ...Object.fromEntries(commands.map((name) => [`commands/${name.replace(/\.ts$/, '')}`, `src/commands/${name}`])),
  },
  outdir,
  chunkNames: '[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Error classes keep their names (LogsError's `code` is derived from it).
  keepNames: true,
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: 'linked',
  metafile: true,
  logLevel: 'warning',
  external: EXTERNAL,
  plugins: [oclifSortWithoutCollator],
  // The CommonJS packages bundled in (oclif and its dependencies) call require() for Node's
  // own modules, which an ES module does not have.
  banner: {js: "import {createRequire as __cr} from 'node:module';const require=__cr(import.meta.url);"},
})

const files = Object.keys(result.metafile.outputs).filter((name) => name.endsWith('.js'))
const kib = (name) => Math.round(result.metafile.outputs[name].bytes / 1024)
console.log(`dist: ${files.length} modules, main.js ${kib('dist/main.js')} KiB`)
