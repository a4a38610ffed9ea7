import {defineConfig} from 'vitest/config'

// Two projects: `npx vitest run --project unit` runs the core's unit tests in seconds;
// `--project integration` drives the built CLI against real servers (run `npm run build` first).
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    setupFiles: ['test/helpers/user-shell-env.ts'],
    projects: [
      {extends: true, test: {name: 'unit', include: ['test/unit/**/*.test.ts', 'test/unit/**/*.test.tsx']}},
      {extends: true, test: {name: 'integration', include: ['test/integration/**/*.test.ts']}},
    ],
  },
})
