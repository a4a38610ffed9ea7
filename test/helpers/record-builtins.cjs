// Preloaded with `node --require` by test/integration/cli/start-up.test.ts: at exit, writes
// every module of Node's own the process loaded, internal ones too, one a line, to the file
// $RECORD_BUILTINS (from process.moduleLoadList). CommonJS and nothing else: record-imports.mjs
// registers module hooks, which start a worker thread.
'use strict'
process.on('exit', () => {
  const builtins = process.moduleLoadList.filter((name) => name.startsWith('NativeModule ')).map((name) => name.slice('NativeModule '.length))
  require('node:fs').writeFileSync(process.env.RECORD_BUILTINS, `${builtins.join('\n')}\n`)
})
