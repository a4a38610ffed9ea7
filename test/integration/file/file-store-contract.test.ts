import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {FileStore} from '../../../src/lib/store/file/file-store.js'
import {describeLiveStoreContract} from '../../helpers/live-store-contract.js'

describeLiveStoreContract('file', () => new FileStore(mkdtempSync(join(tmpdir(), 'logs-file-store-'))).init())
