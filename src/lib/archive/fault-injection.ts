/**
 * Crash injection for tests of `logs archive`'s idempotency: with
 * LOGS_FAULT_INJECTION=archive-kill-after-upload:N the process SIGKILLs itself after the
 * N-th job's object is stored and verified, before the live store changes — the window
 * where a crash could lose or duplicate a job if archiving were not idempotent.
 * Unset (always, outside tests) it does nothing.
 */
export function afterUploadFault(env: NodeJS.ProcessEnv = process.env): ((id: string) => void) | undefined {
  const match = /^archive-kill-after-upload:(\d+)$/.exec(env.LOGS_FAULT_INJECTION ?? '')
  if (!match) return undefined
  let remaining = Number(match[1])
  return () => {
    if (--remaining > 0) return
    process.kill(process.pid, 'SIGKILL')
    // The signal may land on another thread first: block this one so no further step runs.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10_000)
  }
}

/**
 * With LOGS_FAULT_INJECTION=archive-worker-exit:N, an archive worker thread
 * (./block-worker.ts) exits at the start of its N-th task, as a thread that crashes would:
 * the archive of that job must fail and keep the live copy. Unset it does nothing.
 */
export function workerExitFault(env: NodeJS.ProcessEnv = process.env): (() => void) | undefined {
  const match = /^archive-worker-exit:(\d+)$/.exec(env.LOGS_FAULT_INJECTION ?? '')
  if (!match) return undefined
  let remaining = Number(match[1])
  return () => {
    if (--remaining <= 0) process.exit(70)
  }
}
