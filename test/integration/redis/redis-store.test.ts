import {afterAll, beforeAll, describe} from 'vitest'
import {startRedis, type RedisServer} from '../../helpers/redis-server.js'
import {storeCases} from './store-cases.js'

let server: RedisServer

beforeAll(async () => {
  server = await startRedis()
})

afterAll(async () => {
  await server?.destroy()
})

describe('redis live store (standalone)', () => {
  storeCases({url: () => server.url, cli: (...args) => server.cli(...args)})
})
