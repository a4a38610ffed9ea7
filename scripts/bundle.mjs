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
import {readdirSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {oclifPatches, rareBuild} from './oclif-patches.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const outdir = join(root, 'dist')
// Left in node_modules: big packages that only some commands load, on demand (object
// stores, the Ink viewer), and what oclif requires only to run TypeScript in development.
const EXTERNAL = ['@aws-sdk/*', '@smithy/*', '@supabase/*', '@vercel/blob', 'ink', 'react', 'react/*', 'typescript', 'ts-node', 'tsx', 'tsx/*']
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
  // Work oclif does at every start for what only some runs use, deferred (see the file).
  plugins: [oclifPatches],
  // The CommonJS packages bundled in (oclif and its dependencies) call require() for Node's
  // own modules, which an ES module does not have.
  banner: {js: "import {createRequire as __cr} from 'node:module';const require=__cr(import.meta.url);"},
})

// What oclif uses on rare paths only, required from dist/oclif-rare.cjs (see oclif-patches.mjs).
await build({...rareBuild(root), minifyWhitespace: true, minifySyntax: true, logLevel: 'warning'})

const files = Object.keys(result.metafile.outputs).filter((name) => name.endsWith('.js'))
const kib = (name) => Math.round(result.metafile.outputs[name].bytes / 1024)
console.log(`dist: ${files.length} modules, main.js ${kib('dist/main.js')} KiB`)
