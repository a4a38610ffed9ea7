// Bundles the CLI into dist/ with rolldown, for start-up: most of a command's start was
// Node resolving, reading, compiling and linking modules, ours and @oclif/core's.
//   dist/main.js           bin/run.js's entry: oclif's runner and the help class
//   dist/commands/X.js     one entry per command, found by oclif through oclif.manifest.json
//                          (oclif's help and autocomplete commands among them, see src/commands/help.ts)
//   dist/hooks/*.js        oclif hooks package.json names (did-you-mean for an unknown command)
//   dist/block-worker.js   the archive's worker thread, bundled alone (see src/lib/archive/worker-pool.ts)
//   dist/ship-worker.js    push's shipping thread, bundled alone (see src/lib/ingest/worker-delivery.ts)
//   dist/{cli,read,archive,push}-HASH.js   the code start-up needs, by command (START_UP)
//   dist/*-HASH.js         other shared code, and what is imported lazily (other stores, the
//                          relay, the viewer, the archive), loaded only by the command that needs it
// Each module Node loads costs it a resolution, a file read, a compile and a link (about
// 1.5 ms of CPU each on Node 20, 0.6 on Node 24): left to itself, a bundler cuts code shared
// by different sets of entries into as many chunks (esbuild's cut had `ls` load 48 modules),
// so the code start-up needs is put in a few chunks by name (START_UP). An import() of a
// module inside such a chunk still loads a module of its own, a facade that re-exports it
// from the chunk: what start-up always needs is imported statically. All of them share one
// copy of @oclif/core, so oclif's own state is one. Type-checking stays with tsc (`npm run
// build` runs both).
import {readdirSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {build} from 'esbuild'
import {rolldown} from 'rolldown'
import {builtinImports} from './builtin-imports.mjs'
import {chalkLevels} from './chalk-levels.mjs'
import {oclifPatches, rareBuild} from './oclif-patches.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const outdir = join(root, 'dist')
// Left in node_modules: big packages that only some commands load, on demand (object
// stores, the Ink viewer), what reads its own files beside it (zstd's WebAssembly, for Node
// without node:zlib's zstd), and what oclif requires only to run TypeScript in development.
const EXTERNAL = [/^@aws-sdk\//, '@bokuweb/zstd-wasm', /^@smithy\//, /^@supabase\//, '@vercel/blob', 'ink', 'react', /^react\//, 'typescript', 'ts-node', 'tsx', /^tsx\//]
// The chunks start-up loads, each with the modules its roots import statically (what a
// root imports with import() stays apart), in this order (a module goes to the first):
// `cli` for every command, `read` for ls and get on the embedded file store, `archive` for
// what ls (and every writer) reads of the archive, `push` for push and run.
const START_UP = {
  cli: ['src/lib/cli/main.ts'],
  read: ['src/commands/ls.ts', 'src/commands/get.ts', 'src/lib/store/file/file-store.ts'],
  archive: ['src/lib/archive/blob-archive.ts', 'src/lib/store/object/directory-bucket.ts'],
  push: ['src/commands/push.ts'],
}
const commands = readdirSync(join(root, 'src', 'commands'), {recursive: true}).filter((name) => name.endsWith('.ts'))

/** Which START_UP chunk each module goes to: filled once the module graph is known. */
const chunkOf = new Map()
const startUpChunks = {
  name: 'start-up-chunks',
  buildEnd() {
    for (const [chunk, roots] of Object.entries(START_UP)) {
      const pending = roots.map((path) => join(root, path))
      while (pending.length > 0) {
        const id = pending.pop()
        const info = this.getModuleInfo(id)
        if (!info) throw new Error(`scripts/bundle.mjs: ${id} is not in the bundle`)
        if (chunkOf.has(id) || info.isExternal) continue
        chunkOf.set(id, chunk)
        pending.push(...info.importedIds)
      }
    }
  },
}

rmSync(outdir, {recursive: true, force: true})
const bundle = await rolldown({
  cwd: root,
  input: {
    main: 'src/lib/cli/main.ts',
    'hooks/command-not-found': 'src/lib/cli/command-not-found.ts',
    ...Object.fromEntries(commands.map((name) => [`commands/${name.replace(/\.ts$/, '')}`, `src/commands/${name}`])),
  },
  platform: 'node',
  external: EXTERNAL,
  // Work oclif and chalk do at every start for what only some runs use, deferred or left
  // out, and Node's modules taken as require takes them (see each file).
  plugins: [builtinImports, oclifPatches, chalkLevels, startUpChunks],
  // A module both imported and import()ed elsewhere stays where the static import puts it: expected.
  checks: {ineffectiveDynamicImport: false},
})
const OUTPUT = {
  dir: outdir,
  format: 'esm',
  entryFileNames: '[name].js',
  // Error classes keep their names (LogsError's `code` is derived from it).
  keepNames: true,
  // Non-ASCII escaped: Node decodes an all-ASCII module's source fast and V8 keeps it one byte a character.
  charset: 'ascii',
  minify: {compress: true, mangle: false, codegen: {removeWhitespace: true}},
  sourcemap: true,
}
const {output} = await bundle.write({
  ...OUTPUT,
  chunkFileNames: '[name]-[hash].js',
  codeSplitting: {groups: Object.keys(START_UP).map((name) => ({name, test: (id) => chunkOf.get(id) === name}))},
})
await bundle.close()

// Each worker thread in one module of its own: as entries of the bundle above they loaded the
// chunks their code shares with the commands, oclif's among them, while the command waited for
// them (on Node 24, a 100 MB job archived in 1.36-1.43 s, not 1.46-1.65; `echo x | logs push`
// into Redis in 330-341 ms, not 375-392). src/lib/worker-thread.ts starts them by these names.
const WORKER_MODULES = {'block-worker': 'src/lib/archive/block-worker.ts', 'ship-worker': 'src/lib/ingest/ship-worker.ts'}
for (const [name, path] of Object.entries(WORKER_MODULES)) {
  const worker = await rolldown({cwd: root, input: {[name]: path}, platform: 'node', external: EXTERNAL, plugins: [builtinImports, oclifPatches, chalkLevels]})
  await worker.write({...OUTPUT, codeSplitting: false})
  await worker.close()
}

// What oclif uses on rare paths only, required from dist/oclif-rare.cjs (see oclif-patches.mjs).
await build({...rareBuild(root), minifyWhitespace: true, minifySyntax: true, logLevel: 'warning'})

const chunks = output.filter((file) => file.type === 'chunk')
const kib = (name) => Math.round(Buffer.byteLength(chunks.find((chunk) => chunk.fileName === name)?.code ?? '') / 1024)
const named = Object.keys(START_UP).map((name) => chunks.find((chunk) => chunk.name === name)?.fileName)
console.log(`dist: ${chunks.length} modules; ${named.map((name) => `${name} ${kib(name)} KiB`).join(', ')}`)
