import {Args, Flags, type Interfaces} from '@oclif/core'
import {BaseCommand} from '../lib/cli/base-command.js'
import {colorFlag, filterFlags, selectorFlag, storeFlags, timeFlags} from '../lib/cli/flags.js'
import {onInterrupt} from '../lib/cli/interrupt.js'
import {openJobs} from '../lib/open/open-jobs.js'
import {colorLevel, makeChalk} from '../lib/color.js'
import {contextSpec} from '../lib/query/context-lines.js'
import {getEntries, type GetOptions} from '../lib/query/get-entries.js'
import {checkSelectedUse, getSelectedEntries} from '../lib/query/get-selected.js'
import {parseSelector} from '../lib/label-selector.js'
import {jobPrefixColor, padJobId} from '../lib/tail/job-colors.js'
import {UsageError} from '../lib/errors/index.js'
import {copiesRaw, getRaw} from '../lib/query/get-raw.js'
import {checkJobId} from '../lib/job-id.js'
import type {JobMeta} from '../lib/job.js'
import {Output} from '../lib/output.js'
import {waitingNotice} from '../lib/render/notices.js'
import {buildFilter, levelHint, requiredPattern} from '../lib/query/filter.js'
import {inRanges, sectionRanges} from '../lib/structure/job-sections.js'
import {JobNotFoundError} from '../lib/errors/index.js'
import {OUTPUT_MODES, type OutputMode} from '../lib/render/format-entry.js'
import {writeChunks, writeEntries, writeJobEntries} from '../lib/render/write-entries.js'
import {parseTime} from '../lib/time.js'
import {endedJobExitCode, jobExitCode} from '../lib/tail/exit-code.js'

export default class Get extends BaseCommand {
  static override summary = "Print a job's log, wherever it lives (live store or archive)"
  static override description = `Prints the job's entries, filtered. --level warn means warn and above, --level =warn exactly warn. --grep and --exclude take regular expressions in RE2 syntax (linear-time matching: no backreferences or lookaround; (?i) works inline) and can be repeated (every --grep must match, no --exclude may); -i makes them ignore case. -A/-B/-C show lines around each match, with a -- line between groups, as grep does (text output; JSON output shows the gaps in seq). --stream keeps the lines of one stream of a job captured by \`logs run\`. With -l SELECTOR instead of an id, prints the lines of every job whose labels match, merged by time and prefixed with their job (JSON: a job field).
--output raw writes the stored bytes: the original ones (invalid UTF-8, CRLF, ANSI codes and NUL included) with the secrets push/run masked at capture replaced by ***; json writes one object per line: seq, ts, level, stream, line, fields.
With -f the command keeps following until the job ends, and waits for a job that has not started yet (saying so on stderr; --no-wait exits 1 at once instead).
--exit-code exits with the job's own status: its exit code when it failed, 1 when it was abandoned, 0 otherwise. Without -f the job must have ended: for a running job get prints what there is, says so on stderr and exits 2 (add -f to wait for the end).`

  static override examples = [
    '<%= config.bin %> get build-42',
    '<%= config.bin %> get build-42 --level error --since 10m',
    '<%= config.bin %> get build-42 -n 50 --grep "timeout|refused" --exclude healthcheck',
    '<%= config.bin %> get build-42 -i --grep "connection reset" -C 3',
    '<%= config.bin %> get build-42 --stream stderr -n 20',
    '<%= config.bin %> get -l env=prod --level error --since 1h',
    '<%= config.bin %> get build-42 --output raw > build-42.log',
    "<%= config.bin %> get build-42 --section 'Run tests' --section 'deploy-*'",
    '<%= config.bin %> get build-42 --output json | jq -r "select(.level==\\"error\\") | .line"',
    '<%= config.bin %> get build-42 -f --exit-code',
    '<%= config.bin %> get build-42 --exit-code > /dev/null || echo "build-42 failed with $?"',
  ]

  static override args = {id: Args.string({description: 'job id (or -l SELECTOR instead)', required: false})}

  static override flags = {
    ...selectorFlag,
    lines: Flags.integer({char: 'n', description: 'only the last N matching entries', min: 0}),
    head: Flags.integer({description: 'only the first N matching entries', min: 0, exclusive: ['lines']}),
    after: Flags.integer({description: 'only entries after this sequence number (resume from a cursor)', min: 0}),
    ...timeFlags,
    ...filterFlags,
    'ignore-case': Flags.boolean({char: 'i', description: '--grep and --exclude ignore case'}),
    'after-context': Flags.integer({char: 'A', description: 'also show N lines after each match', min: 0, helpValue: 'N'}),
    'before-context': Flags.integer({char: 'B', description: 'also show N lines before each match', min: 0, helpValue: 'N'}),
    context: Flags.integer({char: 'C', description: 'also show N lines before and after each match', min: 0, helpValue: 'N'}),
    stream: Flags.string({description: 'only lines of this stream (as recorded by logs run)', options: ['stdout', 'stderr']}),
    section: Flags.string({description: 'only the lines of this section: its name or title, * and ? globs (repeatable; logs sections JOB lists them)', multiple: true}),
    output: Flags.string({
      char: 'o',
      description: 'text (for people), json (NDJSON) or raw (original bytes, secrets masked at capture)',
      options: [...OUTPUT_MODES],
      default: 'text',
    }),
    timestamps: Flags.boolean({char: 't', description: 'prefix each line with the time it was read (text output)'}),
    follow: Flags.boolean({char: 'f', description: 'keep following new entries until the job ends'}),
    wait: Flags.boolean({description: 'with -f: wait for a job that has not started, saying so on stderr (--no-wait: exit 1 at once)', allowNo: true, default: true}),
    'exit-code': Flags.boolean({description: "exit with the job's exit code (a failed job's code, 1 if abandoned); without -f a running job is exit 2"}),
    ...colorFlag,
    ...storeFlags,
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Get)
    if (flags.selector) return this.runSelected(args.id, flags)
    if (args.id === undefined) throw new UsageError('no job given', ['logs get JOB, or logs get -l SELECTOR for every job whose labels match'])
    const job = checkJobId(args.id, 'argument ID')
    const spec = {...flags, ignoreCase: flags['ignore-case']}
    let filter = buildFilter(spec)
    const context = contextSpec(flags)
    const now = Date.now()
    const jobs = await openJobs(this.settings(flags))
    const out = new Output(process.stdout)
    const interrupt = onInterrupt()
    let ended: JobMeta | undefined
    let exitCode = 0
    try {
      let after = flags.after
      if (flags.section) {
        const meta = await jobs.getJob(job)
        if (!meta) throw new JobNotFoundError(job, jobs.live.name)
        const ranges = sectionRanges(meta, flags.section)
        const inSection = inRanges(ranges)
        const rest = filter
        filter = rest ? (entry) => inSection(entry) && rest(entry) : inSection
        after = Math.max(after ?? 0, Math.min(...ranges.map(([first]) => first)) - 1)
      }
      const options: GetOptions = {
        job,
        after,
        since: flags.since ? parseTime(flags.since, '--since', now) : undefined,
        until: flags.until ? parseTime(flags.until, '--until', now) : undefined,
        tail: flags.lines,
        head: flags.head,
        filter,
        context,
        // With context the store must hand over the lines around the matches too.
        match: context ? undefined : requiredPattern(spec),
        levels: context ? undefined : levelHint(spec),
        onWarning: (message) => process.stderr.write(`logs: warning: ${message}\n`),
        follow: flags.follow,
        wait: flags.wait,
        onWaiting: () => process.stderr.write(waitingNotice(job)),
        signal: interrupt.signal,
        onEnd: (meta) => (ended = meta),
      }
      if (flags.output === 'raw' && copiesRaw(options)) await writeChunks(getRaw(jobs, options), out)
      else {
        const chalk = makeChalk(colorLevel(process.stdout, flags.color))
        await writeEntries(getEntries(jobs, options), out, flags.output as OutputMode, {chalk, timestamps: flags.timestamps}, context !== undefined && filter !== undefined)
      }
      await out.flush()
      if (flags['exit-code']) exitCode = flags.follow ? jobExitCode(ended) : endedJobExitCode(job, await jobs.getJob(job))
    } finally {
      interrupt.dispose()
      await jobs.close()
    }
    if (exitCode !== 0) this.exit(exitCode)
  }

  /** `get -l SELECTOR`: every matching job's lines, merged by time. */
  private async runSelected(id: string | undefined, flags: Interfaces.InferredFlags<typeof Get.flags>): Promise<void> {
    checkSelectedUse(id, flags)
    const selector = parseSelector(flags.selector)!
    const filter = buildFilter({...flags, ignoreCase: flags['ignore-case']})
    const now = Date.now()
    const jobs = await openJobs(this.settings(flags))
    const out = new Output(process.stdout)
    const interrupt = onInterrupt()
    try {
      const batches = getSelectedEntries(jobs, {
        selector,
        filter,
        since: flags.since ? parseTime(flags.since, '--since', now) : undefined,
        until: flags.until ? parseTime(flags.until, '--until', now) : undefined,
        head: flags.head,
        tail: flags.lines,
        signal: interrupt.signal,
      })
      const chalk = makeChalk(colorLevel(process.stdout, flags.color))
      const width = Math.max(0, ...(await jobs.listJobs({selector})).map((meta) => meta.id.length))
      await writeJobEntries(batches, out, flags.output as OutputMode, {chalk, timestamps: flags.timestamps}, (job) => ({
        prefix: padJobId(job, width),
        prefixColor: jobPrefixColor(chalk, job),
      }))
      await out.flush()
    } finally {
      interrupt.dispose()
      await jobs.close()
    }
  }
}
