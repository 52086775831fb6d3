import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportViews } from '../lib/analytics/custom-field-views.js';
import { LocalWarehouse } from '../lib/analytics/local-warehouse.js';
import { runReports } from '../lib/cli/run-command.js';
import { LAYOUT_KEY } from '../lib/pipeline/portals.js';
import { filesUnder } from './helpers/export.js';
import { expectMirror, rowsOf } from './helpers/mirror.js';
import { FAST, contextFor } from './helpers/pipeline.js';
import { fixtures, tempDir } from './helpers/zoho.js';

// An export written before portals (no org= folder, states flat in _state/) keeps working after the upgrade:
// queryable as it is, adopted by the first run after (its states move to its portal's folder, so cursors carry
// on), and its old pages and the new ones are one portal in the views — no record twice, deletions applied.

const open = fixtures();

/**
 * What the version before portals wrote for the same runs: the same files with no `org=<id>` folder (pages,
 * manifests, tombstones), the states directly in _state/, no layout file, and receipts naming those keys. Made
 * from an export of this version, because that is the only difference between the two layouts (keys.ts).
 */
async function asWrittenBeforePortals(root: string, orgId: string): Promise<void> {
  const folder = `org=${orgId}/`;
  for (const path of await filesUnder(root)) {
    if (path.startsWith('_runs/')) {
      const text = await readFile(join(root, path), 'utf8');
      if (text.includes(folder)) await writeFile(join(root, path), text.replaceAll(folder, ''));
    }
    if (!path.includes(folder)) continue;
    const to = join(root, path.replace(folder, ''));
    await mkdir(dirname(to), { recursive: true });
    await rename(join(root, path), to);
  }
  await rm(join(root, LAYOUT_KEY));
  for (const path of (await readdir(root, { recursive: true })).filter((p) => p.endsWith(`org=${orgId}`))) {
    await rm(join(root, path), { recursive: true, force: true });
  }
}

async function orgIdsOf(root: string, table: string): Promise<unknown[]> {
  const warehouse = await LocalWarehouse.open(root);
  try {
    return (await rowsOf(warehouse, `SELECT DISTINCT org_id FROM ${table}`)).map((r) => r.org_id);
  } finally {
    warehouse.close();
  }
}

describe('an export written before portals', () => {
  it('is queryable as it is, and after the upgrade its portal goes on where it left off', async () => {
    const fixture = await open({ simulator: { tickets: 80, edition: 'ENTERPRISE' } });
    const { sim } = fixture.running;
    const dir = await tempDir();
    const context = contextFor(fixture, sim.clock);
    expect(await runReports([], { out: dir.path, ...FAST }, context)).toBe(0);
    await asWrittenBeforePortals(dir.path, sim.orgId);
    const before = await filesUnder(dir.path);
    expect(before.filter((p) => p.includes('org='))).toEqual([]);
    expect(before).toContain('_state/tickets.json');

    // As it is: every latest view holds the portal, with no portal named.
    await expectMirror(sim, dir.path);
    expect(await orgIdsOf(dir.path, 'tickets')).toEqual([null]);

    const changes = sim.advance(4 * 3_600_000, {
      deleteTickets: 2,
      deleteContacts: 1,
      editTicketFields: 3,
      newTickets: 3,
      modifiedTickets: 3,
      newThreads: 4,
    });
    expect(await runReports([], { out: dir.path, ...FAST }, context), context.out.text()).toBe(0);

    // Adopted: the layout names the legacy portal, the states moved, and the run read changes since their cursors.
    const layout = JSON.parse(await readFile(join(dir.path, LAYOUT_KEY), 'utf8')) as { legacyOrgId?: string };
    expect(layout.legacyOrgId).toBe(sim.orgId);
    const after = await filesUnder(dir.path);
    expect(after).not.toContain('_state/tickets.json');
    expect(after).toContain(`_state/org=${sim.orgId}/tickets.json`);
    const runIds = (await readdir(join(dir.path, '_runs'))).sort();
    const second = JSON.parse(await readFile(join(dir.path, '_runs', runIds.at(-1) as string, 'run.json'), 'utf8')) as { fullReads?: string[] };
    expect(second.fullReads ?? []).not.toContain('tickets');
    expect(after.filter((p) => p.startsWith('tickets/') && p.endsWith('.jsonl') && !p.includes(`/org=${sim.orgId}/`)).length).toBeGreaterThan(0);
    expect(after.filter((p) => p.startsWith('tickets/') && p.includes(`/org=${sim.orgId}/run=${runIds.at(-1)}/`)).length).toBeGreaterThan(0);

    // The old pages and the new are one portal: each record once, the deleted ones gone.
    await expectMirror(sim, dir.path);
    expect(await orgIdsOf(dir.path, 'tickets')).toEqual([sim.orgId]);
    const warehouse = await LocalWarehouse.open(dir.path);
    try {
      const latest = (await rowsOf(warehouse, 'SELECT id FROM tickets_latest')).map((r) => String(r.id));
      for (const id of changes.deletedTickets ?? []) expect(latest).not.toContain(id);
    } finally {
      warehouse.close();
    }
    // Athena's views, as the scheduler replaces them from this layout, say the same of the legacy pages.
    const tickets = exportViews(new Map(), layout.legacyOrgId).find((v) => v.name === 'tickets_latest');
    expect(tickets?.sql).toContain(`COALESCE(NULLIF(regexp_extract("$path", '/org=([^/]+)/', 1), ''), '${sim.orgId}')`);
    await dir.remove();
  });
});
