/**
 * Node 20's V8 (11.x) can hang for ever as the process ends (nodejs/node#54918): once the
 * event loop is dry the main thread waits for the compiler's background jobs, and a job
 * that runs short of old-generation space waits for a garbage collection only the main
 * thread can run. `logs get` ending while TurboFan still compiled its hot functions hung so
 * about once in ten runs. A full collection before the end clears the wait of a job already
 * stuck and leaves room for those still compiling; Node 22 and later do not hang, and pay
 * nothing, not even the loading of node:v8 (3-4 ms at start-up).
 */
const affected = Number(process.versions.v8.split('.')[0]) < 12

export function settleCompiler(): void {
  if (!affected) return
  const v8 = process.getBuiltinModule('node:v8')
  const vm = process.getBuiltinModule('node:vm')
  v8.setFlagsFromString('--expose-gc')
  const gc = vm.runInNewContext('gc') as () => void
  v8.setFlagsFromString('--no-expose-gc')
  gc()
}
