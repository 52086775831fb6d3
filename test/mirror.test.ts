import { describe, expect, it } from 'vitest';
import { LocalWarehouse } from '../lib/analytics/local-warehouse.js';
import { runReports } from '../lib/cli/run-command.js';
import { expectMirror, rowsOf } from './helpers/mirror.js';
import { FAST, contextFor } from './helpers/pipeline.js';
import { fixtures, tempDir } from './helpers/zoho.js';

// The export as a mirror: after the portal changes (deletes, closes, moves, edits), every latest view holds
// exactly the records the simulated portal holds now — the same ids, every field the same value, typed — and a
// ticket restored from the recycle bin is back.

const open = fixtures();

describe('the latest views mirror the portal', () => {
  it('after deletes, closes, department moves, custom-field edits and every other kind of change', async () => {
    const fixture = await open({ simulator: { tickets: 150, edition: 'ENTERPRISE' } });
    const { sim } = fixture.running;
    const dir = await tempDir();
    const context = contextFor(fixture, sim.clock);
    expect(await runReports([], { out: dir.path, ...FAST }, context)).toBe(0);
    await expectMirror(sim, dir.path);

    const changes = sim.advance(4 * 3_600_000, {
      deleteTickets: 3,
      deleteContacts: 2,
      deleteAccounts: 1,
      deleteCalls: 2,
      deleteTimeEntries: 2,
      closeTickets: 4,
      moveTickets: 3,
      editTicketFields: 4,
      editContacts: 2,
      deleteTags: 1,
      clearEmailFailures: 1,
      processApprovals: 2,
      disableAgents: 1,
      newTickets: 3,
      modifiedTickets: 3,
      newThreads: 4,
      deleteComments: 3,
    });
    expect(changes.deletedTickets).toHaveLength(3);
    expect(changes.editedTickets).toHaveLength(4);
    const second = await runReports([], { out: dir.path, ...FAST }, context);
    expect(second, context.out.text()).toBe(0);
    await expectMirror(sim, dir.path);
    // The summary says what left and what finding it cost.
    expect(context.out.text()).toMatch(/Finding deleted records cost \d+ of the run's \d+ credits .*; \d+ record\(s\) gone\./);

    // "How many tickets are open now, by department and custom field": one query, every ticket counted once.
    const warehouse = await LocalWarehouse.open(dir.path);
    try {
      const counted = await rowsOf(warehouse, 'SELECT cf_product_area, count(*) AS tickets FROM tickets_latest GROUP BY 1');
      expect(counted.reduce((sum, r) => sum + Number(r.tickets), 0)).toBe(sim.currentRecords('tickets').length);
      const tombstones = await rowsOf(warehouse, `SELECT id, source FROM tombstones WHERE report = 'tickets'`);
      expect(tombstones.map((t) => t.id).sort()).toEqual(expect.arrayContaining([...changes.deletedTickets!].sort()));
    } finally {
      warehouse.close();
    }
    await dir.remove();
  });

  it('brings a restored ticket back, and finds a spam-deleted one at the reconcile', async () => {
    const fixture = await open({ simulator: { tickets: 60, edition: 'ENTERPRISE' } });
    const { sim } = fixture.running;
    const dir = await tempDir();
    const context = contextFor(fixture, sim.clock);
    expect(await runReports(['tickets', 'threads'], { out: dir.path, ...FAST }, context)).toBe(0);
    const deleted = sim.advance(3_600_000, { deleteTickets: 2, spamDeleteTickets: 1 });
    expect(await runReports(['tickets', 'threads'], { out: dir.path, ...FAST }, context)).toBe(0);
    const ids = async () => {
      const warehouse = await LocalWarehouse.open(dir.path);
      try {
        return (await rowsOf(warehouse, 'SELECT id FROM tickets_latest')).map((r) => String(r.id)).sort();
      } finally {
        warehouse.close();
      }
    };
    const current = () =>
      sim
        .currentRecords('tickets')
        .map((t) => String(t.record.id))
        .sort();
    // The recycle bin gave the two deletions at once; the spam delete is not in the bin.
    const afterDelete = await ids();
    for (const id of deleted.deletedTickets ?? []) expect(afterDelete).not.toContain(id);
    expect(afterDelete).toContain(deleted.spamDeletedTickets?.[0]);

    // Restored without a new modifiedTime (the simulator's default): the daily full read finds it. It misses the
    // spam-deleted ticket, which the next read of changes confirms gone.
    const restored = sim.advance(25 * 3_600_000, { restoreTickets: 1 });
    expect(restored.restoredTickets).toHaveLength(1);
    expect(await runReports(['tickets', 'threads'], { out: dir.path, ...FAST }, context)).toBe(0);
    expect(await ids()).toContain(restored.restoredTickets?.[0]);
    expect(await ids()).toEqual([...current(), ...(deleted.spamDeletedTickets ?? [])].sort());
    sim.advance(4 * 3_600_000);
    expect(await runReports(['tickets', 'threads'], { out: dir.path, ...FAST }, context)).toBe(0);
    expect(await ids()).toEqual(current());
    await dir.remove();
  });
});
