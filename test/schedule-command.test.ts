import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../lib/cli/main.js';
import { cli } from './helpers/export.js';
import { tempDir } from './helpers/zoho.js';
import { capture } from './helpers/capture.js';

const ENTRY = resolve(import.meta.dirname, '..', 'bin', 'zoho-desk-reports.js');

let dir: { path: string; remove(): Promise<void> };
let secret: string;
let env: Record<string, string>;

beforeEach(async () => {
  // Prepare: a secret in a folder with a space, and a config home of our own
  dir = await tempDir();
  secret = join(dir.path, 'my secrets', 'auth.json');
  await mkdir(join(dir.path, 'my secrets'), { recursive: true });
  await writeFile(secret, '{}', { mode: 0o600 });
  env = { ZOHO_SECRET_ID: secret, XDG_CONFIG_HOME: join(dir.path, 'config'), HOME: join(dir.path, 'home') };
});

afterEach(() => dir.remove());

describe('zoho-desk-reports schedule (systemd)', () => {
  it('prints a service with absolute paths and a timer every 4 hours that catches up after downtime', async () => {
    // Act
    const result = await cli(['schedule', '--out', join(dir.path, 'the reports')], env);

    // Assess
    expect(result.stderr).toEqual([]);
    expect(result.code).toBe(0);
    const unitDir = join(dir.path, 'config', 'systemd', 'user');
    expect(result.stdout).toContain(`# ${unitDir}/zoho-desk-reports.service`);
    expect(result.stdout).toContain(`WorkingDirectory=${process.cwd()}\n`);
    expect(result.stdout).toContain(`Environment="ZOHO_SECRET_ID=${secret}"`);
    expect(result.stdout).toContain(`ExecStart="${process.execPath}" "${ENTRY}" run --out "${join(dir.path, 'the reports')}"`);
    expect(result.stdout).toContain('Type=oneshot');
    expect(result.stdout).toContain('OnCalendar=*-*-* 00/4:00:00');
    expect(result.stdout).toContain('Persistent=true');
    expect(result.stdout).toContain('WantedBy=timers.target');
    expect(result.stdout).toContain('systemctl --user daemon-reload && systemctl --user enable --now zoho-desk-reports.timer');
  });

  it('runs every N hours by the clock when N divides the day, and after each run otherwise', async () => {
    expect((await cli(['schedule', '--every', '6'], env)).stdout).toContain('OnCalendar=*-*-* 00/6:00:00');
    expect((await cli(['schedule', '--every', '24'], env)).stdout).toContain('OnCalendar=*-*-* 00:00:00');
    const five = await cli(['schedule', '--every', '5'], env);
    expect(five.stdout).toContain('OnUnitActiveSec=5h');
    expect(five.stdout).not.toContain('OnCalendar=');
    expect((await cli(['schedule', '--every', '1.5'], env)).stdout).toContain('OnUnitActiveSec=90min');
  });

  it('resolves the reports folder as `run` does: --out, else REPORTS_DIR, else ./reports, made absolute', async () => {
    expect((await cli(['schedule'], env)).stdout).toContain(`run --out "${resolve('reports')}"`);
    expect((await cli(['schedule'], { ...env, REPORTS_DIR: 'elsewhere' })).stdout).toContain(`run --out "${resolve('elsewhere')}"`);
  });

  it('escapes quotes, backslashes, $ and % in paths', async () => {
    const odd = join(dir.path, 'a "b" $c \\d 50%');
    const result = await cli(['schedule', '--out', odd], env);
    expect(result.stdout).toContain(`run --out "${join(dir.path, 'a \\"b\\" $$c \\\\d 50%%')}"`);
  });

  it('--install writes both units, then says what to run without running systemctl', async () => {
    // Act
    const result = await cli(['schedule', '--install'], env);

    // Assess
    expect(result.stderr).toEqual([]);
    expect(result.code).toBe(0);
    const unitDir = join(dir.path, 'config', 'systemd', 'user');
    const service = await readFile(join(unitDir, 'zoho-desk-reports.service'), 'utf8');
    const timer = await readFile(join(unitDir, 'zoho-desk-reports.timer'), 'utf8');
    expect(service).toContain(`Environment="ZOHO_SECRET_ID=${secret}"`);
    expect(service.startsWith('[Unit]\n')).toBe(true);
    expect(timer).toContain('OnCalendar=*-*-* 00/4:00:00\n');
    expect(result.stdout).toContain(`Wrote ${join(unitDir, 'zoho-desk-reports.timer')}`);
    expect(result.stdout).toContain('systemctl was not run');
    expect(result.stdout).toContain('  systemctl --user daemon-reload && systemctl --user enable --now zoho-desk-reports.timer');
    // The printed units are the installed ones.
    expect((await cli(['schedule'], env)).stdout).toContain(service);
  });

  it('--install writes under ~/.config when XDG_CONFIG_HOME is not set', async () => {
    const result = await cli(['schedule', '--install'], { ...env, XDG_CONFIG_HOME: undefined });
    expect(result.code).toBe(0);
    await expect(readFile(join(dir.path, 'home', '.config', 'systemd', 'user', 'zoho-desk-reports.timer'), 'utf8')).resolves.toContain('[Timer]');
  });

  it('--install refuses to overwrite a different unit unless --force, and leaves the same one alone', async () => {
    // Prepare
    const timerPath = join(dir.path, 'config', 'systemd', 'user', 'zoho-desk-reports.timer');
    const servicePath = join(dir.path, 'config', 'systemd', 'user', 'zoho-desk-reports.service');
    await mkdir(join(dir.path, 'config', 'systemd', 'user'), { recursive: true });
    await writeFile(timerPath, '[Timer]\nOnCalendar=daily\n');

    // Act
    const refused = await cli(['schedule', '--install'], env);

    // Assess
    expect(refused.code).toBe(2);
    expect(refused.stderr.join('\n')).toContain(`${timerPath} already exist(s) with other content`);
    expect(refused.stderr.join('\n')).toContain('--force');
    expect(await readFile(timerPath, 'utf8')).toBe('[Timer]\nOnCalendar=daily\n');
    await expect(readFile(servicePath, 'utf8')).rejects.toThrow(/ENOENT/);

    const forced = await cli(['schedule', '--install', '--force'], env);
    expect(forced.code).toBe(0);
    expect(await readFile(timerPath, 'utf8')).toContain('Persistent=true');

    const again = await cli(['schedule', '--install'], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`Unchanged ${timerPath}`);
  });
});

describe('zoho-desk-reports schedule --cron', () => {
  it('prints one crontab line every 4 hours with quoted absolute paths', async () => {
    const result = await cli(['schedule', '--cron', '--out', join(dir.path, 'the reports')], env);
    expect(result.code).toBe(0);
    const line = result.stdout.split('\n').at(-1);
    expect(line).toBe(
      `0 */4 * * * cd '${process.cwd()}' && ZOHO_SECRET_ID='${secret}' '${process.execPath}' '${ENTRY}' run --out '${join(dir.path, 'the reports')}'`,
    );
    expect(result.stdout).toContain('crontab -e');
  });

  it('escapes single quotes for the shell and % for cron', async () => {
    const result = await cli(['schedule', '--cron', '--out', join(dir.path, "it's 100%")], env);
    expect(result.stdout).toContain(`run --out '${join(dir.path, "it'\\''s 100\\%")}'`);
  });

  it('runs hourly, daily, or refuses an interval cron cannot keep evenly', async () => {
    expect((await cli(['schedule', '--cron', '--every', '1'], env)).stdout).toMatch(/^0 \* \* \* \* cd /m);
    expect((await cli(['schedule', '--cron', '--every', '24'], env)).stdout).toMatch(/^0 0 \* \* \* cd /m);
    const five = await cli(['schedule', '--cron', '--every', '5'], env);
    expect(five.code).toBe(2);
    expect(five.stderr.join('\n')).toContain('cron cannot run every 5 hours evenly');
  });

  it('--install leaves the crontab to the user', async () => {
    const result = await cli(['schedule', '--cron', '--install'], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('this command does not change it. Run `crontab -e`');
    expect(result.stdout).toContain('0 */4 * * * ');
  });
});

describe('zoho-desk-reports schedule: what to fix', () => {
  it.each(['abc', '0', '-4', '', '0.001'])('exits 2 on --every %j', async (every) => {
    const result = await cli(['schedule', '--every', every], env);
    expect(result.code).toBe(2);
    expect(result.stderr.join('\n')).toMatch(/--every must be (a positive number of hours|at least a minute)/);
    expect(result.stdout).toBe('');
  });

  it('exits 2 and says to run auth init when there is no secret file', async () => {
    // Prepare: a working folder with no .zoho/auth.json
    const out = capture();

    // Act
    const code = await main(['schedule'], { env: { XDG_CONFIG_HOME: env.XDG_CONFIG_HOME }, out, cwd: dir.path });

    // Assess
    expect(code).toBe(2);
    expect(out.errors).toEqual([
      `zoho-desk-reports: No secret file at ${join(dir.path, '.zoho', 'auth.json')}: run \`zoho-desk-reports auth init\` first (see the README), or point --secret or ZOHO_SECRET_ID at yours.`,
    ]);
  });

  it('resolves a relative secret and reports folder against the working folder', async () => {
    const out = capture();
    const code = await main(['schedule', '--cron', '--out', 'r'], { env: { ZOHO_SECRET_ID: 'my secrets/auth.json' }, out, cwd: dir.path });
    expect(code).toBe(0);
    expect(out.lines.at(-1)).toContain(`cd '${dir.path}' && ZOHO_SECRET_ID='${secret}' `);
    expect(out.lines.at(-1)).toContain(`run --out '${join(dir.path, 'r')}'`);
  });
});
