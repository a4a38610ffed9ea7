// Assembles src/lib/mask/literal-scan.wat (with wabt) into src/lib/mask/literal-scan-wasm.ts,
// the module's bytes as base64: run after changing the .wat. test/unit/literal-scan.test.ts
// checks that the two agree.
import {readFileSync, writeFileSync} from 'node:fs'
import wabt from 'wabt'

export async function assemble() {
  const source = readFileSync(new URL('../src/lib/mask/literal-scan.wat', import.meta.url), 'utf8')
  const parsed = (await wabt()).parseWat('literal-scan.wat', source, {simd: true})
  parsed.validate()
  return Buffer.from(parsed.toBinary({}).buffer)
}

export function moduleSource(bytes) {
  return `// Generated from literal-scan.wat by scripts/literal-scan-wasm.mjs: do not edit.\nexport const LITERAL_SCAN_WASM =\n  '${bytes.toString('base64')}'\n`
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(new URL('../src/lib/mask/literal-scan-wasm.ts', import.meta.url), moduleSource(await assemble()))
}
