/** RelayStore (remote mode) holds the same LiveStore contract as the stores it fronts: relay + file store. */
import {afterAll} from 'vitest'
import {RelayStore} from '../../../src/lib/store/relay/relay-store.js'
import {join} from 'node:path'
import type {FileStore} from '../../../src/lib/store/file/file-store.js'
import {untilWatched} from '../../helpers/follower-waiting.js'
import {describeLiveStoreContract} from '../../helpers/live-store-contract.js'
import {startTestRelay, type TestRelay} from '../../helpers/relay.js'

let relay: TestRelay | undefined
afterAll(async () => {
  await relay?.stop()
})

describeLiveStoreContract(
  'relay over file',
  async () => {
    relay = await startTestRelay({token: 'contract-token', limits: {readerLingerMs: 20}})
    return new RelayStore(relay.url, 'contract-token')
  },
  // The relay (in this process) follows the job on its file store, which watches jobs/.
  () => untilWatched(join((relay!.store as FileStore).root, 'jobs')),
)
