import { readdir, rename, rm } from 'node:fs/promises';
import { main } from '../lib/cli/main.js';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compactExport, readPointer } from '../lib/analytics/compaction.js';
import { runReports } from '../lib/cli/run-command.js';
import { answers, answersWithoutCompaction } from './helpers/answers.js';
import { expectMirror } from './helpers/mirror.js';
import { FAST, contextFor } from './helpers/pipeline.js';
import { fixtures, tempDir } from './helpers/zoho.js';

// Issue 15: the latest views read each report's compacted current state and only the pages of later runs; the
// answers are the same as over every page, through deletes, restores, edits and runs not yet compacted.

const open = fixtures();

async function listFiles(path: string): Promise<string[]> {
  const entries = await readdir(path, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}
const HOUR = 3_600_000;

/** Runs of every report (a table each), compactions and DuckDB views: longer than a unit of the suite takes on CI's two cores. */
const WHOLE_EXPORT_TIMEOUT = 90_000;

describe('compaction', () => {
  it(
    'keeps every latest view and the report identical, through changes, runs after it and a full compaction',
    async () => {
      const fixture = await open({ simulator: { tickets: 150, contacts: 200, edition: 'ENTERPRISE' } });
      const { sim } = fixture.running;
      const dir = await tempDir();
      const context = contextFor(fixture, sim.clock);
      expect(await runReports([], { out: dir.path, ...FAST }, context)).toBe(0);
      // `run` compacts when it is done.
      expect(context.out.text()).toMatch(/Compacted \d+ report\(s\) into .*current\/ \(\d+ rows\)/);
      const first = await readPointer(dir.path, 'tickets');
      expect(first?.rows).toBe(sim.currentRecords('tickets').length);
      const departments = await readPointer(dir.path, 'departments');
      expect(await answers(dir.path)).toEqual(await answersWithoutCompaction(dir.path));

      const changes = {
        deleteTickets: 3,
        deleteContacts: 2,
        closeTickets: 4,
        editTicketFields: 4,
        editContacts: 3,
        processApprovals: 2,
        newTickets: 3,
        modifiedTickets: 5,
        newThreads: 4,
      };
      sim.advance(4 * HOUR, changes);
      expect(await runReports([], { out: dir.path, ...FAST }, context)).toBe(0);
      const second = await readPointer(dir.path, 'tickets');
      expect(second?.through).not.toBe(first?.through);
      // The deleted tickets are not in the generation: it holds what the portal holds, not every record ever read.
      expect(second?.rows).toBe(sim.currentRecords('tickets').length);
      // Departments unchanged, so no page of them stored: the generation stays, its pointer moves past the run (the
      // views list the run folders after it, which would otherwise go back to the first run: bench figure 13).
      expect(await readPointer(dir.path, 'departments')).toMatchObject({ generation: departments?.generation, through: second?.through });
      await expectMirror(sim, dir.path);
      expect(await answers(dir.path)).toEqual(await answersWithoutCompaction(dir.path));
      // The generation before stays for a query that began before the swap; the one before that is gone.
      expect((await readdir(join(dir.path, 'current', 'tickets'))).filter((n) => n.startsWith('gen=')).sort()).toEqual(
        [first?.generation, second?.generation].sort(),
      );

      // A run the compaction has not seen yet (its pages after the generation), then a day on (the reconcile).
      sim.advance(4 * HOUR, { ...changes, restoreTickets: 1 });
      const pointers = join(dir.path, 'current');
      const kept = join(dir.path, 'current.kept');
      await rename(pointers, kept);
      expect(await runReports([], { out: dir.path, ...FAST }, context)).toBe(0);
      await rm(pointers, { recursive: true, force: true });
      await rename(kept, pointers);
      expect((await readPointer(dir.path, 'tickets'))?.through).toBe(second?.through);
      await expectMirror(sim, dir.path);
      expect(await answers(dir.path)).toEqual(await answersWithoutCompaction(dir.path));

      // A day on: the reconcile's full reads.
      sim.advance(20 * HOUR, changes);
      expect(await runReports([], { out: dir.path, ...FAST }, context)).toBe(0);
      expect(await answers(dir.path)).toEqual(await answersWithoutCompaction(dir.path));
      await expectMirror(sim, dir.path);
      const full = await compactExport(dir.path, { now: sim.clock.now(), full: true });
      expect(full.filter((r) => !r.unchanged).map((r) => r.report)).toEqual(expect.arrayContaining(['tickets', 'threads', 'contacts', 'agents']));
      expect(await answers(dir.path)).toEqual(await answersWithoutCompaction(dir.path));
      await dir.remove();
    },
    WHOLE_EXPORT_TIMEOUT,
  );

  it('prunes the compacted pages of reports read in full, and no view loses a row, a full compaction after it included', async () => {
    const fixture = await open({ simulator: { tickets: 80, edition: 'ENTERPRISE' } });
    const { sim } = fixture.running;
    const dir = await tempDir();
    const context = contextFor(fixture, sim.clock);
    for (let day = 0; day < 3; day += 1) {
      expect(await runReports([], { out: dir.path, ...FAST }, context)).toBe(0);
      sim.advance(20 * 24 * HOUR, { newTickets: 2, modifiedTickets: 3, newThreads: 2, deleteTags: 1, disableAgents: 1, clearEmailFailures: 1 });
    }
    expect(await runReports([], { out: dir.path, ...FAST }, context)).toBe(0);
    const before = await answers(dir.path);
    const pages = async (report: string) => (await listFiles(join(dir.path, report))).filter((f) => f.endsWith('.jsonl'));
    const agentPages = (await pages('agents')).length;
    const ticketPages = (await pages('tickets')).length;

    const dry = contextFor(fixture, sim.clock);
    expect(await main(['prune', '--older-than', '30', '--out', dir.path, '--dry-run'], dry)).toBe(0);
    expect(dry.out.text()).toMatch(/Would remove the pages of \d+ run\(s\) older than 30 days/);
    expect((await pages('agents')).length).toBe(agentPages);

    const pruned = contextFor(fixture, sim.clock);
    expect(await main(['prune', '--older-than', '30', '--out', dir.path], pruned)).toBe(0);
    expect(pruned.out.text()).toMatch(/Removed the pages of \d+ run\(s\) older than 30 days .*agents \d+/);
    // Two of the four runs are older than 30 days: their agents' pages went; every ticket page stayed.
    expect((await pages('agents')).length).toBeLessThan(agentPages);
    expect((await pages('agents')).length).toBeGreaterThan(0);
    expect((await pages('tickets')).length).toBe(ticketPages);
    expect(await answers(dir.path)).toEqual(before);
    await expectMirror(sim, dir.path);
    await compactExport(dir.path, { now: sim.clock.now(), full: true });
    expect(await answers(dir.path)).toEqual(before);
    await dir.remove();
  });
});
