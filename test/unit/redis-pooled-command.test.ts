import {Command} from 'ioredis'
import {describe, expect, it} from 'vitest'
import {BufferPool} from '../../src/lib/store/buffer-pool.js'
import {PooledCommand} from '../../src/lib/store/redis/pooled-command.js'

describe('PooledCommand', () => {
  it('writes the RESP bytes ioredis writes for the same arguments, into pooled memory', () => {
    const pool = new BufferPool(1, 64)
    const cases: Array<[string, Array<string | number | Buffer>]> = [
      ['evalsha', ['0123456789abcdef0123456789abcdef01234567', 3, 'logs:{job}:meta', 'logs:{job}:log', 'logs:{job}:writers', '', 0, 1_795_000_000_123, 1, 9]],
      ['eval', ['return 1', 0, -1, -1234567890, 10, 9, 99, 100, 101, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER]],
      ['evalsha', ['sha', 1, 'kéy', 'ü€𝄞', '', 1.5, -0.25, Buffer.from([0, 13, 10, 255]), Buffer.alloc(0)]],
    ]
    for (const [name, args] of cases) {
      const pooled = new PooledCommand(name, args, pool).toWritable()
      const reference = new Command(name, args).toWritable(undefined as never)
      expect(pooled.toString('latin1')).toBe(Buffer.from(reference).toString('latin1'))
    }
  })
})
