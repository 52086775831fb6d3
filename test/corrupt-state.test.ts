import { gunzipSync, gzipSync } from 'node:zlib';
import { chmod, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FolderObjectStore } from '../lib/adapters/folder-object-store.js';
import { main } from '../lib/cli/main.js';
import { runReports } from '../lib/cli/run-command.js';
import { showStatus } from '../lib/cli/status-command.js';
import { foldedReceiptsKey, plainFoldedReceiptsKey, receiptKey } from '../lib/pipeline/keys.js';
import { finalizeRun, runManifests } from '../lib/pipeline/manifest.js';
import { capturingLogger } from './helpers/capture.js';
import { FAST, contextFor } from './helpers/pipeline.js';
import { manifestKeyOf } from './helpers/export.js';
import { fixtures, tempDir } from './helpers/zoho.js';

const open = fixtures();

async function firstRun(out: string): Promise<string> {
  return (await new FolderObjectStore(out).folders('_runs/'))[0]!;
}

describe('corrupt or partial local state: a clear message, nothing lost', () => {
  it('a truncated manifest: status still tells the truth (manifests are derived), and finalizing rewrites it', async () => {
    const fixture = await open({ simulator: { tickets: 10 } });
    const dir = await tempDir();
    expect(await runReports(['agents', 'departments'], { out: dir.path, ...FAST }, contextFor(fixture))).toBe(0);
    const runId = await firstRun(dir.path);
    const key = await manifestKeyOf(dir.path, 'agents', runId);
    await writeFile(join(dir.path, key), '{"report":"agents","stat');
    const status = contextFor(fixture);
    await showStatus({ out: dir.path, runs: 1 }, status);
    expect(status.out.text()).toMatch(/agents\s+│ complete\s+│ 1\/1/);
    await finalizeRun(new FolderObjectStore(dir.path), runId);
    expect(JSON.parse((await new FolderObjectStore(dir.path).get(key)) ?? '')).toMatchObject({ report: 'agents', status: 'complete' });
    await dir.remove();
  });

  it('a truncated page receipt: its page counts as pending (never as written), and its data is still there', async () => {
    const fixture = await open({ simulator: { tickets: 10 } });
    const dir = await tempDir();
    expect(await runReports(['departments'], { out: dir.path, ...FAST }, contextFor(fixture))).toBe(0);
    const runId = await firstRun(dir.path);
    // The finished run's receipts were folded, one file a report; a page receipt written since (here cut short) wins.
    const folded = join(dir.path, foldedReceiptsKey(runId, 'departments'));
    expect(gunzipSync(await readFile(folded)).toString('utf8')).toContain('"status":"written"');
    const loose = join(dir.path, receiptKey('departments', runId, '', 1));
    await mkdir(dirname(loose), { recursive: true });
    await writeFile(loose, '{"report":"depa');
    const [manifest] = await runManifests(new FolderObjectStore(dir.path), runId);
    expect(manifest).toMatchObject({ status: 'incomplete', pages: { pending: 1, written: 0 } });
    // A line of the folded file edited past reading counts its page as pending too.
    await rm(loose);
    await writeFile(folded, gzipSync('{"report":"departments","runId":"x","scope":"","page":1,"status":"writ\n'));
    const [again] = await runManifests(new FolderObjectStore(dir.path), runId);
    expect(again).toMatchObject({ status: 'incomplete', pages: { pending: 1, written: 0 } });
    // A folded object that does not unzip (cut short) cannot say its pages were written either.
    await writeFile(folded, (await readFile(folded)).subarray(0, 10));
    const [cut] = await runManifests(new FolderObjectStore(dir.path), runId);
    expect(cut).toMatchObject({ status: 'incomplete', pages: { written: 0 } });
    expect(cut?.pages.pending).toBeGreaterThan(0);
    expect((await new FolderObjectStore(dir.path).list('departments/')).some((k) => k.endsWith('page-00001.jsonl'))).toBe(true);
    await dir.remove();
  });

  it('receipts folded before they were gzipped (plain JSONL) still read as they did', async () => {
    const fixture = await open({ simulator: { tickets: 10 } });
    const dir = await tempDir();
    expect(await runReports(['departments'], { out: dir.path, ...FAST }, contextFor(fixture))).toBe(0);
    const runId = await firstRun(dir.path);
    const [before] = await runManifests(new FolderObjectStore(dir.path), runId);
    const zipped = join(dir.path, foldedReceiptsKey(runId, 'departments'));
    await writeFile(join(dir.path, plainFoldedReceiptsKey(runId, 'departments')), gunzipSync(await readFile(zipped)));
    await rm(zipped);
    const [after] = await runManifests(new FolderObjectStore(dir.path), runId);
    expect(after).toEqual(before);
    expect(after).toMatchObject({ status: 'complete', pages: { pending: 0 } });
    await dir.remove();
  });

  it('an unreadable report state: the next run reads that report in full, says so in the log, and rewrites it', async () => {
    const fixture = await open({ simulator: { tickets: 20 } });
    const dir = await tempDir();
    expect(await runReports(['threads'], { out: dir.path, ...FAST }, contextFor(fixture))).toBe(0);
    await writeFile(join(dir.path, '_state', `org=${fixture.running.sim.orgId}`, 'threads.json'), '{"cursor": 12');
    const logger = capturingLogger();
    expect(await runReports(['threads'], { out: dir.path, ...FAST }, { ...contextFor(fixture), logger })).toBe(0);
    expect(logger.messages('warn').join('\n')).toContain(
      `_state/org=${fixture.running.sim.orgId}/threads.json is invalid (not JSON (cut short or edited by hand)); a copy is in _quarantine/_state/org=${fixture.running.sim.orgId}/threads.json. Reading threads in full.`,
    );
    const runs = await new FolderObjectStore(dir.path).folders('_runs/');
    const [second] = await runManifests(new FolderObjectStore(dir.path), runs[1]!);
    expect(second?.pages.written).toBe(20);
    expect(
      JSON.parse((await new FolderObjectStore(dir.path).get(`_state/org=${fixture.running.sim.orgId}/threads.json`)) ?? '').cursor,
    ).toBeDefined();
    await dir.remove();
  });

  it('unreadable queue messages: status labels them, the run quarantines them with one line each and goes on', async () => {
    const fixture = await open({ simulator: { tickets: 10 } });
    const dir = await tempDir();
    expect(await runReports(['departments'], { out: dir.path, ...FAST, concurrency: 1 }, contextFor(fixture))).toBe(0);
    const work = join(dir.path, '.queue', 'work');
    const sentAt = '2026-11-20T10:00:00.000Z';
    await writeFile(join(work, '000000000-000000-aaaaaa.json'), '{"id":"x","bo'); // cut short
    // No receiveCount: it never reached maxReceiveCount, so a failing message came back for ever.
    await writeFile(
      join(work, '000000000-000001-cccccc.json'),
      JSON.stringify({ id: '000000000-000001-cccccc', body: '{"report":"agents"}', sentAt }),
    );
    await writeFile(
      join(work, '000000001-000000-bbbbbb.json'),
      JSON.stringify({ id: '000000001-000000-bbbbbb', body: '{"report":"agents"}', receiveCount: 0, sentAt }),
    );
    const status = contextFor(fixture);
    await showStatus({ out: dir.path, runs: 1 }, status);
    expect(status.out.text()).toContain('Queue in');
    expect(status.out.text()).toContain('1 message(s) waiting');
    expect(status.out.text()).toContain(
      'Not a valid message: .queue/work/000000000-000000-aaaaaa.json: not JSON (it ends too early, at line 1, column 14)',
    );
    expect(status.out.text()).toContain('Not a valid message: .queue/work/000000000-000001-cccccc.json: "receiveCount" is missing');

    const context = contextFor(fixture);
    expect(await main(['run', '--out', dir.path], context)).toBe(0);
    expect(context.out.errors).toEqual([]);
    expect(context.out.lines).toContain('Quarantined .queue/work/000000000-000000-aaaaaa.json: not JSON (it ends too early, at line 1, column 14).');
    expect(context.out.lines).toContain('Quarantined .queue/work/000000000-000001-cccccc.json: "receiveCount" is missing.');
    expect(context.out.text()).toMatch(/agents\s+│ complete\s+│ 1\/1/); // the valid message was processed
    expect(await readdir(work)).toEqual([]);
    expect((await readdir(join(dir.path, '.queue', 'quarantine'))).sort()).toEqual(['000000000-000000-aaaaaa.json', '000000000-000001-cccccc.json']);
    const after = contextFor(fixture);
    await showStatus({ out: dir.path, runs: 1 }, after);
    expect(after.out.text()).toContain('2 file(s) in');
    await dir.remove();
  });

  it('an unreadable or exposed secret file: one line saying what to do', async () => {
    const fixture = await open({ simulator: { tickets: 5 } });
    const dir = await tempDir();
    await chmod(fixture.store.path, 0o644);
    const exposed = contextFor(fixture);
    expect(await main(['run', '--out', dir.path], exposed)).toBe(2);
    expect(exposed.out.errors).toEqual([expect.stringContaining(`Run: chmod 600 ${fixture.store.path}`)]);
    await writeFile(fixture.store.path, '{"client_id": ', { mode: 0o600 });
    await chmod(fixture.store.path, 0o600);
    const broken = contextFor(fixture);
    expect(await main(['run', '--out', dir.path], broken)).toBe(2);
    expect(broken.out.errors).toEqual([expect.stringContaining('is not valid JSON')]);
    await dir.remove();
  });

  it('temporary files left by a crash are never read as data', async () => {
    const fixture = await open({ simulator: { tickets: 5 } });
    const dir = await tempDir();
    expect(await runReports(['departments'], { out: dir.path, ...FAST }, contextFor(fixture))).toBe(0);
    const runId = await firstRun(dir.path);
    const folder = join(dir.path, 'departments', `dt=${runId.slice(0, 10)}`, `org=${fixture.running.sim.orgId}`, `run=${runId}`);
    await writeFile(join(folder, '.a1b2c3.tmp'), '{"half":');
    expect((await new FolderObjectStore(dir.path).list('departments/')).every((k) => !k.includes('.tmp'))).toBe(true);
    await dir.remove();
  });
});
