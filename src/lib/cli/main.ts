/**
 * What bin/run.js starts (bundled into dist/main.js by scripts/bundle.mjs): oclif's runner
 * (which dies of the signal that stopped a command, see execute.ts) and the help class
 * package.json's `oclif.helpClass` names, from the same bundle as the commands, so that all
 * of them share one copy of @oclif/core.
 */
export {execute} from './execute.js'
export {default as LogsHelp} from './help.js'
