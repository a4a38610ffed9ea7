import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import type * as Interfaces from '@oclif/core/interfaces'
import {BaseCommand} from '../lib/cli/base-command.js'
import {colorFlag, filterFlags, selectorFlag, storeFlags, timeFlags} from '../lib/cli/flags.js'
import {onInterrupt} from '../lib/interrupt.js'
import {openJobs} from '../lib/open/open-jobs.js'
import {colorLevel, makeChalk} from '../lib/color.js'
import {contextSpec, type ContextSpec} from '../lib/query/context-lines.js'
import {getEntries, inSections, type GetOptions} from '../lib/query/get-entries.js'
import {FOLLOW_UNSUPPORTED, getSelectedEntries} from '../lib/query/get-selected.js'
import {parseSelector} from '../lib/label-selector.js'
import {jobPrefixColor, padJobId} from '../lib/tail/job-colors.js'
import {isSingleJob, parseQueryTargets, type TailTargets} from '../lib/job-targets.js'
import {plainTail} from '../lib/tail/plain-tail.js'
import {startProgress} from '../lib/cli/progress.js'
import {UsageError} from '../lib/errors/index.js'
import {rawOutput, storedBlocks} from '../lib/query/get-raw.js'
import {printsAsStored, textOfBlocks} from '../lib/render/plain-text.js'
import type {JobMeta} from '../lib/job.js'
import {Output} from '../lib/output.js'
import {globsText, leftOutNotice, unreadableNotice, waitingForMatchNotice, waitingNotice} from '../lib/render/notices.js'
import {buildFilter, levelHint, lineMatcher, requiredPattern, type FilterSpec} from '../lib/query/filter.js'
import {sectionRanges} from '../lib/structure/job-sections.js'
import {NoJobMatchesError} from '../lib/errors/index.js'
import {OUTPUT_MODES, type OutputMode, type TextStyle} from '../lib/render/format-entry.js'
import {writeChunks, writeEntries, writeJobEntries} from '../lib/render/write-entries.js'
import {parseTime} from '../lib/time.js'
import {endedJobExitCode, jobExitCode} from '../lib/tail/exit-code.js'

export default class Get extends BaseCommand {
  static override summary = "Print jobs' logs, wherever they live (live store or archive)"
  static override description = `Prints the job's entries, filtered. --level warn means warn and above, --level =warn exactly warn. --grep and --exclude take regular expressions in RE2 syntax (linear-time matching: no backreferences or lookaround; (?i) works inline) and can be repeated (every --grep must match, no --exclude may); -i makes them ignore case. -A/-B/-C show lines around each match, with a -- line between groups, as grep does (text output; JSON output shows the gaps in seq). --stream keeps the lines of one stream of a job captured by \`logs run\`.
Several ids and globs ('deploy-*', quoted), or -l SELECTOR (alone: among all jobs; beside ids: the jobs it selects too; beside globs: the matches whose labels match), print the lines of every job, live or archived, merged by time (ties by job, then seq), each text line prefixed with its job and JSON records with a job field; --by-job prints one job after another instead. Every filter applies to each job; -n and --head count over the merged output (with --by-job, per job); --section picks each job's sections of that name; --after applies to each job's own sequence numbers. Jobs that cannot match are not read: ended before --since or started after --until, no line at the --level, or (archived) whose block filters rule out the --grep literal; the others are read several at once. On a terminal, stderr shows how many jobs have been read. A job id that does not exist is exit 1, and so are globs (or -l) that match no job at all ("no job matches 'x-*'"); a glob that matches nothing beside others that do is a warning on stderr. With -f, several jobs are followed until every one has ended (a glob waits for matching jobs to start; while none matches and no job is named, stderr says so once: "waiting for a job matching 'x-*' to start"), merged by time as logs tail does (a job a glob matched that is deleted meanwhile is left out, with one line on stderr; an archived job with a damaged block is named on stderr at once and the others are followed on, and the command then exits 1 once they have ended; stopped by a signal, it dies of it: 128+N in a shell).
--output raw writes the stored bytes: the original ones (invalid UTF-8, CRLF, ANSI codes and NUL included) with the secrets push/run masked at capture replaced by ***; json writes one object per line: seq, ts, level, stream, line, fields.
With -f the command keeps following until the job ends, and waits for a job that has not started yet (saying so on stderr; --no-wait exits 1 at once instead). A store or relay that stops answering while -f follows is waited for, and the follow goes on from the last line printed (none twice, none lost); it is an error (exit 1) once it has not answered for about a minute (?retry-for= on a Redis or relay URL changes that). Stopped by a signal (Ctrl-C, SIGTERM), get dies of that signal once what it printed is flushed, as Unix tools do: a shell reports 128+N (130, 143), and a shell loop over logs get -f stops at Ctrl-C. A second signal while it flushes (a reader that stopped reading) ends it at once.
--exit-code exits with the job's own status: its exit code when it failed, 1 when it was abandoned, 0 otherwise (with -f on several jobs: the first failure's). Without -f the job must have ended: for a running job get prints what there is, says so on stderr and exits 2 (add -f to wait for the end).`

  static override examples = [
    '<%= config.bin %> get build-42',
    '<%= config.bin %> get build-42 --level error --since 10m',
    '<%= config.bin %> get build-42 -n 50 --grep "timeout|refused" --exclude healthcheck',
    '<%= config.bin %> get build-42 -i --grep "connection reset" -C 3',
    '<%= config.bin %> get build-42 --stream stderr -n 20',
    "<%= config.bin %> get build-41 build-42 'deploy-*' --level error",
    "<%= config.bin %> get 'build-*' --grep OutOfMemoryError --since 7d",
    "<%= config.bin %> get 'build-*' --by-job -n 5 --output json | jq -r .job",
    '<%= config.bin %> get -l env=prod --level error --since 1h',
    "<%= config.bin %> get 'deploy-*' -f",
    '<%= config.bin %> get build-42 --output raw > build-42.log',
    "<%= config.bin %> get build-42 --section 'Run tests' --section 'deploy-*'",
    '<%= config.bin %> get build-42 --output json | jq -r "select(.level==\\"error\\") | .line"',
    '<%= config.bin %> get build-42 -f --exit-code',
    '<%= config.bin %> get build-42 --exit-code > /dev/null || echo "build-42 failed with $?"',
  ]

  static override strict = false
  static override args = {jobs: Args.string({description: "job ids or globs ('deploy-*', quoted); several allowed; none with -l: every job whose labels match", required: false})}

  static override flags = {
    ...selectorFlag,
    lines: Flags.integer({char: 'n', description: 'only the last N matching entries', min: 0}),
    head: Flags.integer({description: 'only the first N matching entries', min: 0, exclusive: ['lines']}),
    after: Flags.integer({description: 'only entries after this sequence number (resume from a cursor)', min: 0}),
    ...timeFlags,
    ...filterFlags,
    // Non-greedy: `--grep x a b` takes one value, leaving a and b as jobs.
    grep: Flags.string({...filterFlags.grep, multiple: true, multipleNonGreedy: true}),
    exclude: Flags.string({...filterFlags.exclude, multiple: true, multipleNonGreedy: true}),
    'ignore-case': Flags.boolean({char: 'i', description: '--grep and --exclude ignore case'}),
    'after-context': Flags.integer({char: 'A', description: 'also show N lines after each match', min: 0, helpValue: 'N'}),
    'before-context': Flags.integer({char: 'B', description: 'also show N lines before each match', min: 0, helpValue: 'N'}),
    context: Flags.integer({char: 'C', description: 'also show N lines before and after each match', min: 0, helpValue: 'N'}),
    stream: Flags.string({description: 'only lines of this stream (as recorded by logs run)', options: ['stdout', 'stderr']}),
    section: Flags.string({
      description: 'only the lines of this section: its name or title, * and ? globs (repeatable; logs sections JOB lists them)',
      multiple: true,
      multipleNonGreedy: true,
    }),
    'by-job': Flags.boolean({description: 'with several jobs: one job after another (in the order given, glob matches by id) instead of merged by time'}),
    output: Flags.string({
      char: 'o',
      description:
        'text (for people), json (NDJSON: seq, ts, level, stream, line, fields; record: start or continuation on the lines of a stack trace or other multi-line record) or raw (original bytes, secrets masked at capture)',
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
    const {argv, flags} = await this.parse(Get)
    const selector = parseSelector(flags.selector)
    const targets = parseQueryTargets(argv as string[], selector)
    if (isSingleJob(targets) && !selector && !flags['by-job']) return this.runOne(targets.ids[0], flags)
    if (flags.follow) return this.runFollow(targets, flags)
    return this.runMany(targets, flags)
  }

  /** One job: `logs get JOB` as it always was (no prefix, the job's own exit code). */
  private async runOne(job: string, flags: GetFlags): Promise<void> {
    const spec = {...flags, ignoreCase: flags['ignore-case']}
    const context = contextSpec(flags)
    const jobs = await openJobs(this.settings(flags), {readOnly: true})
    const out = new Output(process.stdout)
    const interrupt = onInterrupt()
    let ended: JobMeta | undefined
    let exitCode = 0
    const style = stdoutStyle(flags)
    const copiesText = flags.output === 'text' && printsAsStored(style)
    try {
      let options: GetOptions = {
        job,
        ...entryQuery(flags, spec, context),
        lines: (flags.output === 'raw' || copiesText) && !flags.section ? lineMatcher(spec) : undefined,
        onWarning: (message) => process.stderr.write(`logs: warning: ${message}\n`),
        follow: flags.follow,
        wait: flags.wait,
        onWaiting: () => process.stderr.write(waitingNotice(job)),
        signal: interrupt.signal,
        onEnd: (meta) => (ended = meta),
      }
      if (flags.section) {
        const meta = await jobs.requireJob(job)
        options = inSections(options, sectionRanges(meta, flags.section))
      }
      const blocks = copiesText ? storedBlocks(jobs, options) : undefined
      const copied = flags.output === 'raw' ? rawOutput(jobs, options) : blocks && textOfBlocks(blocks, style)
      if (copied) await writeChunks(copied, out)
      else await writeEntries(getEntries(jobs, options), out, flags.output as OutputMode, style, context !== undefined && options.filter !== undefined)
      await out.flush()
      if (flags['exit-code'] && !interrupt.signal.aborted) exitCode = flags.follow ? jobExitCode(ended) : endedJobExitCode(job, await jobs.getJob(job))
    } catch (error) {
      if (!interrupt.signal.aborted) throw error
    } finally {
      interrupt.dispose()
      await jobs.close()
    }
    // Stopped by a signal, the process dies of it once this returns (cli/execute.ts), whatever was printed before it.
    if (exitCode !== 0) this.exit(exitCode)
  }

  /** Several jobs (ids, globs, -l): merged by time, or one after another with --by-job; progress on a terminal. */
  private async runMany(targets: TailTargets, flags: GetFlags): Promise<void> {
    if (flags['exit-code']) throw new UsageError('--exit-code works on one job, or with -f on several', ['logs get JOB --exit-code, or logs get a b -f --exit-code'])
    const spec = {...flags, ignoreCase: flags['ignore-case']}
    const context = contextSpec(flags)
    const jobs = await openJobs(this.settings(flags), {readOnly: true})
    const interrupt = onInterrupt()
    const progress = startProgress('reading jobs', {json: false})
    const out = new Output(process.stdout, (write) => progress.around(write))
    let read = 0
    let total = 0
    let skipped = 0
    try {
      const style = stdoutStyle(flags)
      let width = 0
      const batches = getSelectedEntries(jobs, {
        targets,
        byJob: flags['by-job'],
        ...entryQuery(flags, spec, context),
        sections: flags.section,
        lines: flags.output === 'raw' && !flags.section ? lineMatcher(spec) : undefined,
        onWarning: (message) => progress.around(() => process.stderr.write(`logs: warning: ${message}\n`)),
        signal: interrupt.signal,
        ruledOut: jobs.archive?.ruledOut?.bind(jobs.archive),
        // Nothing selected is a failure, as an id that is not found; a glob that found nothing beside others that did is said.
        onUnmatched: (globs, selected) => {
          const what = globsText(globs, targets.selector)
          if (selected === 0) throw new NoJobMatchesError(what, jobs.archive ? `${jobs.live.name} or ${jobs.archive.name}` : jobs.live.name)
          progress.around(() => process.stderr.write(`logs: warning: no job matches ${what}\n`))
        },
        onJobs: (metas, ruledOut) => {
          width = Math.max(0, ...metas.map((meta) => meta.id.length))
          total = metas.length
          skipped = ruledOut
          progress.status(`0/${total} jobs${skipped ? ` · ${skipped} skipped` : ''}`, true)
        },
        onJobDone: () => progress.status(`${++read}/${total} jobs${skipped ? ` · ${skipped} skipped` : ''}`),
      })
      await writeJobEntries(
        batches,
        out,
        flags.output as OutputMode,
        style,
        (job) => ({prefix: padJobId(job, width), prefixColor: jobPrefixColor(style.chalk, job)}),
        context !== undefined,
      )
      await out.flush()
    } catch (error) {
      if (!interrupt.signal.aborted) throw error
    } finally {
      progress.finish()
      interrupt.dispose()
      await jobs.close()
    }
  }

  /** -f with several jobs: their history, then new lines as they come, merged by time (tail's feed). */
  private async runFollow(targets: TailTargets, flags: GetFlags): Promise<void> {
    const unsupported = FOLLOW_UNSUPPORTED.filter((name) => flags[name] !== undefined && flags[name] !== false)
    if (unsupported.length > 0) throw new UsageError(`--${unsupported[0]} does not work with -f on several jobs`, ['drop -f to read what there is, or follow one job at a time'])
    const jobs = await openJobs(this.settings(flags), {readOnly: true})
    const out = new Output(process.stdout)
    let exitCode: number
    try {
      ;({exitCode} = await plainTail({
        jobs,
        targets,
        output: out,
        ...stdoutStyle(flags),
        backlog: flags.lines ?? Number.POSITIVE_INFINITY,
        since: flags.since !== undefined ? parseTime(flags.since, '--since') : undefined,
        follow: true,
        history: true,
        filter: buildFilter({...flags, ignoreCase: flags['ignore-case']}),
        exitCode: flags['exit-code'],
        mode: flags.output as OutputMode,
        onWaiting: flags.wait ? (job) => process.stderr.write(waitingNotice(job)) : undefined,
        onWaitingForMatch: () => process.stderr.write(waitingForMatchNotice(targets)),
        onLeftOut: (job, why) => process.stderr.write(leftOutNotice(job, why)),
        onUnreadable: (error) => process.stderr.write(unreadableNotice(error)),
      }))
    } finally {
      await jobs.close()
    }
    if (exitCode !== 0) this.exit(exitCode)
  }
}

type GetFlags = Interfaces.InferredFlags<typeof Get.flags>

/** Text output's style on stdout: colour as --color and the environment say, whether stdout is a terminal, --timestamps. */
function stdoutStyle(flags: GetFlags): TextStyle {
  return {chalk: makeChalk(colorLevel(process.stdout, flags.color)), terminal: process.stdout.isTTY === true, timestamps: flags.timestamps}
}

/** What the flags ask of each job's entries: the range, the filter and what lets a store skip what cannot match. */
function entryQuery(flags: GetFlags, spec: FilterSpec, context: ContextSpec | undefined) {
  const now = Date.now()
  return {
    after: flags.after,
    since: flags.since !== undefined ? parseTime(flags.since, '--since', now) : undefined,
    until: flags.until !== undefined ? parseTime(flags.until, '--until', now) : undefined,
    tail: flags.lines,
    head: flags.head,
    filter: buildFilter(spec),
    context,
    // With context the store must hand over the lines around the matches too.
    match: context ? undefined : requiredPattern(spec),
    levels: context ? undefined : levelHint(spec),
  }
}
