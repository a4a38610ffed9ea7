/** The flags `push` and `run` share, and the one options object they become. */
import * as Flags from '@oclif/core/flags'
import type {Settings} from '../config.js'
import {DEFAULT_MAX_LINE_BYTES, MAX_LINE_BYTES_LIMIT} from '../ingest/line-splitter.js'
import type {CaptureOptions} from '../ingest/push.js'
import {UsageError} from '../errors/index.js'
import {checkJobId} from '../job-id.js'
import {parseLabels} from '../labels.js'
import {maskSpec, type MaskFlagValues} from '../mask/mask-sources.js'
import {Masker, type MaskSpec} from '../mask/masker.js'
import {archivedRunFinder, checkWriteStoreUrl, openWriteStore, writeStoreRecipe} from '../open/open-jobs.js'
import {redactUrl} from '../store/url.js'
import {parseDuration} from '../time.js'
import {DEFAULT_LIMITS} from '../relay/limits.js'

export const captureFlags = {
  job: Flags.string({char: 'j', description: 'job id: letters, digits, ".", "_", "-" (max 128)', env: 'LOGS_JOB', required: true}),
  label: Flags.string({description: "label the job: key=value (repeatable; its secrets masked as the log's are)", multiple: true}),
  'flush-interval': Flags.string({description: 'object stores: gather lines this long per chunk object (default 10s)'}),
  'max-line-bytes': Flags.integer({
    description: "split longer lines into continuation entries (raw output joins them back); at most 8388608, and 1048576 with --url, the relay's line limit",
    default: DEFAULT_MAX_LINE_BYTES,
    min: 1,
    max: MAX_LINE_BYTES_LIMIT,
  }),
  'drain-timeout': Flags.string({
    description:
      'at the end, exit 1 when the store takes nothing for this long (lines stay spooled; the message says where, and why when the store was unreachable); a store that keeps taking them is waited for',
    default: '60s',
  }),
  'mask-env': Flags.string({
    description: 'mask the value of this environment variable wherever it appears (repeatable; also LOGS_MASK_ENV=A,B and maskEnv in the config file)',
    multiple: true,
    helpGroup: 'MASKING',
  }),
  'mask-file': Flags.string({description: 'mask every value in this file, one per line (keeps secrets off the command line)', multiple: true, helpGroup: 'MASKING'}),
  mask: Flags.string({
    description: 'mask this value (repeatable). Prefer --mask-env or --mask-file: a command line is visible to every user through ps',
    multiple: true,
    helpGroup: 'MASKING',
  }),
  'mask-regex': Flags.string({description: 'mask what this regular expression matches, or its first capture group (repeatable)', multiple: true, helpGroup: 'MASKING'}),
  'mask-defaults': Flags.boolean({
    description:
      'mask well-known secrets (on by default): AWS keys, GitHub/GitLab/Slack/npm tokens, Stripe and Google API keys, JWTs, Authorization headers, passwords in URLs and on command lines (curl -u, mysql -p, sshpass -p, docker login -p, redis-cli -a, openssl pass:, keytool -storepass, zip -P, 7z -p), values assigned to passwords, secrets, tokens and API keys (X_TOKEN=…), PEM private keys',
    allowNo: true,
    helpGroup: 'MASKING',
  }),
}

export const MASKING_HELP = `Secrets are replaced with *** in each whole line before anything is written anywhere (spool, store, relay, object store): values from --mask-env, --mask-file, --mask, matches of --mask-regex, values registered in the log with ::add-mask::VALUE at the start of a line (from that line on), and well-known token formats unless --no-mask-defaults. Each line is matched as written and with its JSON string escapes decoded (\\u002B or \\u002b, \\/, \\", ...), so an escaped secret is masked too; a value is masked URL-encoded as well; --label values are masked before they are stored. Values shorter than 4 characters are refused with a warning. The job's metadata counts the masked occurrences (ls --json, GET /v1/jobs/:id: "masked"), never the values.
--tee copies the job's own output, unmasked; \`logs get --output raw\` returns the stored bytes: the input with secrets masked.`

export interface CaptureFlagValues extends MaskFlagValues {
  job: string
  label?: string[]
  'flush-interval'?: string
  'max-line-bytes': number
  'drain-timeout': string
}

/**
 * Validates the flags (bad input is exit 2 before anything is read or written) and builds
 * the options push and run pass down as they are. `log` gets warnings and the one line on
 * stderr when the store becomes unreachable, and the one when it is back.
 */
export function captureOptions(flags: CaptureFlagValues, settings: Settings, log: (line: string) => void, env: NodeJS.ProcessEnv = process.env): CaptureOptions {
  let store = ''
  const {local} = checkWriteStoreUrl(settings)
  checkRelayLineBytes(flags['max-line-bytes'], settings)
  const mask = maskSpec(flags, settings.mask, env, (message) => log(`logs: warning: ${message}`))
  return {
    job: checkJobId(flags.job, '--job / LOGS_JOB'),
    mask,
    labels: parseLabels(maskedLabels(flags.label, mask)),
    maxLineBytes: flags['max-line-bytes'],
    batchInterval: flags['flush-interval'] ? parseDuration(flags['flush-interval'], '--flush-interval') : undefined,
    drainTimeout: parseDuration(flags['drain-timeout'], '--drain-timeout'),
    storeName: settings.url ? `relay ${redactUrl(settings.url.value)}` : redactUrl(settings.store.value),
    localStore: local,
    recipe: writeStoreRecipe(settings),
    findArchivedRun: findArchivedRun(settings, log),
    async openStore() {
      const opened = await openWriteStore(settings, false, true)
      store = redactUrl(opened.name)
      return opened
    },
    onOutage: (error) => log(`logs: ${store} is unreachable (${error.message}); lines are kept in a local spool and retried`),
    onRecovered: () => log(`logs: ${store} is reachable again; delivering spooled lines`),
  }
}

/**
 * Labels are stored as given, so each `key=value` is masked as a line of the log is, whole
 * (the AWS secret detector needs the key's name) and before it is parsed (an invalid one's
 * message quotes it).
 */
function maskedLabels(pairs: string[] | undefined, spec: MaskSpec): string[] | undefined {
  if (!pairs) return undefined
  const masker = new Masker(spec)
  return pairs.map((pair) => masker.maskText(pair, false).text)
}

/** The archived run a push continues, or a warning (the push goes on, its lines numbered from 1) when the archive cannot be read. */
function findArchivedRun(settings: Settings, log: (line: string) => void): CaptureOptions['findArchivedRun'] {
  const find = archivedRunFinder(settings)
  if (!find) return undefined
  return (store, job) =>
    find(store, job).catch((error: unknown) => {
      log(
        `logs: warning: cannot look for an archived run of job ${job} in ${redactUrl(settings.archive.value)} (${(error as Error).message}): if it was archived, this push starts it again at line 1`,
      )
      return undefined
    })
}

/** A relay refuses a line longer than its limit (413): through one, push may not keep longer lines whole. */
function checkRelayLineBytes(maxLineBytes: number, settings: Settings): void {
  const limit = DEFAULT_LIMITS.maxLineBytes
  if (!settings.url || maxLineBytes <= limit) return
  throw new UsageError(
    `--max-line-bytes ${maxLineBytes} is more than a relay takes: through a relay (${settings.url.from}) lines are kept whole up to ${limit} bytes, the relay's line limit`,
    [`use --max-line-bytes from 1 to ${limit} with a relay (longer lines become continuation entries, which raw output joins back), or push to the store itself with --store`],
  )
}
