import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FolderObjectStore } from '../lib/adapters/folder-object-store.js';
import { openLocalPipeline } from '../lib/cli/local-pipeline.js';
import { main } from '../lib/cli/main.js';
import { EXIT_CODES } from '../lib/cli/output.js';
import { LATER_SCOPES, RECOMMENDED_SCOPES } from '../lib/zoho/endpoints.js';
import { runReports } from '../lib/cli/run-command.js';
import { ManualClock } from '../lib/clock.js';
import { ReauthorizeError } from '../lib/errors.js';
import type { PipelineEvent } from '../lib/pipeline/deps.js';
import { planRun } from '../lib/pipeline/planner.js';
import { FAST, contextFor, runOnce } from './helpers/pipeline.js';
import { buildTargets } from '../lib/reports/targets.js';
import { fixtures, tempDir } from './helpers/zoho.js';

const open = fixtures();

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

describe('auth failure modes during a run', () => {
  it('a refresh token revoked mid-run stops the run at once with one message, one token call, nothing half-written', async () => {
    const fixture = await open({ simulator: { tickets: 60 } });
    const { sim } = fixture.running;
    const dir = await tempDir();
    let pages = 0;
    let tokenRequestsAtRevoke = 0;
    const events = (event: PipelineEvent) => {
      if (event.type === 'page' && ++pages === 10) {
        sim.accounts.revokeAllRefreshTokens();
        tokenRequestsAtRevoke = sim.stats().tokenRequests;
      }
    };
    const pipeline = await openLocalPipeline({ out: dir.path, ...FAST }, contextFor(fixture), events);
    await pipeline.connectPortal();
    await planRun({ runId: '2026-11-20T10-00-00Z-0a0a', targets: [{ report: 'threads', params: {} }], trigger: 'cli' }, pipeline.deps);
    const { drained } = await pipeline.process();
    await pipeline.close();

    expect(drained.stopped).toBeInstanceOf(ReauthorizeError);
    expect(drained.deadLettered).toBe(0);
    expect(sim.stats().tokenRequests - tokenRequestsAtRevoke).toBe(1); // no retry storm
    const files = await listFiles(dir.path);
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const pagesStored = files.filter((f) => f.endsWith('.jsonl') && !f.includes('/_runs/'));
    expect(pagesStored.length).toBeGreaterThanOrEqual(10);
    expect(pagesStored.length).toBeLessThan(60);
    for (const file of pagesStored) {
      for (const line of (await readFile(file, 'utf8')).split('\n').filter(Boolean)) expect(() => JSON.parse(line)).not.toThrow();
    }

    // Running again says what to do, in one line, without asking Zoho more than once.
    const before = sim.stats().tokenRequests;
    const context = contextFor(fixture);
    expect(await runReports([], { out: dir.path, ...FAST }, context).catch((error: Error) => error)).toBeInstanceOf(ReauthorizeError);
    expect(await main(['run', '--out', dir.path], context)).toBe(EXIT_CODES.reauthorize);
    expect(context.out.errors).toHaveLength(1);
    expect(context.out.errors[0]).toContain('Generate a new grant code');
    expect(context.out.errors[0]).toContain('zoho-desk-reports auth init');
    expect(sim.stats().tokenRequests - before).toBeLessThanOrEqual(2);
    const queued = await readdir(join(dir.path, '.queue', 'work'));
    expect(queued.length).toBe(60 - pagesStored.length); // the rest waits for the fix, nothing dead-lettered
    await dir.remove();
  });

  it('over the token-mint limit, the run waits for the window instead of hammering the token endpoint', async () => {
    const clock = new ManualClock('2026-11-20T10:00:00Z');
    const fixture = await open({ simulator: { tickets: 20, clock }, clock });
    const { sim } = fixture.running;
    const dir = await tempDir();
    expect(await runReports(['departments'], { out: dir.path, ...FAST }, contextFor(fixture, clock))).toBe(0);
    // Ten mints in the last minute (by other runs), and the stored token about to expire.
    const stored = await fixture.store.read();
    await fixture.store.write({ ...stored, access_token: undefined, token_mints: Array.from({ length: 10 }, (_, i) => clock.now() - i * 6_000) });
    const before = sim.stats().tokenRequests;
    const started = clock.now();
    expect(await runReports(['agents'], { out: dir.path, ...FAST }, contextFor(fixture, clock))).toBe(0);
    expect(clock.now() - started).toBeGreaterThanOrEqual(10 * 60_000 - 54_000);
    expect(sim.stats().tokenRequests - before).toBe(1);
    expect(sim.stats().tokenThrottled).toBe(0);
    expect((await new FolderObjectStore(dir.path).list('agents/')).length).toBeGreaterThan(0);
    await dir.remove();
  });

  it('a grant made before tasks, events and articles: those are recorded unavailable with what to do, the rest of the run is whole', async () => {
    const earlier = RECOMMENDED_SCOPES.filter((scope) => !LATER_SCOPES.includes(scope));
    const fixture = await open({ simulator: { tickets: 40 }, scopes: earlier });
    const dir = await tempDir();
    const { drained, manifests } = await runOnce(fixture, dir.path, '2026-11-20T10-00-00Z-0b0b', buildTargets([]));
    expect(drained.deadLettered).toBe(0);
    const unavailable = manifests.filter((m) => m.status === 'unavailable');
    expect(unavailable.map((m) => m.report).sort()).toEqual(['articles', 'events', 'tasks']);
    for (const manifest of unavailable) expect(manifest.unavailable).toContain('auth init --replace');
    expect(manifests.filter((m) => m.status !== 'unavailable').every((m) => m.status === 'complete')).toBe(true);
    await dir.remove();
  });
});
