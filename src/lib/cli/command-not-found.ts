/**
 * oclif's `command_not_found` hook (package.json `oclif.hooks`): @oclif/plugin-not-found's
 * did-you-mean, bundled as ours (see ../../commands/help.ts). oclif imports it only when no
 * command matches.
 */
export {default} from '@oclif/plugin-not-found'
