export interface WasmModule {
  wat: string
  ts: string
  name: string
}
export const MODULES: {literalScan: WasmModule; literalFind: WasmModule; storedRecords: WasmModule; tokenFilter: WasmModule}
export function assemble(module: WasmModule): Promise<Buffer>
export function moduleSource(module: WasmModule, bytes: Buffer): string
