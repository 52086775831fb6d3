import { describe, expect, it } from 'vitest';
import { FolderObjectStore } from '../lib/adapters/folder-object-store.js';
import { main } from '../lib/cli/main.js';
import { EXIT_CODES } from '../lib/cli/output.js';
import { redrive } from '../lib/cli/redrive-command.js';
import { runReports } from '../lib/cli/run-command.js';
import { runManifests, type ReportState } from '../lib/pipeline/manifest.js';
import { readReceipts } from '../lib/pipeline/receipts.js';
import { HISTORY_START, ticketWindows, windowCapacity } from '../lib/pipeline/windows.js';
import { ticketThreads } from '../lib/simulator/dataset.js';
import { portalStateKey } from './helpers/export.js';
import { FAST, contextFor, openPipeline } from './helpers/pipeline.js';
import { storedPages, type Row } from './helpers/stored.js';
import { fixtures, tempDir } from './helpers/zoho.js';

const open = fixtures();
const REJECTIONS_LIMIT = 80;
/** Every record of a report, per run: { runId → records }. */
async function recordsByRun(out: string, report: string): Promise<Map<string, Row[]>> {
  const runs = new Map<string, Row[]>();
  for (const { key, records } of await storedPages(out, report)) {
    const runId = /run=([^/]+)\//.exec(key)?.[1] as string;
    runs.set(runId, [...(runs.get(runId) ?? []), ...records]);
  }
  return runs;
}

const state = async (out: string, report: string) =>
  JSON.parse((await new FolderObjectStore(out).get(await portalStateKey(out, report)).catch(() => undefined)) ?? 'null') as ReportState | null;

describe('incremental sync', () => {
  it('a first run and a later run together hold every record, each run without duplicates, the later one only the changes', async () => {
    const fixture = await open({ simulator: { tickets: 150 } });
    const { sim } = fixture.running;
    const dir = await tempDir();
    const context = contextFor(fixture, sim.clock);
    expect(await runReports([], { out: dir.path, ...FAST }, context)).toBe(0);
    const firstCursor = Date.parse((await state(dir.path, 'agent-time-entries'))?.cursor ?? '');
    const changes = sim.advance(4 * 3_600_000, { newTickets: 5, modifiedTickets: 6, newThreads: 7 });
    expect(await runReports([], { out: dir.path, ...FAST }, context)).toBe(0);

    const tickets = await recordsByRun(dir.path, 'tickets');
    expect(tickets.size).toBe(2);
    const latest = new Map<string, Row>();
    for (const rows of tickets.values()) {
      expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
      for (const row of rows) {
        const seen = latest.get(String(row.id));
        if (!seen || String(seen.modifiedTime) <= String(row.modifiedTime)) latest.set(String(row.id), row);
      }
    }
    expect([...latest.keys()].sort()).toEqual(sim.portal.tickets.map((t) => t.id).sort());
    for (const ticket of sim.portal.tickets) expect(latest.get(ticket.id)?.modifiedTime).toBe(new Date(ticket.modifiedTime).toISOString());
    const [, second] = [...tickets.values()];
    const changed = new Set([...changes.created, ...changes.modified, ...changes.threaded]);
    expect(second!.length).toBeLessThan(30);
    expect(second!.map((r) => String(r.id))).toEqual(expect.arrayContaining([...changed]));

    const threads = await recordsByRun(dir.path, 'threads');
    for (const rows of threads.values()) expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
    const allThreads = new Set([...threads.values()].flat().map((r) => String(r.id)));
    expect([...allThreads].sort()).toEqual(sim.portal.tickets.flatMap((t) => ticketThreads(sim.portal, t).map((th) => th.id)).sort());
    // Agent time entries: the later run reads only entries modified since the cursor (less the overlap), and
    // stores those changed since the first run read them (the overlap's are stored already).
    const cursor = Date.parse((await state(dir.path, 'agent-time-entries'))?.cursor ?? '');
    const agentRuns = [...(await recordsByRun(dir.path, 'agent-time-entries')).values()];
    const since = (time: number) =>
      sim.portal.timeEntries
        .filter((e) => e.modifiedTime >= time)
        .map((e) => e.id)
        .sort();
    const read = (await readReceipts(new FolderObjectStore(dir.path), [...(await recordsByRun(dir.path, 'tickets')).keys()][1] as string))
      .filter((r) => r.report === 'agent-time-entries')
      .flatMap((r) => r.ids ?? []);
    expect(read.sort()).toEqual(since(firstCursor - 10 * 60_000));
    const firstRead = new Map(agentRuns[0]!.map((r) => [String(r.id), String(r.modifiedTime)]));
    const changedSinceRead = sim.portal.timeEntries.filter(
      (e) => read.includes(e.id) && firstRead.get(e.id) !== new Date(e.modifiedTime).toISOString(),
    );
    expect(changedSinceRead.length).toBeGreaterThan(0);
    expect(agentRuns[1]!.map((r) => String(r.id)).sort()).toEqual(changedSinceRead.map((e) => e.id).sort());
    expect(cursor).toBeGreaterThan(firstCursor);
    for (const report of ['agent-time-entries', 'ticket-time-entries']) {
      const ids = new Set([...(await recordsByRun(dir.path, report)).values()].flat().map((r) => String(r.id)));
      expect([...ids].sort(), report).toEqual(sim.portal.timeEntries.map((e) => e.id).sort());
    }
    await dir.remove();
  });

  it('reads a history deeper than the search cap in windows, so a first run over a large portal completes', async () => {
    const fixture = await open({ simulator: { tickets: 2_100 } });
    const dir = await tempDir();
    expect(await runReports(['tickets', 'pending-approvals'], { out: dir.path, ...FAST }, contextFor(fixture))).toBe(0);
    const rows = [...(await recordsByRun(dir.path, 'tickets')).values()].flat();
    expect(rows).toHaveLength(2_100);
    expect(new Set(rows.map((r) => r.id)).size).toBe(2_100);
    const windows = new Set((await new FolderObjectStore(dir.path).list('tickets/')).map((k) => /window=(\d+)/.exec(k)?.[1]).filter(Boolean));
    expect(windows.size).toBeGreaterThanOrEqual(Math.ceil(2_100 / windowCapacity()));
    const runId = (await new FolderObjectStore(dir.path).folders('_runs/'))[0]!;
    // Discovery reads every ticket through the same windows: each ticket with approvals gets its page.
    const withApprovals = fixture.running.sim.portal.tickets.filter((t) => t.approvalCount > 0).length;
    const approvals = (await runManifests(new FolderObjectStore(dir.path), runId)).find((m) => m.report === 'pending-approvals');
    expect(approvals).toMatchObject({ status: 'complete', pages: { planned: withApprovals, written: withApprovals } });
    expect(fixture.running.sim.stats().statuses['422']).toBeUndefined();
    await dir.remove();
  });

  it("splits a first run's history from the oldest change, not from the year 2000, with no count before the first page", async () => {
    const fixture = await open({ simulator: { tickets: 2_100 } });
    const { sim } = fixture.running;
    const pipeline = await openPipeline(fixture, (await tempDir()).path);
    const { desk } = await pipeline.deps.zoho(undefined);
    sim.resetStats();
    const until = new Date(sim.clock.now()).toISOString();
    const windows = await ticketWindows(desk, HISTORY_START, until);
    await pipeline.close();
    const oldest = Math.min(...sim.portal.tickets.map((t) => t.modifiedTime));
    expect(windows[0]!.since).toBe(new Date(oldest).toISOString());
    // Side by side, one after another to the end, a window per search depth at least (keyset paging never
    // reaches the depth; the windows are the parallelism), at least four for 21 pages of tickets.
    expect(windows.length).toBe(Math.max(Math.ceil(2_100 / windowCapacity()), 4));
    expect(windows.at(-1)!.until).toBe(until);
    for (const [i, w] of windows.slice(1).entries()) expect(Date.parse(w.since)).toBe(Date.parse(windows[i]!.until) + 1);
    // One search for where the changes begin and how many, and no count: the halving took a round of counts first.
    const calls = sim.stats().calls;
    expect(calls.ticketSearch).toBe(1);
    expect(calls.ticketsCount ?? 0).toBe(0);
  });

  it('never moves a cursor past an unfinished report', async () => {
    const fixture = await open({ simulator: { tickets: 40 } });
    const { sim } = fixture.running;
    const dir = await tempDir();
    const context = contextFor(fixture, sim.clock);
    expect(await runReports(['tickets', 'threads'], { out: dir.path, ...FAST }, context)).toBe(0);
    const first = await state(dir.path, 'threads');
    expect(first?.cursor).toBeDefined();

    const changes = sim.advance(3_600_000, { modifiedTickets: 3 });
    sim.setFaults({ failingPaths: [`/tickets/${changes.modified[0]}/threads`] });
    expect(await runReports(['tickets', 'threads'], { out: dir.path, ...FAST }, context)).toBe(EXIT_CODES['dead-lettered']);
    expect((await state(dir.path, 'threads'))?.cursor).toBe(first?.cursor);
    expect((await state(dir.path, 'tickets'))?.cursor).not.toBe(first?.cursor);

    sim.setFaults({ failingPaths: [] });
    expect(await redrive({ out: dir.path, ...FAST }, context)).toBe(0);
    const after = await state(dir.path, 'threads');
    expect(after?.cursor).toBe((await state(dir.path, 'tickets'))?.cursor);
    expect(after!.cursor > first!.cursor).toBe(true);
    await dir.remove();
  });
});

describe("the portal's limits", () => {
  it('keeps to a configured concurrency', async () => {
    const fixture = await open({ simulator: { tickets: 30, faults: { latencyMs: 10 } } });
    const dir = await tempDir();
    const context = contextFor(fixture);
    expect(await main(['run', 'threads', '--concurrency', '3', '--out', dir.path], context)).toBe(0);
    expect(fixture.running.sim.stats()).toMatchObject({ maxConcurrency: 3, concurrencyRejections: 0 });
    await dir.remove();
  });

  it('slows down when Zoho answers TOO_MANY_REQUESTS (other integrations share the portal) and still finishes', async () => {
    const fixture = await open({ simulator: { tickets: 120, concurrencyLimit: 3, faults: { latencyMs: 5 } } });
    const dir = await tempDir();
    const context = contextFor(fixture);
    expect(await runReports(['threads'], { out: dir.path, concurrency: 24, ...FAST }, context)).toBe(0);
    const { concurrencyRejections } = fixture.running.sim.stats();
    const runId = (await new FolderObjectStore(dir.path).folders('_runs/'))[0]!;
    expect((await runManifests(new FolderObjectStore(dir.path), runId))[0]).toMatchObject({ status: 'complete', pages: { written: 120 } });
    // Zoho turned some calls away, then the pace settled under its limit: a few rejections, not most calls.
    expect(concurrencyRejections).toBeGreaterThan(0);
    expect(concurrencyRejections).toBeLessThan(REJECTIONS_LIMIT);
    await dir.remove();
  });

  it('stops at the credit reserve with the rest still queued, and says so', async () => {
    const fixture = await open({ simulator: { tickets: 60, dailyCredits: 400 } });
    const dir = await tempDir();
    const context = contextFor(fixture);
    expect(await main(['run', 'threads', '--reserve', '300', '--out', dir.path], context)).toBe(EXIT_CODES['stop-for-day']);
    expect(context.out.errors[0]).toMatch(/credits left today and the reserve is 300/);
    expect(context.out.text()).toMatch(/Stopped with \d+ message\(s\) still queued \(not dead-lettered\)/);
    expect(fixture.running.sim.stats().creditsRemaining).toBeGreaterThanOrEqual(300 - 3 * 25);
    const status = contextFor(fixture);
    await main(['status', '--out', dir.path], status);
    expect(status.out.text()).toMatch(/message\(s\) waiting, 0 dead-lettered/);
    await dir.remove();
  });

  it('says what a run larger than the day holds will cost, and in how many days, before it stops at the reserve', async () => {
    const fixture = await open({ simulator: { tickets: 1_500, edition: 'FREE' } });
    const dir = await tempDir();
    const context = contextFor(fixture);
    expect(await main(['run', 'threads', '--out', dir.path], context)).toBe(EXIT_CODES['stop-for-day']);
    // 1,500 tickets' threads, a page each at 3 credits, against a Free pool of 5,000 with a fifth reserved.
    const line =
      /Run \S+: (\d+) pages planned for 1 report\(s\): about (\d+) credits or more; (\d+) are left today above the reserve, then 4000 a day: about 2 days\./.exec(
        context.out.text(),
      );
    expect(line, context.out.text()).not.toBeNull();
    expect(Number(line?.[2])).toBe(3 * Number(line?.[1]));
    expect(Number(line?.[1])).toBeGreaterThanOrEqual(1_500);
    await dir.remove();
  });

  it('reads tickets first: a first run that stops at the reserve has every ticket, though not every thread', async () => {
    const fixture = await open({ simulator: { tickets: 1_500, edition: 'FREE' } });
    const dir = await tempDir();
    const context = contextFor(fixture);
    expect(await main(['run', 'threads', 'tickets', '--out', dir.path], context)).toBe(EXIT_CODES['stop-for-day']);
    const tickets = [...(await recordsByRun(dir.path, 'tickets')).values()].flat();
    expect(new Set(tickets.map((t) => t.id)).size).toBe(1_500);
    const threads = [...(await recordsByRun(dir.path, 'threads')).values()].flat();
    expect(threads.length).toBeGreaterThan(0);
    expect(new Set(threads.map((t) => t.ticketId)).size).toBeLessThan(1_500);
    await dir.remove();
  });

  it('stops when Zoho says the daily credits are spent, saying when they reset', async () => {
    const fixture = await open({ simulator: { tickets: 60, dailyCredits: 60 } });
    const dir = await tempDir();
    const context = contextFor(fixture);
    expect(await main(['run', 'threads', '--reserve', '0', '--out', dir.path], context)).toBe(EXIT_CODES['stop-for-day']);
    expect(context.out.errors[0]).toMatch(
      /THRESHOLD_EXCEEDED\)\. They reset at midnight in your data centre's time zone: in (\d+ h )?\d+ min, at \d{4}-\d\d-\d\d 00:00 UTC/,
    );
    await dir.remove();
  });
});
