import { describe, expect, it } from 'vitest';
import { runReports } from '../lib/cli/run-command.js';
import { callComments } from '../lib/simulator/call-comments.js';
import { expectMirror } from './helpers/mirror.js';
import { FAST, contextFor } from './helpers/pipeline.js';
import { fixtures, tempDir } from './helpers/zoho.js';

const open = fixtures();
const REPORTS = ['organization-fields', 'call-comments'];

describe('call comments', () => {
  it('reads the comments of the calls changed since the last run, none for a call without, and they leave with a deleted call', async () => {
    const fixture = await open({ simulator: { tickets: 120 } });
    const { sim } = fixture.running;
    const dir = await tempDir();
    const context = contextFor(fixture, sim.clock);
    const shown = () => sim.portal.calls.filter((c) => !sim.portal.hidden.has(c.id));
    const commented = () => shown().filter((c) => callComments(sim.portal, c).length > 0);
    expect(commented().length).toBeGreaterThan(0);
    expect(commented().length).toBeLessThan(shown().length);

    expect(await runReports(REPORTS, { out: dir.path, ...FAST }, context), context.out.text()).toBe(0);
    // A call saying it has no comments (isCommented false) costs no call.
    expect(sim.stats().calls.callComments).toBe(commented().length);
    await expectMirror(sim, dir.path, { reports: ['call-comments'] });

    // Comments added and deleted (their calls' modifiedTime moves), calls deleted: only the changed calls are read.
    sim.resetStats();
    const hadComments = new Set(commented().map((c) => c.id));
    const changes = sim.advance(4 * 3_600_000, { commentCalls: 3, deleteCallComments: 3, deleteCalls: 6 });
    const gone = changes.deletedCalls.filter((id) => sim.portal.calls.some((c) => c.id === id));
    // Deleted calls with comments: nothing reads them again, so their comments leave with them in the views. The
    // calls are read first, on a schedule of their own, and see the deletions in the recycle bin before the comments do.
    expect(gone.filter((id) => hadComments.has(id)).length).toBeGreaterThan(0);
    expect(await runReports(['calls'], { out: dir.path, ...FAST }, context), context.out.text()).toBe(0);
    // A minute later: two runs begun in the same second have ids whose order is their random suffix's.
    sim.advance(60_000, {});
    expect(await runReports(REPORTS, { out: dir.path, ...FAST }, context), context.out.text()).toBe(0);
    const changed = new Set([...changes.commentedCalls, ...changes.deletedCallComments].filter((id) => !gone.includes(id)));
    const read = [...changed].filter((id) => callComments(sim.portal, sim.portal.calls.find((c) => c.id === id) as never).length > 0);
    expect(sim.stats().calls.callComments).toBe(read.length);
    await expectMirror(sim, dir.path, { reports: ['call-comments'] });
    await dir.remove();
  });
});
