// Preloaded with `node --import` by test/integration/cli/start-up.test.ts: records the URL
// of every ES module the process loads, one a line, in the file $RECORD_IMPORTS.
import {register} from 'node:module'

register('./record-imports-hooks.mjs', import.meta.url)
