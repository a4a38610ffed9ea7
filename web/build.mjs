// Builds the web viewer into web/dist: one bundled, minified script and stylesheet with
// content-hashed names (served as immutable), and index.html pointing at them. No CDN:
// everything the page needs is in web/dist, shipped in the npm package.
import {build} from 'esbuild'
import {mkdir, readFile, rm, writeFile} from 'node:fs/promises'
import {basename, dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const web = dirname(fileURLToPath(import.meta.url))
const dist = join(web, 'dist')
const assets = join(dist, 'assets')

await rm(dist, {recursive: true, force: true})
await mkdir(assets, {recursive: true})
const result = await build({
  entryPoints: {app: join(web, 'src', 'main.ts'), 'app-style': join(web, 'src', 'app.css')},
  outdir: assets,
  entryNames: '[name]-[hash]',
  bundle: true,
  minify: true,
  sourcemap: 'linked',
  format: 'esm',
  target: ['chrome100', 'firefox100', 'safari15'],
  metafile: true,
  logLevel: 'warning',
})

const names = {}
for (const [output, info] of Object.entries(result.metafile.outputs)) {
  if (!info.entryPoint) continue
  names[output.endsWith('.css') ? 'app.css' : 'app.js'] = basename(output)
}
let html = await readFile(join(web, 'index.html'), 'utf8')
html = html.replace(/\{\{(app\.(?:js|css))\}\}/g, (_, key) => {
  if (!names[key]) throw new Error(`web build: no output for ${key}`)
  return names[key]
})
await writeFile(join(dist, 'index.html'), html)
console.log(`web/dist: ${Object.values(names).join(', ')}`)
