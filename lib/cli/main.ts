import { createRequire } from 'node:module';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ConfigError } from '../errors.js';
import { parseEdition } from '../simulator/editions.js';
import type { CliContext } from './context.js';
import { consoleOutput, EXIT_CODES, reportFailure } from './output.js';
import { everyHours } from './schedule-command.js';
import type { PortalFlag } from './simulator-command.js';

// Each command imports its module when it runs, not before: `--help` and `reports` do not load DuckDB, the AWS
// SDK, the pipeline or the simulator (bench/startup.ts, figure 8 of `npm run bench`).

const VERSION = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

function integer(name: string, min = 0) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < min) throw new InvalidArgumentError(`${name} must be a whole number ≥ ${min}.`);
    return Number(value);
  };
}

function rate(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0 || parsed > 1) throw new InvalidArgumentError('a rate between 0 and 1, e.g. 0.1');
  return parsed;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `--portal <edition>:<tickets>` (repeatable): a further portal of the simulator. */
function portalFlag(value: string, previous: PortalFlag[] = []): PortalFlag[] {
  const [name = '', tickets, ...rest] = value.split(':');
  let edition: PortalFlag['edition'];
  try {
    edition = parseEdition(name);
  } catch (error) {
    throw new InvalidArgumentError(`${(error as Error).message}, as in --portal standard:500`);
  }
  if (tickets === undefined || rest.length > 0 || !/^\d+$/.test(tickets) || Number(tickets) < 1) {
    throw new InvalidArgumentError(`write <edition>:<tickets> with the tickets a whole number ≥ 1, as in --portal ${name.toLowerCase()}:500`);
  }
  return [...previous, { edition, tickets: Number(tickets) }];
}

/** Against the deployed stack instead of this machine. */
function deployed(command: Command): Command {
  return command
    .option('--stage <stage>', 'work on the deployed stack zoho-desk-reports-<stage> instead of this machine')
    .option('--region <region>', 'AWS region of the stack (default: your AWS configuration)');
}

/** The options every command that runs the local pipeline takes. */
function local(command: Command): Command {
  return command
    .option('--out <dir>', 'the reports folder (the local bucket)', undefined)
    .option('--simulate', 'use the bundled Zoho Desk simulator, started in-process (no Zoho account needed)')
    .option('--secret <path>', 'local secret file (default: ZOHO_SECRET_ID or .zoho/auth.json)')
    .option('--concurrency <n>', "calls at once (default: what the portal's edition allows)", integer('--concurrency', 1))
    .option('--reserve <credits>', 'credits of the daily pool to leave unspent: a number, or a share like 20%', '20%');
}

/** The `zoho-desk-reports` command line. Every failure ends in one line saying what to fix. */
export function buildProgram(context: CliContext, result: { exitCode: number }): Command {
  const program = new Command('zoho-desk-reports')
    .description('Keep a copy of your Zoho Desk data in S3 or a local folder, ready for reporting.')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => context.out.line(s.trimEnd()), writeErr: (s) => context.out.error(s.trimEnd()) });

  local(program.command('run'))
    .description('fetch reports from Zoho Desk into the reports folder (all of them when none are named)')
    .argument('[report...]', 'report ids (see `reports`)')
    .option('--param <name=value>', 'a report parameter, e.g. --param ticketId=1329983000000425001 (repeatable)', collect)
    .option(
      '--portal <secretId>',
      'also run another portal into the same folder: its secret is <secretId>.json beside the default secret (repeatable)',
      collect,
    )
    .action(async (reports: string[], options) => {
      const { runReports } = await import('./run-command.js');
      result.exitCode = await runReports(reports, options, context);
    });

  deployed(local(program.command('redrive')))
    .description('move dead-lettered pages back to the queue and fetch them again')
    .option('--portal <id>', "only this portal's pages: its org id, or the secretId they name")
    .action(async (options) => {
      if (options.stage) result.exitCode = await (await import('./aws-commands.js')).awsRedrive(options, context);
      else result.exitCode = await (await import('./redrive-command.js')).redrive(options, context);
    });

  deployed(local(program.command('enqueue')))
    .description('queue an on-demand report or Desk route and process it (--later: at the next run)')
    .argument('[report]', 'report id')
    .option('--route <path>', 'any Desk GET list route, e.g. /tickets/1329983000000425001/threads')
    .option('--param <name=value>', 'a report parameter or route query parameter (repeatable)', collect)
    .option('--portal <secretId>', "another portal's secret (locally <secretId>.json beside the default secret)")
    .option('--secret-id <id>', 'the same as --portal (its older name)')
    .option('--later', 'only queue it; the next `run` processes it')
    .action(async (report: string | undefined, options) => {
      if (options.portal && options.secretId && options.portal !== options.secretId) throw new ConfigError('Give --portal or --secret-id, not both.');
      options.secretId ??= options.portal;
      if (options.stage) result.exitCode = await (await import('./aws-commands.js')).awsEnqueue(report, options, context);
      else result.exitCode = await (await import('./enqueue-command.js')).enqueue(report, options, context);
    });

  program
    .command('prune')
    .description(
      'remove the raw pages of the reports read in full every run (agents, tags, …) once compacted into current/, older than --older-than days',
    )
    .requiredOption(
      '--older-than <days>',
      'age in days of the pages to remove (the S3 bucket does this with a lifecycle rule)',
      integer('--older-than', 1),
    )
    .option('--out <dir>', 'the reports folder (default: REPORTS_DIR or ./reports)')
    .option('--dry-run', 'say what would be removed, remove nothing')
    .action(async (options) => {
      result.exitCode = await (await import('./prune-command.js')).prune(options, context);
    });

  deployed(program.command('status'))
    .description('the queue, the dead-letter queue, the alarms firing (--stage), and the last runs with their manifests')
    .option('--out <dir>', 'the reports folder')
    .option('--runs <n>', 'how many recent runs', integer('--runs', 1), 3)
    .option('--portal <id>', "only this portal's runs: its org id, or the secretId they were planned with")
    .action(async (options) => {
      if (options.stage) await (await import('./aws-commands.js')).awsStatus(options, context);
      else await (await import('./status-command.js')).showStatus(options, context);
    });

  program
    .command('schedule')
    .description('print (or --install) a systemd user timer, or a crontab line (--cron), that runs `run` every few hours from this folder')
    .option('--every <hours>', 'hours between runs', everyHours, 4)
    .option('--out <dir>', 'the reports folder (default: REPORTS_DIR or ./reports)')
    .option('--secret <path>', 'local secret file (default: ZOHO_SECRET_ID or .zoho/auth.json)')
    .option('--cron', 'a crontab line instead of systemd units')
    .option('--install', 'write the units to ~/.config/systemd/user (never runs systemctl or edits a crontab)')
    .option('--force', 'with --install: replace units that differ')
    .action(async (options) => (await import('./schedule-command.js')).schedule(options, context));

  const auth = program.command('auth').description('OAuth2 with Zoho Accounts');
  auth
    .command('init')
    .description('exchange the grant code for a refresh token, store it, and check it against Zoho Desk')
    .option('--secret <path>', 'local secret file (default: ZOHO_SECRET_ID or .zoho/auth.json)')
    .option('--replace', 'exchange the code even though a refresh token is stored (new scopes or portal)')
    .option('--secret-id <id>', 'use this AWS Secrets Manager secret (e.g. zoho_auth) instead of a local file')
    .option('--region <region>', 'AWS region of the secret (default: your AWS configuration)')
    .action(async (options) => {
      if (options.secretId) await (await import('./aws-commands.js')).awsAuthInit(options, context);
      else await (await import('./auth-command.js')).authInit(options, context);
    });

  program
    .command('query')
    .description('SQL over the local export: one table per report (tickets, threads, …) and <table>_latest views')
    .argument('[sql]', 'e.g. "SELECT status, count(*) AS tickets FROM tickets_latest GROUP BY status"')
    .option('--file <path>', 'read the SQL from a file instead')
    .option('--out <dir>', 'the reports folder (the local bucket)')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'csv', 'json']).default('table'))
    .option('--portal <orgId>', "one portal's rows alone, in every table and view (its org id)")
    .action(async (sql: string | undefined, options) => (await import('./query-command.js')).runQuery(sql, options, context));

  program
    .command('report')
    .description('one self-contained HTML page of charts (volumes, backlog, response times, happiness, …)')
    .option('--from <dir>', 'the reports folder (the local bucket; default: REPORTS_DIR or ./reports)')
    .option('--out <file>', 'the HTML file to write', 'report.html')
    .option('--portal <orgId>', "one portal's charts (its org id)")
    .action(async (options) => (await import('./report-command.js')).writeReport(options, context));

  program
    .command('reports')
    .description('list the reports, their parameters and the Zoho edition each needs')
    .option('--json', 'as JSON')
    .action(async (options) => (await import('./reports-command.js')).listReports(options, context));

  program
    .command('simulator')
    .description('serve the bundled Zoho Desk simulator (Accounts + Desk API) on 127.0.0.1')
    .option('--port <n>', 'port (0 picks a free one)', integer('--port'), 8450)
    .option('--seed <n>', 'seed of the generated portal', integer('--seed'), 42)
    .option('--tickets <n>', 'tickets in the portal', integer('--tickets'), 200)
    .addOption(
      new Option('--edition <edition>', 'Zoho Desk edition')
        .choices(['free', 'express', 'standard', 'professional', 'enterprise'])
        .default('enterprise'),
    )
    .option('--latency <ms>', 'added to every Desk call', integer('--latency'), 0)
    .option('--error-rate <rate>', 'share of calls answered 500', rate, 0)
    .option('--throttle-rate <rate>', 'share of calls answered 429 TOO_MANY_REQUESTS', rate, 0)
    .option('--reset-rate <rate>', 'share of connections dropped', rate, 0)
    .option('--concurrency <n>', "override the (first portal's) edition's concurrent-call limit", integer('--concurrency', 1))
    .option('--credits <n>', "override the (first portal's) edition's daily credit pool", integer('--credits'))
    .option(
      '--portal <edition:tickets>',
      'serve a further portal on the same port, e.g. standard:500; its seed is --seed + n for the n-th (repeatable)',
      portalFlag,
    )
    .option(
      '--write-secret <path>',
      "write a matching secret file (client, fresh grant code, org_id); each --portal's goes beside it as zoho_auth_<orgId>.json",
    )
    .action(async (options) => {
      const { serveSimulator } = await import('./simulator-command.js');
      const running = await serveSimulator(options, context);
      await new Promise<void>((resolve) => {
        const stop = () => void running.stop().then(resolve);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });

  return program;
}

export async function main(argv: string[], given: CliContext = { env: process.env, out: consoleOutput }): Promise<number> {
  const result = { exitCode: 0 };
  // DEBUG=1: the pipeline's structured log on stderr.
  const context =
    given.logger || !given.env.DEBUG ? given : { ...given, logger: (await import('../adapters/json-logger.js')).jsonLogger('cli', 'debug', 2) };
  try {
    await buildProgram(context, result).parseAsync(argv, { from: 'user' });
    return result.exitCode;
  } catch (error) {
    // Commander has already printed its own message. --help and --version end with 0; a usage error (an
    // unknown option or command, a missing or invalid argument) is input to fix: 2, as the README promises.
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_CODES.fix;
    return reportFailure(error, context.out, Boolean(context.env.DEBUG));
  }
}
