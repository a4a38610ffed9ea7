// @oclif/plugin-autocomplete's `autocomplete create` command, bundled as one of ours (see ../help.ts); the
// package exports no path to its commands, tsconfig.json's `paths` names it for tsc, tsx and esbuild.
export {default} from '@oclif/plugin-autocomplete/lib/commands/autocomplete/create.js'
