/** The module's bytes assembled from src/lib/mask/literal-scan.wat. */
export function assemble(): Promise<Buffer>
/** The text of src/lib/mask/literal-scan-wasm.ts for those bytes. */
export function moduleSource(bytes: Buffer): string
