import { describe, expect, it } from 'vitest';
import { LocalWarehouse } from '../lib/analytics/local-warehouse.js';
import { runReports } from '../lib/cli/run-command.js';
import { ticketComments } from '../lib/simulator/comments.js';
import { rowsOf } from './helpers/mirror.js';
import { FAST, contextFor } from './helpers/pipeline.js';
import { fixtures, tempDir } from './helpers/zoho.js';

const open = fixtures();

describe('ticket comments', () => {
  it('a changed ticket counting none costs no call, and a last comment deleted leaves the latest view', async () => {
    const fixture = await open({ simulator: { tickets: 80 } });
    const { sim } = fixture.running;
    const dir = await tempDir();
    const context = contextFor(fixture, sim.clock);
    const withComments = () => sim.portal.tickets.filter((t) => !sim.portal.hidden.has(t.id) && ticketComments(sim.portal, t).length > 0);
    expect(await runReports(['tickets', 'ticket-comments'], { out: dir.path, ...FAST }, context), context.out.text()).toBe(0);
    // One call per ticket that counts comments (commentCount on the search's records); none for the others.
    expect(withComments().length).toBeLessThan(sim.portal.tickets.length);
    expect(sim.stats().calls.ticketComments).toBe(withComments().length);

    const only = sim.portal.tickets.find((t) => ticketComments(sim.portal, t).length === 1);
    if (!only) throw new Error('the seed gives no ticket with exactly one comment');
    const comment = ticketComments(sim.portal, only)[0] as { id: string };
    sim.advance(3_600_000);
    sim.portal.hidden.add(comment.id);
    only.modifiedTime = sim.clock.now();
    sim.resetStats();
    expect(await runReports(['tickets', 'ticket-comments'], { out: dir.path, ...FAST }, context), context.out.text()).toBe(0);
    // The changed ticket now counts none: its comments are read as empty, without a call, and its last one leaves.
    expect(sim.stats().calls.ticketComments ?? 0).toBe(0);
    const warehouse = await LocalWarehouse.open(dir.path);
    try {
      const ids = (await rowsOf(warehouse, 'SELECT id FROM ticket_comments_latest')).map((row) => String(row.id));
      expect(ids).not.toContain(comment.id);
      expect(ids.sort()).toEqual(
        sim
          .currentRecords('ticket-comments')
          .map((r) => String(r.record.id))
          .sort(),
      );
    } finally {
      await warehouse.close();
    }
    await dir.remove();
  });
});
