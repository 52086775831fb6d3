import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runReports } from '../lib/cli/run-command.js';
import { EDITION_LIMITS } from '../lib/zoho/editions.js';
import { filesUnder } from './helpers/export.js';
import { expectMirror } from './helpers/mirror.js';
import { FAST, contextFor } from './helpers/pipeline.js';
import { fixtures, tempDir } from './helpers/zoho.js';

// Several portals into one folder: each keeps its own keys, cursors and limits, and each portal's latest views
// hold exactly its own records.

const open = fixtures();

describe('two portals in one folder', () => {
  it('each exported apart, within its own concurrency, and each run moving only its own cursors', async () => {
    const fixture = await open({
      simulator: { seed: 3, tickets: 90, edition: 'ENTERPRISE', portals: [{ seed: 8, tickets: 40, edition: 'STANDARD' }] },
    });
    const [a, b] = fixture.running.sims as [typeof fixture.running.sim, typeof fixture.running.sim];
    const dir = await tempDir();
    const context = contextFor(fixture, a.clock);
    const options = { out: dir.path, portal: fixture.portalSecrets, ...FAST };
    expect(await runReports([], options, context), context.out.text()).toBe(0);
    expect(context.out.text()).toContain(`(org ${b.orgId}, edition STANDARD) through secret ${fixture.portalSecrets[0]}`);

    // Each portal's calls stayed within its own edition's limit: the simulator never had to turn one away.
    for (const sim of [a, b]) {
      expect(sim.stats().concurrencyRejections, sim.orgId).toBe(0);
      expect(sim.stats().maxConcurrency).toBeLessThanOrEqual(EDITION_LIMITS[sim.portal.org.edition].concurrency);
      expect(sim.stats().deskCalls).toBeGreaterThan(0);
    }
    // No key shared: every page, manifest and state in its portal's folder.
    const files = await filesUnder(dir.path);
    const pages = files.filter((f) => f.endsWith('.jsonl') && !f.startsWith('_'));
    expect(pages.length).toBeGreaterThan(0);
    expect(pages.filter((f) => !f.includes(`/org=${a.orgId}/`) && !f.includes(`/org=${b.orgId}/`))).toEqual([]);
    expect(files).toEqual(expect.arrayContaining([`_state/org=${a.orgId}/tickets.json`, `_state/org=${b.orgId}/tickets.json`]));
    await expectMirror(a, dir.path, { onePortal: true });
    await expectMirror(b, dir.path, { onePortal: true });

    // B changes and is read again alone: A's cursors stay where A's run left them.
    const stateOf = async (org: string) => JSON.parse(await readFile(join(dir.path, `_state/org=${org}/tickets.json`), 'utf8')) as { runId: string };
    const aBefore = await stateOf(a.orgId);
    const bBefore = await stateOf(b.orgId);
    const changed = b.advance(3_600_000, { deleteTickets: 2, editTicketFields: 2, newTickets: 3 });
    a.advance(0);
    const onlyB = contextFor(fixture, a.clock);
    onlyB.env.ZOHO_SECRET_ID = join(fixture.dir, `${fixture.portalSecrets[0]}.json`);
    expect(await runReports([], { out: dir.path, ...FAST }, onlyB), onlyB.out.text()).toBe(0);
    expect(await stateOf(a.orgId)).toEqual(aBefore);
    expect((await stateOf(b.orgId)).runId > bBefore.runId).toBe(true);
    expect(changed.deletedTickets).toHaveLength(2);
    await expectMirror(a, dir.path, { onePortal: true });
    await expectMirror(b, dir.path, { onePortal: true });
    await dir.remove();
  });
});
