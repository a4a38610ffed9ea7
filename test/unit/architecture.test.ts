/**
 * The layers of ARCHITECTURE.md, held by a test: every import between folders points
 * down, so no folder imports one above it and no two folders import each other; and no
 * source file grows past 400 lines (a sign it holds two concerns).
 */
import {readFileSync, readdirSync, statSync} from 'node:fs'
import {dirname, join, relative, resolve} from 'node:path'
import {describe, expect, it} from 'vitest'
import {ROOT} from '../helpers/cli.js'

/** Top to bottom; a folder may import itself and the folders of the layers below it. */
const LAYERS: string[][] = [
  ['commands'],
  ['lib/cli'],
  ['lib/ui', 'lib/relay'],
  ['lib/tail', 'lib/web', 'lib/open'],
  ['lib/archive'],
  ['lib/query', 'lib/render'],
  ['lib/ingest'],
  ['lib/store', 'lib/mask', 'lib/structure'],
  ['lib'],
  ['lib/errors'],
]

const SRC = join(ROOT, 'src')

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sourceFiles(path)
    return /\.tsx?$/.test(name) ? [path] : []
  })
}

/** `commands`, `lib` (the base files at its top), or `lib/<folder>` for anything below it. */
function folderOf(file: string): string {
  const parts = relative(SRC, dirname(file)).split('/')
  return parts[0] === 'lib' && parts.length > 1 ? `lib/${parts[1]}` : parts[0]
}

function layerOf(folder: string): number {
  const layer = LAYERS.findIndex((folders) => folders.includes(folder))
  if (layer === -1) throw new Error(`src/${folder} is in no layer: add it to ARCHITECTURE.md and to LAYERS here`)
  return layer
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  return [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)'(\.{1,2}\/[^']+)'/g)].map((match) => resolve(dirname(file), match[1]))
}

describe('architecture', () => {
  const files = sourceFiles(SRC)

  it('imports between folders point down the layers', () => {
    const upward: string[] = []
    for (const file of files) {
      const from = folderOf(file)
      for (const target of imports(file)) {
        const to = folderOf(target)
        if (to === from) continue
        if (layerOf(to) <= layerOf(from)) {
          upward.push(`${relative(ROOT, file)} imports ${relative(ROOT, target)} (src/${from} may not import src/${to})`)
        }
      }
    }
    expect(upward).toEqual([])
  })

  it('no source file (src/, and the web viewer in web/src/) is over 400 lines', () => {
    const long = [...files, ...sourceFiles(join(ROOT, 'web', 'src'))]
      .map((file) => [relative(ROOT, file), readFileSync(file, 'utf8').split('\n').length] as const)
      .filter(([, lines]) => lines > 400)
    expect(long).toEqual([])
  })
})
