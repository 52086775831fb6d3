import { describe, expect, it } from 'vitest';
import { LocalWarehouse } from '../lib/analytics/local-warehouse.js';
import { runReports } from '../lib/cli/run-command.js';
import { rowsOf } from './helpers/mirror.js';
import { FAST, contextFor } from './helpers/pipeline.js';
import { fixtures, tempDir } from './helpers/zoho.js';

// Issue 15: a steady run pays for what changed, not for what an earlier run already holds; what only a full read
// can tell (an approval processed while its ticket stayed as it was) is read at the reconcile interval.

const open = fixtures();
const HOUR = 3_600_000;

async function latestIds(out: string, table: string): Promise<string[]> {
  const warehouse = await LocalWarehouse.open(out);
  try {
    return (await rowsOf(warehouse, `SELECT id FROM ${table}_latest`)).map((r) => String(r.id)).sort();
  } finally {
    warehouse.close();
  }
}

describe('a steady run', () => {
  it('reads pending approvals of changed tickets only; the ones still pending are read again at the reconcile', async () => {
    // Processing an approval here leaves its ticket's modifiedTime as it was: only the reconcile can tell.
    const fixture = await open({ simulator: { tickets: 120, edition: 'ENTERPRISE', approvalTouchesTicket: false } });
    const { sim } = fixture.running;
    const dir = await tempDir();
    const context = contextFor(fixture, sim.clock);
    const pending = () =>
      sim
        .currentRecords('pending-approvals')
        .map((r) => String(r.record.id))
        .sort();
    const reports = ['tickets', 'pending-approvals'];
    expect(await runReports(reports, { out: dir.path, ...FAST }, context)).toBe(0);
    expect(await latestIds(dir.path, 'pending_approvals')).toEqual(pending());
    const withPending = new Set(sim.currentRecords('pending-approvals').map((r) => r.parentId)).size;
    expect(withPending).toBeGreaterThan(4);

    const first = pending();
    const changes = sim.advance(4 * HOUR, { processApprovals: 2, modifiedTickets: 3 });
    expect(changes.processedApprovals).toHaveLength(2);
    sim.resetStats();
    expect(await runReports(reports, { out: dir.path, ...FAST }, context)).toBe(0);
    // Only tickets that changed were asked (at most the three modified): not every ticket with a pending approval.
    expect(sim.stats().calls.ticketApprovals ?? 0).toBeLessThanOrEqual(3);
    // The processed approvals are still shown pending: nothing changed that a run between reconciles reads.
    expect(await latestIds(dir.path, 'pending_approvals')).toEqual(first);

    // A day after the first run's full read: every ticket with a pending approval is read again.
    sim.advance(21 * HOUR, {});
    sim.resetStats();
    expect(await runReports(reports, { out: dir.path, ...FAST }, context)).toBe(0);
    expect(sim.stats().calls.ticketApprovals ?? 0).toBeGreaterThanOrEqual(withPending);
    expect(await latestIds(dir.path, 'pending_approvals')).toEqual(pending());
    expect(pending()).not.toEqual(first);

    // And the next run between reconciles is back to the changed tickets alone.
    sim.advance(4 * HOUR, {});
    sim.resetStats();
    expect(await runReports(reports, { out: dir.path, ...FAST }, context)).toBe(0);
    expect(sim.stats().calls.ticketApprovals ?? 0).toBe(0);
    expect(await latestIds(dir.path, 'pending_approvals')).toEqual(pending());
    await dir.remove();
  });
});
