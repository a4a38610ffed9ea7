/**
 * Re-cuts a stream into Buffers of exactly `size` bytes, the last one shorter.
 *
 * The parts are `held` buffers of `size` bytes used in turn: a consumer that holds at most
 * `held` parts at once (it is done with a part once it asks for the part `held` after it)
 * makes a body of any length with `held` × `size` bytes, instead of a new part and the
 * pieces it was joined from per part, which lived through the part's upload and were then
 * garbage V8 frees late (a 64 MB object into the Supabase stand-in in 16 MiB parts: peak RSS
 * +106-122 MB, was +127-164 MB). A body that ends before filling a part is joined from its
 * pieces, at its own size.
 */
export async function* fixedSizeParts(body: AsyncIterable<Buffer | string>, size: number, held = 1): AsyncIterable<Buffer> {
  const ring: Buffer[] = []
  let turn = 0
  let pending: Buffer[] = []
  let part: Buffer | undefined
  let filled = 0
  for await (const chunk of body) {
    let data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
    while (filled + data.length >= size) {
      const take = size - filled
      part ??= partBuffer(ring, turn++ % held, size, pending)
      data.copy(part, filled, 0, take)
      yield part
      data = data.subarray(take)
      pending = []
      part = undefined
      filled = 0
    }
    if (data.length === 0) continue
    // Once a part has been cut the body is big: the next part is filled in place as it comes.
    if (!part && ring.length > 0) part = partBuffer(ring, turn++ % held, size, pending)
    if (part) data.copy(part, filled)
    else pending.push(data)
    filled += data.length
  }
  if (filled > 0) yield part ? part.subarray(0, filled) : Buffer.concat(pending, filled)
}

/** The ring's buffer `slot` (made at first use), with the pieces pending copied in first. */
function partBuffer(ring: Buffer[], slot: number, size: number, pending: Buffer[]): Buffer {
  const part = (ring[slot] ??= Buffer.allocUnsafeSlow(size))
  let at = 0
  for (const piece of pending) at += piece.copy(part, at)
  return part
}
