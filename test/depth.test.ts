import { describe, expect, it } from 'vitest';
import { FolderObjectStore } from '../lib/adapters/folder-object-store.js';
import { EXIT_CODES } from '../lib/cli/output.js';
import { runReports } from '../lib/cli/run-command.js';
import { runManifests } from '../lib/pipeline/manifest.js';
import { ROUTES } from '../lib/simulator/routes.js';
import { RECOMMENDED_SCOPES } from '../lib/zoho/endpoints.js';
import { FAST, contextFor, storedRecords } from './helpers/pipeline.js';
import { fixtures, tempDir } from './helpers/zoho.js';

const open = fixtures();

async function manifestOf(out: string, report: string) {
  const store = new FolderObjectStore(out);
  const runId = (await store.folders('_runs/')).at(-1)!;
  return (await runManifests(store, runId)).find((m) => m.report === report);
}

describe("lists deeper than Zoho's `from` reaches", () => {
  it('more contacts than the depth limit: every contact exported exactly once, through the search in windows', async () => {
    const fixture = await open({ simulator: { tickets: 20, contacts: 6_000 } });
    const { sim } = fixture.running;
    const dir = await tempDir();
    expect(await runReports(['contacts'], { out: dir.path, ...FAST }, contextFor(fixture, sim.clock))).toBe(0);
    const records = await storedRecords(dir.path, 'contacts');
    expect(records).toHaveLength(6_000);
    expect(new Set(records.map((r) => r.id)).size).toBe(6_000);
    expect([...new Set(records.map((r) => String(r.id)))].sort()).toEqual(sim.portal.contacts.map((c) => c.id).sort());
    const keys = await new FolderObjectStore(dir.path).list('contacts/');
    expect(keys.filter((k) => /window=\d{4}\/page-\d+\.jsonl$/.test(k)).length).toBeGreaterThanOrEqual(Math.ceil(6_000 / 100));
    expect(sim.stats().statuses['422']).toBeUndefined();
    expect(sim.stats().calls.contacts).toBeUndefined();
    await dir.remove();
  });

  it('a list within reach is read as a list, after one search call that counts it', async () => {
    const fixture = await open({ simulator: { tickets: 20, contacts: 300 } });
    const { sim } = fixture.running;
    const dir = await tempDir();
    expect(await runReports(['contacts', 'accounts'], { out: dir.path, ...FAST }, contextFor(fixture, sim.clock))).toBe(0);
    expect(await storedRecords(dir.path, 'contacts')).toHaveLength(300);
    expect(sim.stats().calls).toMatchObject({ contactSearch: 1, accountSearch: 1, contacts: 4, accounts: 1 });
    await dir.remove();
  });

  it('without the search scope, the list is read, and the run says why it could not count', async () => {
    const scopes = RECOMMENDED_SCOPES.filter((s) => s !== 'Desk.search.READ');
    const fixture = await open({ simulator: { tickets: 20, contacts: 150 }, scopes });
    const dir = await tempDir();
    const context = contextFor(fixture);
    expect(await runReports(['contacts'], { out: dir.path, ...FAST }, context)).toBe(0);
    expect(await storedRecords(dir.path, 'contacts')).toHaveLength(150);
    expect(context.out.text()).toContain('Warning: contacts: GET /contacts/search was refused (The grant behind this token lacks a scope');
    await dir.remove();
  });

  it('a list Zoho offers no way past (agents) fails loudly on the first run, says what to do, and spends no call on it', async () => {
    const fixture = await open({ simulator: { tickets: 10, agents: 5_150 } });
    const { sim } = fixture.running;
    const dir = await tempDir();
    const context = contextFor(fixture, sim.clock);
    expect(await runReports(['agents'], { out: dir.path, ...FAST }, context)).toBe(EXIT_CODES.failed);
    const manifest = await manifestOf(dir.path, 'agents');
    expect(manifest).toMatchObject({ status: 'failed', records: 5_000, pages: { written: 25, failed: 1, deadLettered: 0 } });
    const reason =
      "GET /agents cannot be read past record 5000: Zoho Desk's `from` stops at 4999 and its API offers no search or time filter for " +
      'these records, so the rest are not exported. Read them in two parts: `--param status=ACTIVE`, then `--param status=DISABLED`.';
    expect(manifest?.failures).toEqual([{ scope: '', page: 26, status: 'failed', reason }]);
    expect(context.out.text()).toContain('1 page(s) cannot be read as asked (redrive cannot help):');
    expect(context.out.text()).toContain(reason);
    expect(sim.stats().statuses['422']).toBeUndefined();
    await dir.remove();
  });
});

describe('the simulator keeps to the depth limits', () => {
  it('every paginated endpoint answers 422 one record past its `from` limit (search 999, lists 4999)', () => {
    const paged = ROUTES.filter((r) => r.paging);
    expect(paged.length).toBeGreaterThanOrEqual(16);
    for (const route of paged) {
      const search = route.template.endsWith('/search');
      expect(route.paging?.fromMax, route.template).toBe(search ? 999 : 4_999);
    }
  });

  it('answers a request past the limit with the 422 Zoho gives', async () => {
    const fixture = await open({ simulator: { tickets: 10 } });
    const zoho = await fixture.connect();
    for (const key of ['contactSearch', 'accountSearch', 'callSearch', 'contacts', 'calls', 'agents'] as const) {
      const deep = key.endsWith('Search') ? 1_000 : 5_000;
      await expect(zoho.desk.page(key, { from: deep, limit: key === 'agents' ? 10 : 1 }), key).rejects.toThrow(/exceeds the range of '\d-(999|4999)'/);
    }
  });
});
