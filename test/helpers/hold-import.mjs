// Preloaded with `node --import` by tests that need the viewer's start-up held open: the
// import of the package $HOLD_IMPORT names (`ink`) never completes, so a test can act
// while the process waits for it, as a slow disk or a busy machine makes it wait (the
// window between `logs tail`'s plain first screen and the viewer's first draw).
import {register} from 'node:module'

register('./hold-import-hooks.mjs', import.meta.url, {data: {specifier: process.env.HOLD_IMPORT}})
