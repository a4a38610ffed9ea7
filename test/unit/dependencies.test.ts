/**
 * package.json says no more than the code does: every declared dependency is used (imported
 * by a source, test, bench or script file, run by an npm script, or loaded as an oclif
 * plugin), and every file an npm script names exists.
 */
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {ROOT} from '../helpers/cli.js'

interface PackageJson {
  scripts: Record<string, string>
  dependencies: Record<string, string>
  devDependencies: Record<string, string>
  oclif: {plugins?: string[]}
  bin?: string | Record<string, string>
}

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as PackageJson
const CODE = /\.(?:[cm]?[jt]sx?)$/
const SKIP = new Set(['node_modules', 'dist', '.git', 'coverage', 'test-artifacts', 'fixtures'])

function codeFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), {withFileTypes: true}).flatMap((item) => {
    const path = join(dir, item.name)
    if (item.isDirectory()) return SKIP.has(item.name) || path === join('web', 'dist') ? [] : codeFiles(path)
    return CODE.test(item.name) ? [path] : []
  })
}

const sources = ['src', 'test', 'bench', 'scripts', 'web', 'bin'].filter((d) => existsSync(join(ROOT, d))).flatMap(codeFiles)
const topLevel = readdirSync(ROOT).filter((name) => CODE.test(name))
const text = [...sources, ...topLevel].map((file) => readFileSync(join(ROOT, file), 'utf8')).join('\n')
const imported = new Set<string>()
for (const match of text.matchAll(/(?:from\s+|import\s*\(\s*|require\s*\(\s*|import\s+)['"]([^'"./][^'"]*)['"]/g)) {
  const spec = match[1]
  imported.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0])
}

/** The executables a package installs (`tsc` for typescript). */
function binaries(name: string): string[] {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as {bin?: string | Record<string, string>}
  if (!manifest.bin) return []
  return typeof manifest.bin === 'string' ? [name.split('/').at(-1)!] : Object.keys(manifest.bin)
}
const scriptWords = new Set(Object.values(pkg.scripts).flatMap((script) => script.split(/[\s;&|()]+/)))

function whyUsed(name: string): string | undefined {
  if (imported.has(name)) return 'imported'
  if (pkg.oclif.plugins?.includes(name)) return 'oclif plugin'
  const bin = binaries(name).find((b) => scriptWords.has(b))
  if (bin) return `npm script runs ${bin}`
  if (name.startsWith('@types/')) {
    const typed = name.slice('@types/'.length)
    if (typed === 'node' || imported.has(typed)) return `types of ${typed}`
  }
  return undefined
}

describe('declared dependencies', () => {
  const declared = [...Object.keys(pkg.dependencies), ...Object.keys(pkg.devDependencies)]
  it.each(declared)('%s is used', (name) => {
    expect(whyUsed(name), `${name} is declared in package.json but nothing imports or runs it`).toBeDefined()
  })

  it('runtime code imports only runtime dependencies (not devDependencies)', () => {
    const runtime = [...codeFiles('src'), 'bin/run.js'].map((file) => readFileSync(join(ROOT, file), 'utf8')).join('\n')
    const dev = Object.keys(pkg.devDependencies).filter((name) => !name.startsWith('@types/'))
    for (const name of dev) {
      expect(runtime, `src/ imports ${name}, a devDependency`).not.toMatch(new RegExp(`from\\s+['"]${name.replace(/[/.]/g, '\\$&')}(?:/[^'"]*)?['"]`))
    }
  })
})

describe('npm scripts', () => {
  it.each(Object.entries(pkg.scripts))('%s: every file it names exists', (_name, script) => {
    const files = [...script.matchAll(/(?:^|[\s=])((?:\.{0,2}\/)?[\w.-]+(?:\/[\w.-]+)*\.(?:[cm]?js|ts|json))\b/g)].map((m) => m[1])
    for (const file of files) expect(existsSync(join(ROOT, file)), `${file} (run by: ${script})`).toBe(true)
  })

  it('bench runs every benchmark', () => {
    const runner = readFileSync(join(ROOT, 'bench', 'run-all.ts'), 'utf8')
    const benches = readdirSync(join(ROOT, 'bench')).filter((f) => f.endsWith('.ts') && f !== 'run-all.ts' && f !== 'relay-followers.ts')
    for (const file of benches) expect(runner, `bench/run-all.ts does not run ${file}`).toContain(`name: '${file.replace(/\.ts$/, '')}'`)
  })
})
