import { mkdir, readFile, realpath, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { isAbsolute, join, resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { ConfigError } from '../errors.js';
import { DEFAULT_OUT, DEFAULT_SECRET_PATH, type CliContext } from './context.js';

export interface ScheduleOptions {
  every: number;
  out?: string;
  secret?: string;
  cron?: boolean;
  install?: boolean;
  force?: boolean;
}

/** What the scheduled `run` needs, every path absolute: no shell, no PATH, no current directory. */
export interface ScheduledRun {
  everyHours: number;
  workingDir: string;
  reportsDir: string;
  secretPath: string;
  node: string;
  entry: string;
  /** the Zoho settings of this shell that `run` reads (ZOHO_DC, …), passed on as they are */
  env: Array<[string, string]>;
}

export const UNIT_NAME = 'zoho-desk-reports';
const PASSED_ON = ['ZOHO_DC', 'ZOHO_ACCOUNTS_URL', 'ZOHO_DESK_URL', 'ZOHO_RECONCILE_HOURS', 'ZOHO_MAX_RESPONSE_MB', 'ZOHO_ATTACHMENT_MAX_MB'];
const ENABLE = `systemctl --user daemon-reload && systemctl --user enable --now ${UNIT_NAME}.timer`;

/** `--every <hours>`: a positive number of hours (fractions allowed for the timer), at least a minute. */
export function everyHours(value: string): number {
  const hours = Number(value);
  if (value.trim() === '' || !Number.isFinite(hours) || hours <= 0) {
    throw new InvalidArgumentError(`--every must be a positive number of hours, e.g. --every 4 (got "${value}").`);
  }
  if (hours * 3600 < 60) throw new InvalidArgumentError(`--every must be at least a minute (1/60 of an hour; got "${value}").`);
  return hours;
}

/** The package's own executable, wherever it is installed: what `npx zoho-desk-reports` is running now. */
async function entryPoint(): Promise<string> {
  return realpath(fileURLToPath(new URL('../../bin/zoho-desk-reports.js', import.meta.url)));
}

function noNewlines(what: string, path: string): string {
  if (/[\n\r]/.test(path))
    throw new ConfigError(`The ${what} ${JSON.stringify(path)} holds a line break, which neither systemd nor cron can run: use another folder.`);
  return path;
}

/** Resolves the run this machine would do now: the folder, the reports folder and the secret `run` would use. */
export async function scheduledRun(options: ScheduleOptions, context: CliContext): Promise<ScheduledRun> {
  const workingDir = resolve(context.cwd ?? process.cwd());
  const reportsDir = resolve(workingDir, options.out ?? context.env.REPORTS_DIR ?? DEFAULT_OUT);
  const secretPath = resolve(workingDir, options.secret ?? context.env.ZOHO_SECRET_ID?.trim() ?? DEFAULT_SECRET_PATH);
  const found = await stat(secretPath).catch(() => undefined);
  if (!found?.isFile()) {
    throw new ConfigError(
      `No secret file at ${secretPath}: run \`zoho-desk-reports auth init\` first (see the README), or point --secret or ZOHO_SECRET_ID at yours.`,
    );
  }
  const reports = await stat(reportsDir).catch(() => undefined);
  if (reports && !reports.isDirectory()) throw new ConfigError(`The reports folder ${reportsDir} is a file: choose another with --out.`);
  const env = PASSED_ON.flatMap((name): Array<[string, string]> => {
    const value = context.env[name]?.trim();
    return value ? [[name, noNewlines(name, value)]] : [];
  });
  return {
    everyHours: options.every,
    workingDir: noNewlines('working folder', workingDir),
    reportsDir: noNewlines('reports folder', reportsDir),
    secretPath: noNewlines('secret file', secretPath),
    node: noNewlines('node binary', process.execPath),
    entry: noNewlines('entry point', await entryPoint()),
    env,
  };
}

/** One word of a systemd command line or assignment: double-quoted, with specifiers (%) and variables ($) escaped. */
function systemdQuote(word: string): string {
  return `"${word.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%').replace(/\$/g, '$$$$')}"`;
}

/** Environment= does not expand $, so only quotes, backslashes and specifiers are escaped. */
function systemdAssignment(name: string, value: string): string {
  return `"${`${name}=${value}`.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%')}"`;
}

/** A timespan systemd reads: 5h, 90min, 45s. */
function span(hours: number): string {
  const seconds = Math.round(hours * 3600);
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}min`;
  return `${seconds}s`;
}

/** Hours that divide the day evenly, so the runs fall at the same clock times every day. */
const dividesDay = (hours: number) => Number.isInteger(hours) && 24 % hours === 0;

export function serviceUnit(run: ScheduledRun): string {
  return [
    '[Unit]',
    `Description=zoho-desk-reports run: Zoho Desk reports into ${run.reportsDir.replace(/%/g, '%%')}`,
    '',
    '[Service]',
    'Type=oneshot',
    `WorkingDirectory=${run.workingDir.replace(/%/g, '%%')}`,
    `Environment=${systemdAssignment('ZOHO_SECRET_ID', run.secretPath)}`,
    ...run.env.map(([name, value]) => `Environment=${systemdAssignment(name, value)}`),
    `ExecStart=${systemdQuote(run.node)} ${systemdQuote(run.entry)} run --out ${systemdQuote(run.reportsDir)}`,
    '# `systemctl --user stop` interrupts it as Ctrl+C does: the next run finishes the queued pages.',
    'KillSignal=SIGINT',
    '',
  ].join('\n');
}

export function timerUnit(run: ScheduledRun): string {
  const when = dividesDay(run.everyHours)
    ? [`OnCalendar=*-*-* ${run.everyHours === 24 ? '00' : `00/${run.everyHours}`}:00:00`]
    : ['OnBootSec=15min', `OnUnitActiveSec=${span(run.everyHours)}`];
  return [
    '[Unit]',
    `Description=zoho-desk-reports run every ${run.everyHours} hour(s)`,
    '',
    '[Timer]',
    ...when,
    '# A run missed while the machine was off (OnCalendar) starts when it is back.',
    'Persistent=true',
    `Unit=${UNIT_NAME}.service`,
    '',
    '[Install]',
    'WantedBy=timers.target',
    '',
  ].join('\n');
}

/** A word for /bin/sh inside a crontab: single-quoted, and % escaped (cron turns a bare % into a newline). */
function cronQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`.replace(/%/g, '\\%');
}

export function cronLine(run: ScheduledRun): string {
  if (!dividesDay(run.everyHours)) {
    throw new ConfigError(
      `cron cannot run every ${run.everyHours} hours evenly: use an --every that divides the day (1, 2, 3, 4, 6, 8, 12 or 24), or the systemd timer (without --cron).`,
    );
  }
  const hour = run.everyHours === 1 ? '*' : run.everyHours === 24 ? '0' : `*/${run.everyHours}`;
  const vars: Array<[string, string]> = [['ZOHO_SECRET_ID', run.secretPath], ...run.env];
  const env = vars.map(([name, value]) => `${name}=${cronQuote(value)}`);
  return `0 ${hour} * * * cd ${cronQuote(run.workingDir)} && ${env.join(' ')} ${cronQuote(run.node)} ${cronQuote(run.entry)} run --out ${cronQuote(run.reportsDir)}`;
}

/** $XDG_CONFIG_HOME/systemd/user (an absolute XDG_CONFIG_HOME only, as the spec says), else ~/.config/systemd/user. */
export function userUnitDir(env: CliContext['env']): string {
  const xdg = env.XDG_CONFIG_HOME?.trim();
  const config = xdg && isAbsolute(xdg) ? xdg : join(env.HOME?.trim() || homedir(), '.config');
  return join(config, 'systemd', 'user');
}

/** Writes the units; a different file already there is kept unless --force. Both are checked before either is written. */
async function installUnits(files: Array<[string, string]>, force: boolean): Promise<string[]> {
  const existing = await Promise.all(files.map(([path]) => readFile(path, 'utf8').catch(() => undefined)));
  const different = files.filter(([, text], i) => existing[i] !== undefined && existing[i] !== text).map(([path]) => path);
  if (different.length && !force) {
    throw new ConfigError(`${different.join(' and ')} already exist(s) with other content: look at it, then run again with --force to replace it.`);
  }
  const written: string[] = [];
  for (const [i, [path, text]] of files.entries()) {
    if (existing[i] === text) continue;
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, text);
    written.push(path);
  }
  return written;
}

/** `schedule`: the systemd user timer (or crontab line) that runs `run` every few hours; --install writes the units. */
export async function schedule(options: ScheduleOptions, context: CliContext): Promise<void> {
  const out = context.out;
  const run = await scheduledRun(options, context);
  if (options.cron) {
    const line = cronLine(run);
    if (options.install) {
      out.line('Your crontab is yours to edit: this command does not change it. Run `crontab -e` and add this line:');
      out.line(line);
      return;
    }
    out.line(`# zoho-desk-reports run every ${run.everyHours} hour(s): add this line with \`crontab -e\``);
    out.line(line);
    return;
  }
  const dir = userUnitDir(context.env);
  const files: Array<[string, string]> = [
    [join(dir, `${UNIT_NAME}.service`), serviceUnit(run)],
    [join(dir, `${UNIT_NAME}.timer`), timerUnit(run)],
  ];
  if (!options.install) {
    for (const [path, text] of files) {
      out.line(`# ${path}`);
      out.line(text);
    }
    out.line(`# To install: \`zoho-desk-reports schedule --install\` writes both files (or save them there), then run: ${ENABLE}`);
    return;
  }
  const written = await installUnits(files, Boolean(options.force));
  for (const [path] of files) out.line(written.includes(path) ? `Wrote ${path}` : `Unchanged ${path}`);
  out.line('systemctl was not run: to start the timer, run');
  out.line(`  ${ENABLE}`);
  out.line(
    `Runs are logged in the journal (journalctl --user -u ${UNIT_NAME}). To keep them running while you are logged out: loginctl enable-linger`,
  );
}
