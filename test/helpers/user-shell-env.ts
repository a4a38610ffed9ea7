/**
 * Vitest adds variables a user's shell does not have (NODE_ENV=test, VITEST, MODE, DEV,
 * FORCE_TTY, …), npm adds npm_*, and a CI machine sets CI. Spawned CLIs inherit
 * process.env; oclif reads NODE_ENV (development mode, extra warnings on stderr), and
 * Ink and our progress output read CI (Ink then draws only the last frame, unwrapped).
 * So every test file starts from the environment a user's shell would give the CLI;
 * a test of behaviour under CI sets CI itself.
 */
const ADDED_BY_VITEST = [
  'NODE_ENV',
  'TEST',
  'VITEST',
  'VITEST_MODE',
  'VITEST_POOL_ID',
  'VITEST_WORKER_ID',
  'TINYPOOL_WORKER_ID',
  'FORCE_TTY',
  'COLOR',
  'MODE',
  'DEV',
  'PROD',
  'SSR',
  'BASE_URL',
]

for (const key of Object.keys(process.env)) {
  if (ADDED_BY_VITEST.includes(key) || key.startsWith('npm_') || key === 'INIT_CWD') delete process.env[key]
  if (key === 'CI' || key === 'CONTINUOUS_INTEGRATION' || key.startsWith('CI_')) delete process.env[key]
}
