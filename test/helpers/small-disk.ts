/**
 * A small disk for fault tests: a real tmpfs of a few hundred KiB mounted on a temp dir
 * (the tests run as root in CI), which `fill()` fills to the last byte and `readOnly()`
 * remounts read-only. Where mounting is not allowed, `mounted` is false and callers use
 * a file-size limit (RLIMIT_FSIZE, `ulimit -f`) for "full" instead.
 */
import {execFileSync} from 'node:child_process'
import {mkdtempSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

export interface SmallDisk {
  dir: string
  mounted: boolean
  fill(): void
  /** Removes what fill() wrote. */
  free(): void
  readOnly(): void
  writable(): void
  destroy(): void
}

export function smallDisk(sizeKiB = 512): SmallDisk {
  const dir = mkdtempSync(join(tmpdir(), 'logs-small-disk-'))
  let mounted = false
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKiB}k`, 'tmpfs', dir], {stdio: 'ignore'})
    mounted = true
  } catch {
    mounted = false
  }
  const remount = (mode: string) => execFileSync('mount', ['-o', `remount,${mode}`, dir], {stdio: 'ignore'})
  return {
    dir,
    mounted,
    fill() {
      // Fill in 4 KiB writes until ENOSPC: the disk is then full to its last block.
      const filler = join(dir, 'filler')
      const block = Buffer.alloc(4096)
      for (let i = 0; ; i++) {
        try {
          writeFileSync(`${filler}-${i}`, block)
        } catch {
          return
        }
      }
    },
    free() {
      for (const name of readdirSync(dir)) if (name.startsWith('filler-')) rmSync(join(dir, name))
    },
    readOnly: () => remount('ro'),
    writable: () => remount('rw'),
    destroy() {
      if (mounted) execFileSync('umount', [dir], {stdio: 'ignore'})
      rmSync(dir, {recursive: true, force: true})
    },
  }
}
