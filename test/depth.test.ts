import { describe, expect, it } from 'vitest';
import { FolderObjectStore } from '../lib/adapters/folder-object-store.js';
import { EXIT_CODES } from '../lib/cli/output.js';
import { runReports } from '../lib/cli/run-command.js';
import type { ReportManifest } from '../lib/pipeline/manifest.js';
import { RECOMMENDED_SCOPES } from '../lib/zoho/endpoints.js';
import { FAST, contextFor } from './helpers/pipeline.js';
import { manifestKeyOf } from './helpers/export.js';
import { fixtures, tempDir } from './helpers/zoho.js';
import { storedRecords } from './helpers/stored.js';

const open = fixtures();

/** A report's _manifest.json of the last run, as finalizing wrote it (with what became of its cursor). */
async function manifestOf(out: string, report: string): Promise<ReportManifest | undefined> {
  const store = new FolderObjectStore(out);
  const runId = (await store.folders('_runs/')).at(-1)!;
  const text = await store.get(await manifestKeyOf(out, report, runId));
  return text === undefined ? undefined : (JSON.parse(text) as ReportManifest);
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

  it('a report read by change is read in full through its search too, after one call that counts it: one shape for every version', async () => {
    const fixture = await open({ simulator: { tickets: 20, contacts: 300 } });
    const { sim } = fixture.running;
    const dir = await tempDir();
    expect(await runReports(['contacts', 'accounts'], { out: dir.path, ...FAST }, contextFor(fixture, sim.clock))).toBe(0);
    const contacts = await storedRecords(dir.path, 'contacts');
    expect(contacts).toHaveLength(300);
    // The search's records carry the custom fields the list leaves out (Contact.json).
    expect(contacts.every((c) => typeof c.cf === 'object')).toBe(true);
    const accounts = sim.portal.accounts.length;
    // The count, then pages of 100 (a full last page reads on: one more, empty).
    const pages = (n: number) => Math.floor(n / 100) + 1;
    expect(sim.stats().calls).toMatchObject({ contactSearch: 1 + pages(300), accountSearch: 1 + pages(accounts) });
    expect(sim.stats().calls.contacts ?? 0).toBe(0);
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
      "GET /agents cannot be read past record 5000: Zoho Desk's `from` stops at 4999, and its API offers no other way to list these " +
      'records, so the rest are not exported. Read them in two parts: `--param status=ACTIVE`, then `--param status=DISABLED`.';
    expect(manifest?.failures).toEqual([{ scope: '', page: 26, status: 'failed', reason }]);
    expect(context.out.text()).toContain('1 page(s) cannot be read as asked (redrive cannot help):');
    expect(context.out.text()).toContain(reason);
    expect(sim.stats().statuses['422']).toBeUndefined();
    await dir.remove();
  });
});

describe('a report that cannot be read in full does not hold the others back', () => {
  it('agents too many to page through: departments are read, agent time entries say they could not be planned, and the agents cursor moves', async () => {
    const fixture = await open({ simulator: { tickets: 10, agents: 5_150 } });
    const { sim } = fixture.running;
    const dir = await tempDir();
    const context = contextFor(fixture, sim.clock);
    expect(await runReports(['agents', 'agent-time-entries', 'departments'], { out: dir.path, ...FAST }, context)).toBe(EXIT_CODES.failed);
    expect((await manifestOf(dir.path, 'departments'))?.status).toBe('complete');
    const entries = await manifestOf(dir.path, 'agent-time-entries');
    expect(entries).toMatchObject({ status: 'failed', pages: { planned: 1, failed: 1, pastDepth: 0 } });
    expect(entries?.failures[0]?.reason).toMatch(/^agent-time-entries could not be planned: GET \/agents cannot be read past record 5000/);
    expect(entries?.cursor).toEqual({ moved: false, note: 'cursor kept: the report is failed' });
    expect(context.out.text()).toContain('Warning: agent-time-entries could not be planned (GET /agents cannot be read past record 5000');
    // The agents past the limit can never be read this way: the cursor does not wait for them.
    const agents = await manifestOf(dir.path, 'agents');
    expect(agents?.pages).toMatchObject({ failed: 1, pastDepth: 1 });
    expect(agents?.cursor?.note).toMatch(/^cursor moved to .*, although 1 page\(s\) past Zoho's depth limit could not be read \(see failures\)$/);
    await dir.remove();
  });

  it('an agent with more time entries than the list pages through: read in time windows, every entry once', async () => {
    const fixture = await open({ simulator: { tickets: 40, busyAgentEntries: 9_000 } });
    const { sim } = fixture.running;
    const dir = await tempDir();
    expect(await runReports(['agent-time-entries'], { out: dir.path, ...FAST }, contextFor(fixture, sim.clock))).toBe(0);
    const records = await storedRecords(dir.path, 'agent-time-entries');
    expect(records).toHaveLength(sim.portal.timeEntries.length);
    expect(new Set(records.map((r) => r.id)).size).toBe(sim.portal.timeEntries.length);
    const busy = sim.portal.agents[0]!.id;
    const windows = (await new FolderObjectStore(dir.path).list('agent-time-entries/')).filter((k) => k.includes(`agent=${busy}/window=`));
    expect(windows.length).toBeGreaterThan(0);
    expect(sim.stats().statuses['422']).toBeUndefined();
    await dir.remove();
  });

  it("a ticket's threads past the depth limit: the rest of its pages are not requested, and the run says so", async () => {
    const fixture = await open({ simulator: { tickets: 2, threadsPerTicket: 5_050 } });
    const { sim } = fixture.running;
    const dir = await tempDir();
    const context = contextFor(fixture, sim.clock);
    expect(await runReports(['threads'], { out: dir.path, ...FAST }, context)).toBe(EXIT_CODES.failed);
    expect(await manifestOf(dir.path, 'threads')).toMatchObject({ records: 10_000, pages: { failed: 2, pastDepth: 2, deadLettered: 0 } });
    expect(context.out.text()).toContain("GET /tickets/{ticketId}/threads cannot be read past record 5000: Zoho Desk's `from` stops at 4999");
    expect(sim.stats().statuses['422']).toBeUndefined();
    await dir.remove();
  });
});

describe('the simulator keeps to the depth limits', () => {
  it('answers a request past the limit with the 422 Zoho gives', async () => {
    const fixture = await open({ simulator: { tickets: 10 } });
    const zoho = await fixture.connect();
    for (const key of ['contactSearch', 'accountSearch', 'callSearch', 'contacts', 'calls', 'agents'] as const) {
      const deep = key.endsWith('Search') ? 1_000 : 5_000;
      await expect(zoho.desk.page(key, { from: deep, limit: key === 'agents' ? 10 : 1 }), key).rejects.toThrow(
        /exceeds the range of '\d-(999|4999)'/,
      );
    }
  });
});
