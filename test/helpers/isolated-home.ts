import {afterAll, beforeAll} from 'vitest'
import {isolatedEnv, tempHome} from './cli.js'

/**
 * An isolated home for the tests of one file: created before them, removed after.
 * Read `env` and `home` inside tests and hooks (they are set by then).
 */
export function useIsolatedHome(extra: NodeJS.ProcessEnv = {}): {readonly home: string; readonly env: NodeJS.ProcessEnv} {
  let current: {home: string; cleanup: () => void} | undefined
  let env: NodeJS.ProcessEnv = {}
  beforeAll(() => {
    current = tempHome()
    env = isolatedEnv(current.home, extra)
  })
  afterAll(() => current?.cleanup())
  return {
    get home() {
      return current!.home
    },
    get env() {
      return env
    },
  }
}
