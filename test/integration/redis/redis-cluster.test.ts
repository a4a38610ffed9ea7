import {afterAll, beforeAll, describe} from 'vitest'
import {startRedisCluster, type RedisCluster} from '../../helpers/redis-server.js'
import {storeCases} from './store-cases.js'

let cluster: RedisCluster

beforeAll(async () => {
  cluster = await startRedisCluster()
})

afterAll(async () => {
  await cluster?.destroy()
})

describe('redis live store (cluster of 3)', () => {
  storeCases({url: () => cluster.url, cli: (...args) => cluster.cli(...args), blockedClients: () => cluster.blockedClients()})
})
