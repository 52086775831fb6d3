import { ticketHistory } from '../lib/simulator/history.js';
import { contentHash } from '../lib/reports/catalog.js';
import { callComments } from '../lib/simulator/call-comments.js';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FolderQueue } from '../lib/adapters/folder-queue.js';
import { systemClock } from '../lib/clock.js';
import { ConfigError } from '../lib/errors.js';
import { redrive } from '../lib/cli/redrive-command.js';
import { runReports } from '../lib/cli/run-command.js';
import { runManifests } from '../lib/pipeline/manifest.js';
import { ticketThreads, type Portal } from '../lib/simulator/dataset.js';
import { ticketComments } from '../lib/simulator/comments.js';
import { ticketAttachments } from '../lib/simulator/attachments.js';
import { LAYOUT_MODULES, layoutsJson, profilesJson, rolesJson, teamsJson } from '../lib/simulator/organization.js';
import { fieldsJson } from '../lib/simulator/custom-fields.js';
import { FIELD_MODULES } from '../lib/reports/catalog.js';
import { FolderObjectStore } from '../lib/adapters/folder-object-store.js';
import { openLocalPipeline } from '../lib/cli/local-pipeline.js';
import { planRun } from '../lib/pipeline/planner.js';
import { portalStateKey } from './helpers/export.js';
import { FAST, contextFor, runOnce } from './helpers/pipeline.js';
import { fixtures, tempDir } from './helpers/zoho.js';
import { ofRun, reportFiles, storedRecords } from './helpers/stored.js';
import { rejection } from './helpers/errors.js';

const open = fixtures();
const RUN = '2026-11-20T10-00-00Z-ab12';

/** What the simulator holds for each full report: the identity of every record. */
function expectedRecords(portal: Portal): Record<string, string[]> {
  const ids = (records: Array<{ id: string }>) => records.map((r) => r.id);
  return {
    accounts: ids(portal.accounts),
    agents: ids(portal.agents),
    'agent-time-entries': ids(portal.timeEntries),
    calls: ids(portal.calls),
    'call-comments': portal.calls.flatMap((c) => ids(callComments(portal, c))),
    contacts: ids(portal.contacts),
    'customer-happiness': ids(portal.ratings),
    departments: ids(portal.departments),
    'email-failures': portal.emailFailures.map((f) => `${f.ticketId}/${f.threadId}`),
    'organization-fields': FIELD_MODULES.flatMap((module) => ids(fieldsJson(portal, module))),
    'pending-approvals': ids(portal.approvals.filter((a) => a.status === 'Pending')),
    // nothing deleted yet: the bin is read, and empty
    'recycle-bin': [],
    queue: ids(portal.tickets.filter((t) => t.status === 'Open')),
    threads: portal.tickets.flatMap((t) => ids(ticketThreads(portal, t))),
    'thread-contents': portal.tickets.flatMap((t) => ids(ticketThreads(portal, t))),
    'ticket-comments': portal.tickets.flatMap((t) => ids(ticketComments(portal, t))),
    // no id of their own: each is its content
    'ticket-history': portal.tickets.flatMap((t) => ticketHistory(portal, t).map((event) => contentHash(event))),
    'ticket-attachments': portal.tickets.flatMap((t) => ids(ticketAttachments(portal, t))),
    tasks: ids(portal.activities.filter((a) => a.kind === 'task')),
    events: ids(portal.activities.filter((a) => a.kind === 'event')),
    teams: ids(teamsJson(portal)),
    roles: ids(rolesJson(portal)),
    profiles: ids(profilesJson(portal)),
    layouts: Object.keys(LAYOUT_MODULES).flatMap((m) => ids(layoutsJson(portal, m))),
    contracts: ids(portal.catalogue.contracts),
    products: ids(portal.catalogue.products),
    articles: ids(portal.catalogue.articles),
    'ticket-tags': ids(portal.tags),
    'ticket-time-entries': ids(portal.timeEntries),
    tickets: ids(portal.tickets),
  };
}

const identity = (report: string, record: Record<string, unknown>) =>
  report === 'email-failures'
    ? `${String(record.ticketId)}/${String(record.threadId)}`
    : report === 'ticket-history'
      ? contentHash(record)
      : String(record.id);

describe('the reports pipeline on one machine', () => {
  it('stores every record the simulator holds for every report exactly once', async () => {
    const fixture = await open({ simulator: { tickets: 260 } });
    const dir = await tempDir();
    const { drained, manifests } = await runOnce(fixture, dir.path, RUN);
    expect(drained.deadLettered).toBe(0);
    const expected = expectedRecords(fixture.running.sim.portal);
    expect(manifests.map((m) => m.report).sort()).toEqual(Object.keys(expected).sort());
    for (const [report, ids] of Object.entries(expected)) {
      const stored = (await storedRecords(dir.path, report)).map((r) => identity(report, r));
      expect(stored.length, report).toBe(ids.length);
      expect([...stored].sort(), report).toEqual([...ids].sort());
      const manifest = manifests.find((m) => m.report === report);
      expect(manifest, report).toMatchObject({ status: 'complete', records: ids.length, pages: { deadLettered: 0, pending: 0 } });
    }
    // Chained reports read on past a full page; counted ones are planned up front.
    expect(manifests.find((m) => m.report === 'contacts')?.pages.planned).toBe(2);
    expect(manifests.find((m) => m.report === 'tickets')?.pages.planned).toBe(3);
    await dir.remove();
  });

  it("reads pages while discovery is still finding them, and counts discovery's credits apart from the pages'", async () => {
    // 600 tickets: six pages of the ticket search, one after another (keyset), before the last threads are known.
    const fixture = await open({ simulator: { tickets: 600 } });
    fixture.running.sim.setFaults({ latencyMs: 5 });
    const dir = await tempDir();
    const events: string[] = [];
    const pipeline = await openLocalPipeline({ out: dir.path, ...FAST }, contextFor(fixture), (event) => {
      if (event.type === 'page') events.push('page');
    });
    await pipeline.connectPortal();
    const spentBefore = fixture.running.sim.stats().creditsSpent;
    const planning = planRun({ runId: RUN, targets: [{ report: 'threads', params: {} }], trigger: 'cli' }, pipeline.deps).then((plan) => {
      events.push('planned');
      return plan;
    });
    const { manifests } = await pipeline.process({ planning, runIds: [RUN] });
    const plan = await planning;
    await pipeline.close();
    expect(events.indexOf('page')).toBeGreaterThanOrEqual(0);
    expect(events.indexOf('page')).toBeLessThan(events.indexOf('planned'));
    expect(manifests).toMatchObject([{ report: 'threads', status: 'complete', pages: { written: 600 } }]);
    // Every credit is either discovery's or a page's: none counted twice, none missed.
    const pageCredits = manifests.reduce((sum, m) => sum + m.credits, 0);
    expect(plan.discoveryCredits).toBeGreaterThan(0);
    expect(plan.discoveryCredits + pageCredits).toBe(fixture.running.sim.stats().creditsSpent - spentBefore);
    await dir.remove();
  });

  it('gives byte-identical output when a run is stopped half way and run again', async () => {
    const fixture = await open({ simulator: { tickets: 120 } });
    const clean = await tempDir();
    const broken = await tempDir();
    await runOnce(fixture, clean.path, RUN);

    const halfway = await runOnce(fixture, broken.path, RUN, undefined, { stopAfter: 120 });
    expect(halfway.drained.interrupted).toBe(true);
    expect((await runManifests(new FolderObjectStore(broken.path), RUN)).some((m) => m.status === 'incomplete')).toBe(true);
    const context = contextFor(fixture);
    const code = await runReports([], { out: broken.path, ...FAST }, context);
    // It finishes the stopped run, then plans and reads a new one from the cursors that run moved.
    expect(context.out.text()).toContain('queued message(s) first');
    const newRun = /Run (\S+): \d+ pages planned/.exec(context.out.text())?.[1];
    expect(newRun).toBeDefined();
    expect((await runManifests(new FolderObjectStore(broken.path), newRun!)).every((m) => m.status === 'complete')).toBe(true);
    expect(code).toBe(0);

    const expected = await reportFiles(clean.path);
    const actual = ofRun(await reportFiles(broken.path), RUN);
    expect([...actual.keys()]).toEqual([...expected.keys()]);
    for (const [key, bytes] of expected) expect(actual.get(key), key).toBe(bytes);
    await clean.remove();
    await broken.remove();
  });

  it('sends pages that keep failing to the dead-letter queue, and redrive gives the clean output', async () => {
    const fixture = await open({ simulator: { tickets: 80 } });
    const clean = await tempDir();
    const faulty = await tempDir();
    const targets = [
      { report: 'threads', params: {} },
      { report: 'contacts', params: {} },
    ];
    await runOnce(fixture, clean.path, RUN, targets);

    // Planned while Zoho is healthy; then an outage outlasting five receives of every page.
    const pipeline = await openLocalPipeline({ out: faulty.path, ...FAST }, contextFor(fixture));
    const plan = await planRun({ runId: RUN, targets, trigger: 'cli' }, pipeline.deps);
    // One object of planned receipts per batch of pages queued together, not one per page.
    const planned = Object.values(plan.planned).reduce((a, b) => a + b, 0);
    const batches = await pipeline.store.list(`_runs/${RUN}/planned/`);
    expect(batches.length).toBeLessThan(planned);
    expect(await pipeline.store.list(`_runs/${RUN}/pages/`)).toEqual([]);
    expect((await runManifests(pipeline.store, RUN)).reduce((sum, m) => sum + m.pages.pending, 0)).toBe(planned);
    fixture.running.sim.setFaults({ outage: true });
    const { drained, manifests } = await pipeline.process();
    await pipeline.close();
    expect(drained.deadLettered).toBe(planned);
    expect(manifests.find((m) => m.report === 'threads')).toMatchObject({ status: 'failed', pages: { written: 0, pending: 0 } });
    // Pages waiting for a redrive keep their receipts apart: the run's receipts are not folded yet.
    const faultyStore = new FolderObjectStore(faulty.path);
    expect((await faultyStore.list(`_runs/${RUN}/pages/`)).length).toBe(planned);
    expect(await faultyStore.list(`_runs/${RUN}/receipts/`)).toEqual([]);
    expect(manifests.find((m) => m.report === 'threads')?.failures[0]?.reason).toContain('failed 5 times');
    expect(fixture.running.sim.stats().faults.outage).toBeGreaterThanOrEqual(planned * 5);

    // Zoho is back, if still flaky: redrive fetches every page again — but not without a secret, which would
    // only send the pages back to the dead-letter queue.
    fixture.running.sim.setFaults({ outage: false, serverErrorRate: 0.2 });
    const noSecret = { ...contextFor(fixture), env: { ...contextFor(fixture).env, ZOHO_SECRET_ID: join(faulty.path, 'missing.json') } };
    expect(await rejection(redrive({ out: faulty.path, ...FAST }, noSecret))).toBeInstanceOf(ConfigError);
    const stillDead = await FolderQueue.open(join(faulty.path, '.queue'), { clock: systemClock, maxReceiveCount: 5 });
    expect(await stillDead.depths()).toMatchObject({ dead: planned, visible: 0 });
    await stillDead.close();
    const context = contextFor(fixture);
    expect(await redrive({ out: faulty.path, ...FAST }, context)).toBe(0);
    expect(context.out.text()).toContain(`Redriving ${planned} dead-lettered message(s)`);
    const expected = await reportFiles(clean.path);
    const actual = await reportFiles(faulty.path);
    expect([...actual.keys()]).toEqual([...expected.keys()]);
    for (const [key, bytes] of expected) expect(actual.get(key), key).toBe(bytes);
    expect((await runManifests(new FolderObjectStore(faulty.path), RUN)).every((m) => m.status === 'complete')).toBe(true);
    // Finished: one object of receipts, no page receipt and no folder of them left.
    expect(await faultyStore.list(`_runs/${RUN}/pages/`)).toEqual([]);
    expect(await faultyStore.folders(`_runs/${RUN}/`)).toEqual(['receipts']);
    const folded = await faultyStore.list(`_runs/${RUN}/receipts/`);
    expect(folded).toEqual([
      '_runs/2026-11-20T10-00-00Z-ab12/receipts/contacts.jsonl.gz',
      '_runs/2026-11-20T10-00-00Z-ab12/receipts/threads.jsonl.gz',
    ]);
    const unzipped = async (key: string) => gunzipSync((await faultyStore.getBytes(key)) ?? new Uint8Array()).toString('utf8');
    const lines = await Promise.all(folded.map(async (key) => (await unzipped(key)).trim().split('\n').length));
    expect(lines.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(planned);
    await clean.remove();
    await faulty.remove();
  });
});

describe('limits', () => {
  it("never runs more calls at once than the portal's edition allows", async () => {
    const fixture = await open({ simulator: { tickets: 40, edition: 'FREE', faults: { latencyMs: 15 } } });
    const dir = await tempDir();
    expect(await runReports(['threads', 'agents'], { out: dir.path, ...FAST }, contextFor(fixture))).toBe(0);
    expect(fixture.running.sim.stats()).toMatchObject({ maxConcurrency: 5, concurrencyRejections: 0 });
    await dir.remove();
  });
});

describe('what the planner discovers, and what overrides it', () => {
  it('fans threads out to one ticket when the user names it', async () => {
    const fixture = await open({ simulator: { tickets: 30 } });
    const dir = await tempDir();
    const ticket = fixture.running.sim.portal.tickets[4]!;
    await runOnce(fixture, dir.path, RUN, [{ report: 'threads', params: { ticketId: ticket.id } }]);
    const keys = (await new FolderObjectStore(dir.path).list('threads/')).filter((k) => k.endsWith('.jsonl'));
    expect(keys).toEqual([`threads/dt=2026-11-20/org=${fixture.running.sim.orgId}/run=${RUN}/ticket=${ticket.id}/page-00001.jsonl`]);
    expect((await storedRecords(dir.path, 'threads')).map((r) => r.id)).toEqual(ticketThreads(fixture.running.sim.portal, ticket).map((t) => t.id));
    await dir.remove();
  });

  it('reads threads again only for tickets changed since the last complete run', async () => {
    const fixture = await open({ simulator: { tickets: 60 } });
    const { clock } = fixture.running.sim;
    const dir = await tempDir();
    const context = { ...contextFor(fixture, clock) };
    expect(await runReports(['threads'], { out: dir.path, ...FAST }, context)).toBe(0);
    const first = (await new FolderObjectStore(dir.path).list('threads/')).filter((k) => k.endsWith('.jsonl')).length;
    expect(first).toBe(60);

    const cursor = JSON.parse((await new FolderObjectStore(dir.path).get(await portalStateKey(dir.path, 'threads'))) ?? '{}') as { cursor: string };
    const changes = fixture.running.sim.advance(3_600_000, { newThreads: 2, modifiedTickets: 2, newTickets: 1 });
    // Changed since the cursor, less the 10-minute overlap that covers clock differences.
    const windowStart = Date.parse(cursor.cursor) - 10 * 60_000;
    const expected = fixture.running.sim.portal.tickets.filter((t) => t.modifiedTime >= windowStart).map((t) => t.id);
    expect(expected).toEqual(expect.arrayContaining([...changes.created, ...changes.modified, ...changes.threaded]));
    expect(await runReports(['threads'], { out: dir.path, ...FAST }, context)).toBe(0);
    const store = new FolderObjectStore(dir.path);
    const runs = await store.folders('_runs/');
    const second = (await runManifests(store, runs[1]!)).find((m) => m.report === 'threads');
    expect(second?.pages.planned).toBe(expected.length);
    expect(expected.length).toBeLessThan(10);
    expect(second?.status).toBe('complete');
    await dir.remove();
  });

  it('records Professional reports as unavailable on a Standard portal, without dead letters', async () => {
    const fixture = await open({ simulator: { tickets: 40, edition: 'STANDARD' } });
    const dir = await tempDir();
    const context = contextFor(fixture);
    const code = await runReports(['agent-time-entries', 'queue', 'tickets'], { out: dir.path, ...FAST }, context);
    expect(code).toBe(0);
    const manifests = await runManifests(new FolderObjectStore(dir.path), (await new FolderObjectStore(dir.path).folders('_runs/'))[0]!);
    expect(manifests.find((m) => m.report === 'queue')).toMatchObject({ status: 'unavailable', pages: { unavailable: 1, deadLettered: 0 } });
    expect(manifests.find((m) => m.report === 'agent-time-entries')?.status).toBe('unavailable');
    expect(manifests.find((m) => m.report === 'tickets')?.status).toBe('complete');
    expect(context.out.text()).toContain('queue: unavailable on this portal');
    await dir.remove();
  });
});
