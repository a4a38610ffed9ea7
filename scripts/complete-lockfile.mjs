// Restores the lock entries of platform-only optional packages that `npm install` leaves
// out when the registry it talks to does not serve them (the mirror on our build machines
// serves only linux-x64-gnu): rollup's platform packages, and Windows-only packages such
// as vite's napi-windows-process-start-time. Without them `npm ci` refuses the lock everywhere.
// Entries carry os/cpu/libc, so npm skips them without fetching on other platforms.
// Run after any `npm install` that rewrites package-lock.json:  node scripts/complete-lockfile.mjs
import {readFileSync, writeFileSync} from 'node:fs'

const path = new URL('../package-lock.json', import.meta.url)
const lock = JSON.parse(readFileSync(path, 'utf8'))
const rollup = lock.packages['node_modules/rollup']
const CPUS = new Set(['arm', 'arm64', 'x64', 'ia32', 'loong64', 'ppc64', 'riscv64', 's390x'])
let added = 0
for (const [name, version] of Object.entries(rollup?.optionalDependencies ?? {})) {
  const key = `node_modules/${name}`
  if (lock.packages[key] || !name.startsWith('@rollup/rollup-')) continue
  const [os, cpu, abi] = name.slice('@rollup/rollup-'.length).split('-')
  if (!CPUS.has(cpu)) throw new Error(`unexpected platform package ${name}`)
  const entry = {version, cpu: [cpu], dev: true, license: 'MIT', optional: true, os: [os]}
  if (os === 'linux' && abi) entry.libc = [abi.startsWith('musl') ? 'musl' : 'glibc']
  lock.packages[key] = entry
  added++
}
// Optional dependencies for one platform only, by name: the lowest version their range allows.
const WINDOWS_ONLY = new Set(['napi-windows-process-start-time'])
for (const pkg of Object.values(lock.packages)) {
  for (const [name, range] of Object.entries(pkg.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`
    if (lock.packages[key] || !WINDOWS_ONLY.has(name)) continue
    lock.packages[key] = {version: range.replace(/^[\^~]/, ''), dev: true, license: 'MIT', optional: true, os: ['win32']}
    added++
  }
}
const [root, ...rest] = Object.entries(lock.packages)
lock.packages = Object.fromEntries([root, ...rest.sort(([a], [b]) => (a < b ? -1 : 1))])
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`)
console.log(`package-lock.json: ${added} platform entries restored`)
