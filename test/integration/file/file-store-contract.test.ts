import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {FileStore} from '../../../src/lib/store/file/file-store.js'
import {untilWatched} from '../../helpers/follower-waiting.js'
import {describeLiveStoreContract} from '../../helpers/live-store-contract.js'

const root = mkdtempSync(join(tmpdir(), 'logs-file-store-'))
// A follower of a job that does not exist yet watches the store's jobs/ directory.
describeLiveStoreContract(
  'file',
  () => new FileStore(root).init(),
  () => untilWatched(join(root, 'jobs')),
)
