/** The shared LiveStore contract (test/helpers/live-store-contract.ts) against Redis and Redis Cluster. */
import {afterAll, beforeAll} from 'vitest'
import {untilBlocked} from '../../helpers/follower-waiting.js'
import {describeLiveStoreContract} from '../../helpers/live-store-contract.js'
import {startRedis, startRedisCluster, type RedisCluster, type RedisServer} from '../../helpers/redis-server.js'
import {openStore} from './store-cases.js'
import {startTogether} from '../../helpers/start-together.js'

let server: RedisServer
let cluster: RedisCluster

beforeAll(async () => {
  ;[server, cluster] = await startTogether([startRedis(), startRedisCluster()])
})

afterAll(async () => {
  await Promise.all([server?.destroy(), cluster?.destroy()])
})

describeLiveStoreContract(
  'redis',
  () => openStore(server.url, 'prefix=contract:'),
  () => untilBlocked(() => server.blockedClients()),
)
describeLiveStoreContract(
  'redis+cluster',
  () => openStore(cluster.url, 'prefix=contract:'),
  () => untilBlocked(() => cluster.blockedClients()),
)
