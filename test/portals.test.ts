import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../lib/cli/main.js';
import { EXIT_CODES } from '../lib/cli/output.js';
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
    // A fresh folder has no portal of the layout before portals, though each portal saw the other's run start.
    expect(JSON.parse(await readFile(join(dir.path, '_state/layout.json'), 'utf8'))).not.toHaveProperty('legacyOrgId');

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

  it('status, redrive and enqueue take --portal', async () => {
    const fixture = await open({
      simulator: { seed: 3, tickets: 10, edition: 'ENTERPRISE', portals: [{ seed: 8, tickets: 6, edition: 'STANDARD' }] },
    });
    const [a, b] = fixture.running.sims as [typeof fixture.running.sim, typeof fixture.running.sim];
    const [secretB = ''] = fixture.portalSecrets;
    const dir = await tempDir();
    const context = contextFor(fixture, a.clock);
    // B's Zoho fails its departments every time: that page ends in the dead-letter queue; A's do not.
    b.setFaults({ failingPaths: ['/departments'] });
    expect(await runReports(['departments', 'agents'], { out: dir.path, portal: [secretB], ...FAST }, context)).toBe(EXIT_CODES['dead-lettered']);

    const status = contextFor(fixture);
    expect(await main(['status', '--out', dir.path, '--portal', b.orgId, '--runs', '5'], status)).toBe(0);
    expect(status.out.text()).toContain(`portal ${b.orgId} (${secretB})`);
    expect(status.out.text()).not.toContain(`portal ${a.orgId}`);

    const none = contextFor(fixture);
    expect(await main(['redrive', '--out', dir.path, '--portal', a.orgId], none)).toBe(0);
    expect(none.out.text()).toContain(`No dead-lettered message of portal ${a.orgId}`);
    b.setFaults({ failingPaths: [] });
    const again = contextFor(fixture);
    expect(await main(['redrive', '--out', dir.path, '--portal', secretB], again), again.out.text()).toBe(0);
    expect(again.out.text()).toContain(`Redriving 1 dead-lettered message(s) of portal ${secretB}.`);

    const enqueued = contextFor(fixture);
    expect(await main(['enqueue', 'agents', '--portal', secretB, '--out', dir.path], enqueued), enqueued.out.text()).toBe(0);
    expect(enqueued.out.text()).toContain(`"secretId":"${secretB}"`);

    // query and report: one portal's rows in every view.
    const sql = 'SELECT DISTINCT org_id FROM agents_latest';
    const both = contextFor(fixture);
    expect(await main(['query', sql, '--out', dir.path, '--format', 'json'], both)).toBe(0);
    expect((JSON.parse(both.out.text()) as Array<{ org_id: string }>).map((r) => r.org_id).sort()).toEqual([a.orgId, b.orgId].sort());
    const one = contextFor(fixture);
    expect(await main(['query', sql, '--out', dir.path, '--format', 'json', '--portal', b.orgId], one)).toBe(0);
    expect(JSON.parse(one.out.text())).toEqual([{ org_id: b.orgId }]);
    const wrong = contextFor(fixture);
    expect(await main(['query', sql, '--out', dir.path, '--portal', secretB], wrong)).toBe(2);
    expect(wrong.out.errors[0]).toContain("--portal takes a portal's org id");
    const page = contextFor(fixture);
    expect(await main(['report', '--from', dir.path, '--out', join(dir.path, 'b.html'), '--portal', b.orgId], page)).toBe(0);
    await dir.remove();
  });
});
