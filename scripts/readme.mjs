// Writes README.md's command reference (between the `<!-- commands -->` markers) from the
// built commands, with oclif's own help renderer — what `oclif readme` does, without that
// package's weight. `--check` exits 1 when README.md differs from what it would write.
// Run after `npm run build`:  node scripts/readme.mjs [--check]
import {readFileSync, writeFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {Config, Help} from '@oclif/core'

const START = '<!-- commands -->'
const STOP = '<!-- commandsstop -->'
const readmePath = new URL('../README.md', import.meta.url)

const config = await Config.load({root: fileURLToPath(new URL('..', import.meta.url))})
const help = new Help(config, {stripAnsi: true, maxWidth: 80})
const commands = config.commands.filter((c) => !c.hidden).sort((a, b) => a.id.localeCompare(b.id))

const toc = commands.map((c) => `* [\`${config.bin} ${c.id}\`](#${anchor(c)})`)
const sections = commands.map((c) => {
  const summary = c.summary ?? c.description?.split('\n')[0] ?? ''
  const from = origin(c)
  const plugin = from === config.name ? '' : `\n_From [${from}](https://www.npmjs.com/package/${from})._\n`
  return `### \`${title(c)}\`\n\n${summary}\n\n\`\`\`\n${help.formatCommand(c).trimEnd()}\n\`\`\`\n${plugin}`
})
const generated = [START, '', ...toc, '', ...sections, STOP].join('\n')

const readme = readFileSync(readmePath, 'utf8')
const start = readme.indexOf(START)
const stop = readme.indexOf(STOP)
if (start < 0 || stop < start) {
  console.error(`README.md: the markers ${START} and ${STOP} are missing`)
  process.exit(2)
}
const next = readme.slice(0, start) + generated + readme.slice(stop + STOP.length)
if (process.argv.includes('--check')) {
  if (next !== readme) {
    console.error('README.md: the command reference is out of date; run `npm run build && npm run readme`')
    process.exit(1)
  }
} else if (next !== readme) {
  writeFileSync(readmePath, next)
  console.log('README.md: command reference updated')
}

// oclif's own commands are bundled as ours (src/commands/help.ts): the package a command's
// source re-exports it from is where it comes from.
function origin(c) {
  if (c.pluginName !== config.name) return c.pluginName
  const source = readFileSync(new URL(`../src/${c.relativePath.slice(1).join('/').replace(/\.js$/, '.ts')}`, import.meta.url), 'utf8')
  return /from '(@oclif\/plugin-[a-z-]+)/.exec(source)?.[1] ?? c.pluginName
}

function title(c) {
  const args = Object.values(c.args ?? {}).map((a) => (a.required ? a.name.toUpperCase() : `[${a.name.toUpperCase()}]`))
  return [config.bin, c.id.replaceAll(':', ' '), ...args].join(' ')
}

// GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes.
function anchor(c) {
  return title(c)
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replaceAll(' ', '-')
}
