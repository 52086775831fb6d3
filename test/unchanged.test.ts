import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FolderObjectStore } from '../lib/adapters/folder-object-store.js';
import { runReports } from '../lib/cli/run-command.js';
import { finalizeRun, type ReportManifest } from '../lib/pipeline/manifest.js';
import { answers, answersWithoutCompaction } from './helpers/answers.js';
import { expectMirror } from './helpers/mirror.js';
import { contextFor, FAST } from './helpers/pipeline.js';
import { reportFiles, storedPages } from './helpers/stored.js';
import { fixtures, tempDir } from './helpers/zoho.js';

// Issue 15: storage grows with what changed. A report read in full every run, and the reconcile's full read of a
// report of changes, keep in their pages only the records that changed since the last read; the views and the
// deletions seen are what they were.

const open = fixtures();
const HOUR = 3_600_000;

async function runIds(folder: string): Promise<string[]> {
  return (await readdir(join(folder, '_runs'))).sort();
}

async function manifestOf(folder: string, report: string, runId: string): Promise<ReportManifest> {
  const pages = await new FolderObjectStore(folder).list(`${report}/`);
  const key = pages.find((k) => k.includes(`/run=${runId}/`) && k.endsWith('_manifest.json'));
  if (!key) throw new Error(`no manifest of ${report} in run ${runId}`);
  return JSON.parse(await readFile(join(folder, key), 'utf8')) as ReportManifest;
}

const recordsOfRun = async (folder: string, report: string, runId: string) =>
  (await storedPages(folder, report)).filter((p) => p.key.includes(`/run=${runId}/`)).flatMap((p) => p.records);

describe('records read again unchanged', () => {
  it('are not stored again; the views, the deletions and a second finalizing stay as they were', async () => {
    const fixture = await open({ simulator: { tickets: 120, contacts: 60, edition: 'ENTERPRISE' } });
    const { sim } = fixture.running;
    const dir = await tempDir();
    const context = contextFor(fixture, sim.clock);
    expect(await runReports([], { out: dir.path, ...FAST }, context)).toBe(0);
    const [first] = await runIds(dir.path);
    const agents = sim.currentRecords('agents').length;
    expect((await recordsOfRun(dir.path, 'agents', first as string)).length).toBe(agents);

    sim.advance(4 * HOUR, { modifiedTickets: 3, disableAgents: 1, deleteTags: 1 });
    const steady = contextFor(fixture, sim.clock);
    expect(await runReports([], { out: dir.path, ...FAST }, steady)).toBe(0);
    const second = (await runIds(dir.path)).at(-1) as string;
    // Every agent was read; only the one disabled is stored again.
    const agentsManifest = await manifestOf(dir.path, 'agents', second);
    expect(agentsManifest.records).toBe(agents);
    expect(agentsManifest.unchanged).toBe(agents - 1);
    const storedAgents = await recordsOfRun(dir.path, 'agents', second);
    expect(storedAgents.map((a) => a.status)).toEqual(['DISABLED']);
    // The open tickets: of those read, only the modified ones are stored again.
    const queue = await manifestOf(dir.path, 'queue', second);
    const storedQueue = await recordsOfRun(dir.path, 'queue', second);
    expect(queue.unchanged).toBe(queue.records - storedQueue.length);
    expect(storedQueue.length).toBeLessThanOrEqual(3);
    expect(steady.out.text()).toMatch(/\d+ of the \d+ records read were unchanged since the last read: stored once already, not again\./);
    await expectMirror(sim, dir.path);
    expect(await answers(dir.path)).toEqual(await answersWithoutCompaction(dir.path));

    // Finalizing the run again (after a redrive) finds the same and changes nothing.
    const files = await reportFiles(dir.path);
    const again = await finalizeRun(new FolderObjectStore(dir.path), second, { now: sim.clock.now() });
    expect(again.find((m) => m.report === 'agents')?.unchanged).toBe(agents - 1);
    expect(await reportFiles(dir.path)).toEqual(files);

    // A day on, the reconcile's full read of tickets stores only what changed, and still finds the deleted ones.
    sim.advance(20 * HOUR, { modifiedTickets: 2, deleteTickets: 1 });
    expect(await runReports([], { out: dir.path, ...FAST }, contextFor(fixture, sim.clock))).toBe(0);
    const third = (await runIds(dir.path)).at(-1) as string;
    const tickets = await manifestOf(dir.path, 'tickets', third);
    expect(tickets.reconcile).toBe(true);
    expect(tickets.unchanged).toBeGreaterThan(100);
    expect((await recordsOfRun(dir.path, 'tickets', third)).length).toBe(tickets.records - (tickets.unchanged ?? 0));
    await expectMirror(sim, dir.path);
    expect(await answers(dir.path)).toEqual(await answersWithoutCompaction(dir.path));

    await dir.remove();
  });
});
