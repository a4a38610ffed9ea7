/**
 * Crash injection for tests, from LOGS_FAULT_INJECTION=<name>:N; unset (always, outside
 * tests) none of these does anything.
 *
 *   archive-kill-after-upload:N  `logs archive` SIGKILLs itself after the N-th job's object
 *                                is stored and verified, before the live store changes — the
 *                                window where a crash could lose or duplicate a job if
 *                                archiving were not idempotent
 *   archive-worker-exit:N        an archive worker thread (archive/block-worker.ts) exits at
 *                                the start of its N-th task, as a thread that crashes would:
 *                                the archive of that job must fail and keep the live copy
 *   ship-worker-exit:N           push's shipping thread (ingest/ship-worker.ts) exits when told
 *                                of its N-th spooled batch: push must say so, exit 1 and keep
 *                                the lines in the spool
 */

/** A function that does `act` when called for the N-th time, when LOGS_FAULT_INJECTION names `name`. */
function countdown(name: string, env: NodeJS.ProcessEnv, act: () => void): (() => void) | undefined {
  const match = new RegExp(`^${name}:(\\d+)$`).exec(env.LOGS_FAULT_INJECTION ?? '')
  if (!match) return undefined
  let remaining = Number(match[1])
  return () => {
    if (--remaining <= 0) act()
  }
}

export function afterUploadFault(env: NodeJS.ProcessEnv = process.env): ((id: string) => void) | undefined {
  return countdown('archive-kill-after-upload', env, () => {
    process.kill(process.pid, 'SIGKILL')
    // The signal may land on another thread first: block this one so no further step runs.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10_000)
  })
}

export function workerExitFault(env: NodeJS.ProcessEnv = process.env): (() => void) | undefined {
  return countdown('archive-worker-exit', env, () => process.exit(70))
}

export function shipWorkerFault(env: NodeJS.ProcessEnv = process.env): (() => void) | undefined {
  return countdown('ship-worker-exit', env, () => process.exit(70))
}
