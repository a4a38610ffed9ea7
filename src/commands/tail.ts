import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import {BaseCommand} from '../lib/cli/base-command.js'
import {colorFlag, filterFlags, selectorFlag, storeFlags, timeFlags} from '../lib/cli/flags.js'
import {parseSelector} from '../lib/label-selector.js'
import {openJobs} from '../lib/open/open-jobs.js'
import {colorLevel, makeChalk} from '../lib/color.js'
import {buildFilter} from '../lib/query/filter.js'
import {isInteractive, runTail} from '../lib/ui/run-tail.js'
import {parseTargets} from '../lib/job-targets.js'
import {parseTime} from '../lib/time.js'

export default class Tail extends BaseCommand {
  static override summary = 'Follow jobs live: a terminal viewer on a TTY, plain lines like tail -f otherwise'
  static override description = `On a terminal, opens the viewer: search (/, n, N), level filter (l), pause (space, or scroll up), G to follow again, j to show or hide jobs, ] and [ to go to the next and previous section, z to fold or unfold it (Z: all sections; the top row shows the job's phase and progress), ? for all keys, q to quit. Only the last --buffer entries are kept in memory; with one job, older ones are read from the store as you scroll, and e/E (errors) and n/N (search matches) search the whole job, reading the store past the buffer (with several jobs they search the entries in memory; s saves what is in memory).
Otherwise prints lines like tail -f (the last -n of each job first; with --since, every line since then, or the last -n of them) and exits once every followed job has ended; with --exit-code, with the job's exit code (a failed job's code, 1 for an abandoned one; with --no-follow a job still running prints what there is, says so on stderr and exits 2). A store or relay that stops answering is waited for, and each job followed on from its last line printed: plain lines end with exit 1 once it has not answered for about a minute (?retry-for= on a Redis or relay URL changes that); the viewer says reconnecting and keeps trying. Stopped by a signal (Ctrl-C in a pipe, SIGTERM, a closed terminal) tail dies of it (the viewer after giving the terminal back): a shell reports 128+N (130, 143, 129); in the viewer Ctrl-C is a key that quits as q does (exit 0, or the job's status with --exit-code).
Several ids or globs ('build-*', quoted) follow several jobs at once, each line prefixed with its job id in a stable colour, and merged by time: the backlogs interleave, and a live line waits up to 200 ms for earlier lines of the other jobs. -l SELECTOR keeps the jobs globs find to those whose labels match (plain ids are followed whatever their labels); with no id or glob it selects among all jobs. A glob follows the matching jobs running at start and every matching job that starts later (while none matches and no job is named, piped tail says so once on stderr); new jobs are found by listing the store again every 250 ms, backing off to every 2 s while none appears (the stores have no job-created notification). A job a glob matched that is deleted (logs gc, logs rm) while it is read is left out, with one line on stderr, and the others go on; a job named by its id fails the command. One of several jobs with a damaged archived block prints every line it can, is named on stderr at once, and the others are followed on; the command then exits 1 once they have ended (stopped by a signal, it dies of it, as any follow).`

  static override examples = [
    '<%= config.bin %> tail build-42',
    "<%= config.bin %> tail 'build-*' deploy-7",
    '<%= config.bin %> tail -l env=prod,team=web',
    '<%= config.bin %> tail build-42 --level warn --grep timeout',
    '<%= config.bin %> tail build-42 --exit-code | tee build.log',
    '<%= config.bin %> tail build-42 -n 100 --no-follow --timestamps',
    "<%= config.bin %> tail 'build-*' --since 10m",
  ]

  static override strict = false
  static override args = {jobs: Args.string({description: "job ids or globs ('build-*'); several allowed; none with -l: every job whose labels match", required: false})}

  static override flags = {
    ...selectorFlag,
    lines: Flags.integer({char: 'n', description: 'entries of each job shown before following (plain mode) [default: 10; with --since: all since then]', min: 0}),
    since: timeFlags.since,
    level: filterFlags.level,
    // Non-greedy: `--grep x a b` takes one value, leaving a and b as jobs.
    grep: Flags.string({...filterFlags.grep, multiple: true, multipleNonGreedy: true}),
    exclude: Flags.string({...filterFlags.exclude, multiple: true, multipleNonGreedy: true}),
    timestamps: Flags.boolean({char: 't', description: 'prefix each line with the time it was read'}),
    follow: Flags.boolean({description: 'keep following new entries (--no-follow: print and exit)', allowNo: true, default: true}),
    'exit-code': Flags.boolean({description: "exit with the job's exit code once it ends (several jobs: the first failure's)"}),
    wait: Flags.boolean({description: 'wait for a job that has not started, saying so on stderr (--no-wait: exit 1 at once)', allowNo: true, default: true}),
    buffer: Flags.integer({description: 'entries the viewer keeps in memory; older ones are read from the store on demand', min: 100, default: 20_000}),
    ...colorFlag,
    ...storeFlags,
  }

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(Tail)
    const targets = parseTargets(argv as string[], parseSelector(flags.selector))
    const filter = buildFilter(flags)
    const since = flags.since === undefined ? undefined : parseTime(flags.since, '--since')
    const lines = flags.lines ?? (since === undefined ? 10 : Number.POSITIVE_INFINITY)
    const interactive = isInteractive()
    const chalk = makeChalk(colorLevel(process.stdout, flags.color))
    const jobs = await openJobs(this.settings(flags), {readOnly: true})
    let exitCode: number
    try {
      ;({exitCode} = await runTail({
        jobs,
        targets,
        filter,
        lines,
        since,
        follow: flags.follow,
        timestamps: flags.timestamps,
        exitCode: flags['exit-code'],
        buffer: flags.buffer,
        chalk,
        interactive,
        wait: flags.wait,
      }))
    } finally {
      await jobs.close()
    }
    if (exitCode !== 0) this.exit(exitCode)
  }
}
