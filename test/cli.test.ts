import { RECOMMENDED_SCOPES } from '../lib/zoho/endpoints.js';
import { REPORTS } from '../lib/reports/catalog.js';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileSecretStore } from '../lib/adapters/file-secret-store.js';
import { FolderQueue } from '../lib/adapters/folder-queue.js';
import { ManualClock } from '../lib/clock.js';
import { main } from '../lib/cli/main.js';
import { cli } from './helpers/export.js';
import { fixtures, tempDir, type Fixture } from './helpers/zoho.js';
import { capture } from './helpers/capture.js';

const BIN = join(import.meta.dirname, '..', 'bin', 'zoho-desk-reports.js');

/** The real executable in a child process: its exit code and both streams (code null: killed after timeoutMs). */
async function spawnCli(args: string[], env: Record<string, string> = {}, timeoutMs = 60_000) {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}

const open = fixtures();
let fixture: Fixture;

describe('zoho-desk-reports reports', () => {
  it('lists every report with its parameters, edition needs and how records that leave are found', async () => {
    const table = await cli(['reports'], {});
    expect(table.code).toBe(0);
    for (const id of ['accounts', 'agent-time-entries', 'customer-happiness', 'pending-approvals', 'queue', 'threads', 'ticket-tags', 'tickets']) {
      expect(table.stdout).toContain(id);
    }
    expect(table.stdout).toContain('records that leave');
    // It fits a 120-column terminal: parameters and deletion methods are listed per report under the table. The
    // grant's scopes stay one line, to be copied whole (a terminal's soft wrap copies as one line).
    const lines = table.stdout.split('\n');
    const scopes = lines.findIndex((line) => line.startsWith('Grant-code scopes')) + 1;
    expect(lines[scopes]?.trim()).toBe(RECOMMENDED_SCOPES.join(','));
    const widest = Math.max(...lines.filter((_, n) => n !== scopes).map((line) => [...line].length));
    expect(widest).toBeLessThanOrEqual(120);
    expect(table.stdout).toContain('--param since: only tickets modified since then (default: since the last complete run (all on the first))');
    // Parameters the pipeline sets on pages (windows) are not offered: `run --param window=…` is refused.
    expect(table.stdout).not.toContain('--param window');
    expect(table.stdout).toContain("Zoho's recycle bin each run; a full read every ZOHO_RECONCILE_HOURS (default 24)");
    const json = JSON.parse((await cli(['reports', '--json'], {})).stdout) as Array<{
      id: string;
      edition: string;
      params: unknown[];
      deletions: string;
    }>;
    expect(json.map((r) => r.id)).toEqual(REPORTS.map((r) => r.id));
    expect(json.find((r) => r.id === 'tickets')?.deletions).toBe(
      "Zoho's recycle bin each run; a full read every ZOHO_RECONCILE_HOURS (default 24): ~3 credits per 100 records",
    );
    expect(json.find((r) => r.id === 'threads')?.deletions).toBe(
      'absent when its ticket is read again (no extra calls); leaves with a deleted ticket',
    );
    expect(
      json
        .filter((r) => r.edition === 'Professional')
        .map((r) => r.id)
        .sort(),
    ).toEqual(['agent-time-entries', 'customer-happiness', 'queue', 'ticket-time-entries']);
  });
});

describe('zoho-desk-reports auth init', () => {
  it('exchanges the code, stores the refresh token, and prints the org and edition', async () => {
    fixture = await open({ simulator: { edition: 'PROFESSIONAL' } });
    const env = { ...fixture.env, ZOHO_SECRET_ID: fixture.store.path };
    const first = await cli(['auth', 'init'], env);
    expect(first.stderr).toEqual([]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Exchanged the grant code');
    expect(first.stdout).toContain(`org ${fixture.running.sim.orgId}, edition PROFESSIONAL`);
    const stored = await fixture.store.read();
    expect(stored.refresh_token).toBeDefined();
    expect(stored).not.toHaveProperty('code');

    const again = await cli(['auth', 'init'], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Using the refresh token stored');
    expect(fixture.running.sim.stats().codesExchanged).toBe(1);
  });

  it('discovers and stores org_id when the secret has none and the token reaches one portal', async () => {
    fixture = await open({ secret: { org_id: undefined } });
    const result = await cli(['auth', 'init', '--secret', fixture.store.path], fixture.env);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Stored org_id ${fixture.running.sim.orgId}`);
    expect((await fixture.store.read()).org_id).toBe(fixture.running.sim.orgId);
  });

  it.each([
    ['a missing secret field', { client_id: undefined }, 2, 'has no "client_id"'],
    ['an org_id the token does not reach', { org_id: '123456789' }, 2, 'is not a portal this token reaches'],
    ['a code from another client', { client_id: '1000.SOMEONEELSE' }, 2, 'rejected the client_id/client_secret'],
  ])('ends with one clear line and a non-zero exit for %s', async (_, secret, exitCode, message) => {
    fixture = await open({ secret });
    const result = await cli(['auth', 'init', '--secret', fixture.store.path], fixture.env);
    expect(result.code).toBe(exitCode);
    expect(result.stderr).toHaveLength(1);
    expect(result.stderr[0]).toContain(message);
  });

  it('says to generate a new grant code when the code expired (exit 3)', async () => {
    const clock = new ManualClock('2026-11-20T10:00:00Z');
    fixture = await open({ simulator: { clock } });
    clock.advance(5 * 60_000);
    const out = capture();
    const code = await main(['auth', 'init', '--secret', fixture.store.path], { env: fixture.env, out });
    expect(code).toBe(3);
    expect(out.errors).toHaveLength(1);
    expect(out.errors[0]).toContain('Generate a new grant code');
  });

  it('names the data centre when Zoho answers with an HTML page (exit 2)', async () => {
    fixture = await open();
    const env = { ZOHO_DC: 'jp', ZOHO_ACCOUNTS_URL: `${fixture.running.url}/not-zoho` };
    const result = await cli(['auth', 'init', '--secret', fixture.store.path], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toHaveLength(1);
    expect(result.stderr[0]).toContain('The data centre in use is "jp" (Japan), chosen by ZOHO_DC');
  });
});

describe('the executable', () => {
  it('runs the main job on the embedded default with no AWS and no Zoho account', async () => {
    const dir = await tempDir();
    const result = await spawnCli(['run', '--simulate', '--out', dir.path]);
    await dir.remove();
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/tickets\s+│ complete\s+│ 3\/3\s+│ 200 /);
    expect(result.stdout).toContain('credits');
  });

  it('run --simulate on a queue another process holds: its message, exit 2, no temporary folder, no hang', async () => {
    const dir = await tempDir();
    const temp = await tempDir(); // TMPDIR of the runs below, to see what they leave there
    const held = await FolderQueue.open(join(dir.path, '.queue'), { clock: new ManualClock(), maxReceiveCount: 5 });
    const tmpdir = process.env.TMPDIR;
    try {
      process.env.TMPDIR = temp.path;
      const servers = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length;
      const before = servers();
      const out = capture();
      expect(await main(['run', '--simulate', '--out', dir.path], { env: process.env, out })).toBe(2);
      expect(out.errors).toEqual([
        expect.stringContaining(`Another zoho-desk-reports process (pid ${process.pid}) is using the queue in ${join(dir.path, '.queue')}`),
      ]);
      expect(servers()).toBe(before); // the simulator it started is stopped
      const leftovers = async () => (await readdir(temp.path)).filter((name) => name.startsWith('zoho-desk-reports-'));
      expect(await leftovers()).toEqual([]);

      // The executable ends by itself (a running simulator would keep it alive for ever).
      const result = await spawnCli(['run', '--simulate', '--out', dir.path], { TMPDIR: temp.path }, 20_000);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`Another zoho-desk-reports process (pid ${process.pid})`);
      expect(await leftovers()).toEqual([]); // (tsx keeps its cache there: tsx-<uid>)
    } finally {
      if (tmpdir === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = tmpdir;
      await held.close();
      await dir.remove();
      await temp.remove();
    }
  });

  it('exits non-zero with one line on stderr for a missing secret file', async () => {
    const dir = await tempDir();
    try {
      const result = await spawnCli(['auth', 'init'], { ZOHO_SECRET_ID: join(dir.path, 'missing.json') });
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain('No secret file');
    } finally {
      await dir.remove();
    }
  });

  it('serves the simulator with a matching secret that auth init accepts', async () => {
    const dir = await tempDir();
    const secret = join(dir.path, 'sim.json');
    const child = spawn(process.execPath, [BIN, 'simulator', '--port', '0', '--tickets', '30', '--write-secret', secret], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let banner = '';
      for await (const chunk of child.stdout) {
        banner += (chunk as Buffer).toString();
        if (banner.includes('Ctrl+C')) break;
      }
      const url = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(banner)?.[1] as string;
      expect(url).toBeDefined();
      const result = await cli(['auth', 'init', '--secret', secret], { ZOHO_ACCOUNTS_URL: url, ZOHO_DESK_URL: url });
      expect(result.code).toBe(0);
      expect((await new FileSecretStore(secret).read()).refresh_token).toBeDefined();
    } finally {
      child.kill('SIGINT');
      await once(child, 'exit');
      await dir.remove();
    }
  });
});
