/** Re-cuts a stream into Buffers of exactly `size` bytes, the last one shorter. */
export async function* fixedSizeParts(body: AsyncIterable<Buffer | string>, size: number): AsyncIterable<Buffer> {
  let pending: Buffer[] = []
  let pendingBytes = 0
  for await (const chunk of body) {
    let data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
    while (pendingBytes + data.length >= size) {
      const take = size - pendingBytes
      pending.push(data.subarray(0, take))
      yield Buffer.concat(pending, size)
      data = data.subarray(take)
      pending = []
      pendingBytes = 0
    }
    if (data.length > 0) {
      pending.push(data)
      pendingBytes += data.length
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending, pendingBytes)
}
