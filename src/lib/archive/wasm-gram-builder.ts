/**
 * ./token-filter.ts's GramFilterBuilder in WebAssembly (token-filter.wat): the same
 * filter's bytes, with the block copied into the module's memory, where the 128 KiB bitmap
 * of 4-gram keys seen lives too. Null where the runtime has no WebAssembly (SIMD, as the
 * repository's other modules ask for).
 */
import {lazyWasmModule} from '../wasm-module.js'
import {TOKEN_FILTER_WASM} from './token-filter-wasm.js'

type Add = (data: number, values: number, pairs: number, seen: number, distinct: number) => number
type Fill = (filter: number, mask: number, seen: number, distinct: number, count: number) => void

const module = lazyWasmModule(TOKEN_FILTER_WASM)
const SEEN_AT = 0
const SEEN_BYTES = (1 << 20) / 8
const PAGE = 65536
/** The most memory the module may take (it never gives memory back): a bigger block (a line of megabytes) is left to the JavaScript loops. 512 KiB blocks take 3 MiB. */
export const MAX_MEMORY = 64 * 1024 * 1024

export function wasmGramBuilder(): WasmGramBuilder | null {
  const compiled = module()
  return compiled ? new WasmGramBuilder(compiled) : null
}

export class WasmGramBuilder {
  private readonly memory: WebAssembly.Memory
  private readonly add: Add
  private readonly fill: Fill

  constructor(compiled: WebAssembly.Module) {
    const instance = new WebAssembly.Instance(compiled)
    this.memory = instance.exports.memory as WebAssembly.Memory
    this.add = instance.exports.add as Add
    this.fill = instance.exports.fill as Fill
  }

  /**
   * The filter of `data` over the byte runs given by `values` (start, end pairs), of the
   * size `bitsFor` says for the number of distinct 4-gram keys; undefined for a block too big for MAX_MEMORY.
   */
  build(data: Buffer, values: Uint32Array, bitsFor: (distinct: number) => number): Buffer | undefined {
    const distinctAt = SEEN_AT + SEEN_BYTES
    const dataAt = distinctAt + 4 * data.length
    const valuesAt = align(dataAt + data.length)
    const filterAt = align(valuesAt + 4 * values.length)
    if (filterAt + data.length / 8 + 64 > MAX_MEMORY) return undefined
    this.reserve(filterAt + data.length / 8 + 64)
    new Uint8Array(this.memory.buffer).set(data, dataAt)
    new Uint32Array(this.memory.buffer, valuesAt, values.length).set(values)
    const count = this.add(dataAt, valuesAt, values.length >>> 1, SEEN_AT, distinctAt)
    const bits = bitsFor(count)
    new Uint8Array(this.memory.buffer, filterAt, bits / 8).fill(0)
    this.fill(filterAt, bits - 1, SEEN_AT, distinctAt, count)
    const filter = Buffer.alloc(bits / 8)
    filter.set(new Uint8Array(this.memory.buffer, filterAt, bits / 8))
    return filter
  }

  private reserve(bytes: number): void {
    const have = this.memory.buffer.byteLength
    if (bytes > have) this.memory.grow(Math.ceil((bytes - have) / PAGE))
  }
}

function align(at: number): number {
  return (at + 15) & ~15
}
