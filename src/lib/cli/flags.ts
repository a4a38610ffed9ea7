/** Flags shared by several commands, so their names and help stay the same everywhere (CLI.md). */
import * as Flags from '@oclif/core/flags'
import {UsageError} from '../errors/index.js'
import {EXIT_CODE_FORMS, parseExitCode} from '../exit-code.js'

export const storeFlags = {
  store: Flags.string({
    description: 'live store URL: file:///dir, redis://host:port, redis+cluster://h:p,…, s3://bucket/prefix, supabase://bucket/prefix, vercel-blob://prefix [env: LOGS_STORE]',
    helpGroup: 'STORAGE',
  }),
  archive: Flags.string({description: 'archive URL: file:///dir, s3://bucket/prefix, supabase://bucket/prefix, vercel-blob://prefix [env: LOGS_ARCHIVE]', helpGroup: 'STORAGE'}),
  url: Flags.string({description: 'talk to a `logs serve` relay at this URL instead of the stores [env: LOGS_URL]', helpGroup: 'STORAGE'}),
  token: Flags.string({description: 'bearer token for the relay [env: LOGS_TOKEN]', helpGroup: 'STORAGE'}),
  config: Flags.string({description: 'config file (JSON with store, archive, url, token) [env: LOGS_CONFIG]', helpGroup: 'STORAGE'}),
}

/** For commands that always work on the stores themselves (archive, gc, serve): no relay flags. */
export const directStoreFlags = {
  store: storeFlags.store,
  archive: storeFlags.archive,
  config: storeFlags.config,
}

export const filterFlags = {
  level: Flags.string({description: 'minimum level (trace, debug, info, warn, error, fatal); =LEVEL for exactly that level'}),
  grep: Flags.string({description: 'only lines matching this regular expression, RE2 syntax (repeatable: all must match)', multiple: true}),
  exclude: Flags.string({description: 'drop lines matching this regular expression, RE2 syntax (repeatable)', multiple: true}),
}

export const selectorFlag = {
  selector: Flags.string({
    char: 'l',
    description:
      "only jobs whose labels match (kubectl's syntax): env=prod, 'team!=infra', tier (set), '!tier' (not set), 'env in (a,b)', 'env notin (a,b)'; comma-separated or repeated, all must hold",
    multiple: true,
    multipleNonGreedy: true,
    helpValue: 'SELECTOR',
  }),
}

export const timeFlags = {
  since: Flags.string({description: 'only entries at or after this time: 10m, 2h30m, 7d, 2026-11-23, 2026-11-23 10:00, RFC 3339'}),
  until: Flags.string({description: 'only entries before this time (same forms as --since)'}),
}

export const colorFlag = {
  color: Flags.boolean({description: 'colour output even into a pipe; --no-color: never (default: on a terminal; FORCE_COLOR=0..3 and NO_COLOR are respected)', allowNo: true}),
}

/** An exit code flag: 0-255, anything else is a usage error naming the flag. */
export const exitCodeFlag = Flags.custom<number>({
  async parse(input, _context, options) {
    const code = parseExitCode(input)
    if (code === undefined) throw new UsageError(`invalid --${options.name} ${JSON.stringify(input)}: expected ${EXIT_CODE_FORMS}`)
    return code
  },
})
