// Assembles the WebAssembly modules written as .wat (with wabt) into .ts files that hold
// their bytes as base64: run after changing a .wat. The tests of each module check that
// the committed .ts and its .wat agree.
import {readFileSync, writeFileSync} from 'node:fs'
import {basename} from 'node:path'
import wabt from 'wabt'

/** Each module: its source, the generated file, the name of the constant it exports. */
export const MODULES = {
  literalScan: {wat: 'src/lib/mask/literal-scan.wat', ts: 'src/lib/mask/literal-scan-wasm.ts', name: 'LITERAL_SCAN_WASM'},
  literalFind: {wat: 'src/lib/literal-find.wat', ts: 'src/lib/literal-find-wasm.ts', name: 'LITERAL_FIND_WASM'},
  tokenFilter: {wat: 'src/lib/archive/token-filter.wat', ts: 'src/lib/archive/token-filter-wasm.ts', name: 'TOKEN_FILTER_WASM'},
  storedRecords: {wat: 'src/lib/archive/stored-records.wat', ts: 'src/lib/archive/stored-records-wasm.ts', name: 'STORED_RECORDS_WASM'},
}

export async function assemble(module) {
  const source = readFileSync(new URL(`../${module.wat}`, import.meta.url), 'utf8')
  const parsed = (await wabt()).parseWat(basename(module.wat), source, {simd: true})
  parsed.validate()
  return Buffer.from(parsed.toBinary({}).buffer)
}

export function moduleSource(module, bytes) {
  return `// Generated from ${basename(module.wat)} by scripts/wasm-modules.mjs: do not edit.\nexport const ${module.name} =\n  '${bytes.toString('base64')}'\n`
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const module of Object.values(MODULES)) writeFileSync(new URL(`../${module.ts}`, import.meta.url), moduleSource(module, await assemble(module)))
}
