/** A WebAssembly module from its bytes in base64, compiled on first use; null where the runtime lacks WebAssembly SIMD. */
export function lazyWasmModule(base64: string): () => WebAssembly.Module | null {
  let compiled: WebAssembly.Module | null | undefined
  return () => {
    if (compiled === undefined) {
      try {
        compiled = new WebAssembly.Module(Buffer.from(base64, 'base64'))
      } catch {
        compiled = null
      }
    }
    return compiled
  }
}
