// A rolldown plugin: chalk's own colour probe (its vendored supports-color) is left out of
// the bundle. At import it asks tty.isatty(1) and (2), which loads node:tty and with it
// node:net: 7 ms of every command's start on Node 24 when stdout is a file or /dev/null,
// for an answer nothing uses. Every Chalk of ours is made with the level src/lib/color.ts
// decides (new Chalk({level})); the bundle's default `chalk` instance, which no code
// imports, gets level 0. Ink stays in node_modules with chalk's probe intact.
const PROBE = '#supports-color'
const NONE = '\0chalk-no-probe'

export const chalkLevels = {
  name: 'chalk-levels',
  resolveId(source, importer) {
    return source === PROBE && /[\\/]node_modules[\\/]chalk[\\/]/.test(importer ?? '') ? {id: NONE} : null
  },
  load(id) {
    return id === NONE ? 'export default {stdout: false, stderr: false}' : null
  },
}
