/**
 * What bin/run.js starts (bundled into dist/main.js by scripts/bundle.mjs): oclif's runner
 * and the help class package.json's `oclif.helpClass` names, from the same bundle as the
 * commands, so that all of them share one copy of @oclif/core.
 */
export {execute} from '@oclif/core/execute'
export {default as LogsHelp} from './help.js'
