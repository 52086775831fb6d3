import { describe, expect, it } from 'vitest';
import { runReports } from '../lib/cli/run-command.js';
import { contentHash, findReport, recordKey } from '../lib/reports/catalog.js';
import { buildTargets } from '../lib/reports/targets.js';
import { expectMirror } from './helpers/mirror.js';
import { FAST, contextFor } from './helpers/pipeline.js';
import { fixtures, tempDir } from './helpers/zoho.js';

const open = fixtures();
const REPORTS = ['tickets', 'organization-fields', 'ticket-history'];

describe('ticket history', () => {
  it('identifies an event by its ticket and its content: the same event in two tickets is two records', () => {
    const report = findReport('ticket-history');
    if (!report) throw new Error('no ticket-history report');
    const event = { eventTime: '2026-11-01T10:00:00.000Z', eventName: 'TicketUpdated', actor: { id: '1', name: 'Macro', type: 'Macro' } };
    expect(recordKey(report, event, '11')).toBe(`11/${contentHash(event)}`);
    expect(recordKey(report, event, '12')).not.toBe(recordKey(report, event, '11'));
    expect(recordKey(report, { ...event, eventName: 'TicketCreated' }, '11')).not.toBe(recordKey(report, event, '11'));
    // Without the parent it has no key: the page's receipt then names none, and nothing is taken as gone.
    expect(recordKey(report, event)).toBeUndefined();
  });

  it("is opt-in; named, its export is each ticket's history exactly, an event that left leaves, and it follows edits", async () => {
    expect(findReport('ticket-history')?.optIn).toBeDefined();
    expect(buildTargets([]).map((t) => t.report)).not.toContain('ticket-history');
    const fixture = await open({ simulator: { tickets: 60 } });
    const { sim } = fixture.running;
    const dir = await tempDir();
    const context = contextFor(fixture, sim.clock);
    expect(await runReports(REPORTS, { out: dir.path, ...FAST }, context), context.out.text()).toBe(0);
    expect(sim.currentRecords('ticket-history').length).toBeGreaterThan(60);
    await expectMirror(sim, dir.path, { reports: ['tickets', 'ticket-history'] });
    // Edited tickets (their last update moves on), new threads (an event more), deleted tickets (theirs leave).
    sim.advance(4 * 3_600_000, { modifiedTickets: 5, newThreads: 4, deleteTickets: 2 });
    expect(await runReports(REPORTS, { out: dir.path, ...FAST }, context), context.out.text()).toBe(0);
    await expectMirror(sim, dir.path, { reports: ['tickets', 'ticket-history'] });
    await dir.remove();
  });

  it('a 404 for a ticket deleted since (the route is not in the OAS, so a 404 may mean either) is the ticket gone, not the report unavailable', async () => {
    const fixture = await open({ simulator: { tickets: 20 } });
    const { sim } = fixture.running;
    const dir = await tempDir();
    const context = contextFor(fixture, sim.clock);
    const { deletedTickets } = sim.advance(60_000, { deleteTickets: 1 });
    const gone = deletedTickets[0] as string;
    expect(await runReports(['ticket-history'], { out: dir.path, ...FAST, param: [`ticketId=${gone}`] }, context), context.out.text()).toBe(0);
    // Read as empty (the search found no such ticket): complete, nothing unavailable.
    expect(context.out.text()).toMatch(/│ ticket-history │ complete │ 1\/1 +│ 0 +│ 0 +│ 0 +│ 0 +│/);
    expect(sim.stats().calls.ticketSearch).toBeGreaterThan(0);
    await dir.remove();
  });

  it('on a portal that does not serve the route: recorded unavailable, and not asked again the next run', async () => {
    const fixture = await open({ simulator: { tickets: 20 } });
    const { sim } = fixture.running;
    sim.setFaults({ quirks: [{ path: '/History', kind: 'not-served' }] });
    const dir = await tempDir();
    const context = contextFor(fixture, sim.clock);
    // Planned beside threads (one read of the changed tickets for both): the threads are read whole all the same.
    expect(await runReports(['threads', 'ticket-history'], { out: dir.path, ...FAST }, context), context.out.text()).toBe(0);
    expect(context.out.text()).toMatch(/│ ticket-history │ unavailable/);
    expect(context.out.text()).toMatch(/│ threads +│ complete/);
    // The first run asked one ticket's history, not every ticket's.
    expect(sim.stats().calls.ticketHistory).toBe(1);
    // The next run, four hours on: the note stands, so no ticket's history is asked for again.
    sim.advance(4 * 3_600_000, { modifiedTickets: 3 });
    sim.resetStats();
    expect(await runReports(['ticket-history'], { out: dir.path, ...FAST }, context), context.out.text()).toBe(0);
    expect(sim.stats().calls.ticketHistory ?? 0).toBe(0);
    await dir.remove();
  });
});
