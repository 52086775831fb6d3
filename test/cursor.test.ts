import { describe, expect, it } from 'vitest';
import { FolderObjectStore } from '../lib/adapters/folder-object-store.js';
import { main } from '../lib/cli/main.js';
import { EXIT_CODES } from '../lib/cli/output.js';
import { runReports } from '../lib/cli/run-command.js';
import { ManualClock } from '../lib/clock.js';
import { newRunId, runRecordKey } from '../lib/pipeline/keys.js';
import type { ReportManifest, ReportState, RunRecord } from '../lib/pipeline/manifest.js';
import { pageMessageBody } from '../lib/pipeline/messages.js';
import { planRun } from '../lib/pipeline/planner.js';
import { ticketThreads } from '../lib/simulator/dataset.js';
import { FAST, contextFor, openPipeline } from './helpers/pipeline.js';
import { storedPages, storedRecords } from './helpers/stored.js';
import { manifestKeyOf, portalStateKey } from './helpers/export.js';
import { fixtures, tempDir } from './helpers/zoho.js';

const open = fixtures();
const HOUR = 3_600_000;

async function distinctIds(out: string, report: string): Promise<string[]> {
  return [...new Set((await storedRecords(out, report)).map((r) => String(r.id)))].sort();
}

const readJson = async <T>(out: string, key: string) => JSON.parse((await new FolderObjectStore(out).get(key)) ?? 'null') as T;
const state = async (out: string, report: string) => {
  const key = await portalStateKey(out, report).catch(() => undefined);
  return key ? readJson<ReportState | null>(out, key) : null;
};
const runIds = (out: string) => new FolderObjectStore(out).folders('_runs/');
/** The run that asked for this report with these parameters (run ids of one second sort by their random end). */
async function runOf(out: string, report: string, params: Record<string, string>): Promise<string> {
  for (const runId of await runIds(out)) {
    const run = await readJson<RunRecord>(out, runRecordKey(runId));
    if (run.requests.some((r) => r.report === report && JSON.stringify(r.params) === JSON.stringify(params))) return runId;
  }
  throw new Error(`no run of ${report} with ${JSON.stringify(params)}`);
}

describe('a cursor moves only for what was read', () => {
  it('targeted runs (a ticket, a since, an on-demand message) leave cursors alone: the next default run exports every change', async () => {
    const fixture = await open({ simulator: { tickets: 60 } });
    const { sim } = fixture.running;
    const dir = await tempDir();
    const context = contextFor(fixture, sim.clock);
    const reports = ['tickets', 'threads', 'pending-approvals'];
    expect(await runReports(reports, { out: dir.path, ...FAST }, context)).toBe(0);
    const first = {
      tickets: await state(dir.path, 'tickets'),
      threads: await state(dir.path, 'threads'),
      approvals: await state(dir.path, 'pending-approvals'),
    };

    // Zoho changes; an hour later someone reads one ticket's threads, recent tickets, and queues an on-demand read.
    sim.advance(HOUR, { newTickets: 3, modifiedTickets: 4, newThreads: 9 });
    sim.advance(HOUR);
    const [one] = sim.portal.tickets;
    expect(await runReports(['threads'], { out: dir.path, param: [`ticketId=${one!.id}`], ...FAST }, context)).toBe(0);
    expect(
      await runReports(['tickets'], { out: dir.path, param: [`since=${new Date(sim.clock.now() - 60_000).toISOString()}`], ...FAST }, context),
    ).toBe(0);
    expect(await main(['enqueue', 'pending-approvals', '--param', `ticketId=${one!.id}`, '--out', dir.path], context)).toBe(0);
    expect(await state(dir.path, 'threads')).toEqual(first.threads);
    expect(await state(dir.path, 'tickets')).toEqual(first.tickets);
    expect(await state(dir.path, 'pending-approvals')).toEqual(first.approvals);
    const targeted = await runOf(dir.path, 'threads', { ticketId: one!.id });
    expect((await readJson<ReportManifest>(dir.path, await manifestKeyOf(dir.path, 'threads', targeted))).cursor).toEqual({
      moved: false,
      note: `cursor kept: this run read only ticketId=${one!.id}, not everything the cursor stands for`,
    });

    sim.advance(HOUR, { newTickets: 2, modifiedTickets: 3, newThreads: 5 });
    expect(await runReports(reports, { out: dir.path, ...FAST }, context)).toBe(0);
    expect(Date.parse((await state(dir.path, 'threads'))!.cursor)).toBeGreaterThan(Date.parse(first.threads!.cursor));

    const scratch = await tempDir();
    expect(await runReports(reports, { out: scratch.path, ...FAST }, context)).toBe(0);
    for (const report of reports) expect(await distinctIds(dir.path, report), report).toEqual(await distinctIds(scratch.path, report));
    expect(await distinctIds(dir.path, 'threads')).toEqual(sim.portal.tickets.flatMap((t) => ticketThreads(sim.portal, t).map((th) => th.id)).sort());
    await dir.remove();
    await scratch.remove();
  });

  it('a page message from a future run is dead-lettered with its reason and moves no cursor', async () => {
    const fixture = await open({ simulator: { tickets: 20 } });
    const { sim } = fixture.running;
    const dir = await tempDir();
    const context = contextFor(fixture, sim.clock);
    expect(await runReports(['tickets'], { out: dir.path, ...FAST }, context)).toBe(0);
    const before = await state(dir.path, 'tickets');
    const future = newRunId(sim.clock.now() + 3 * 24 * HOUR, 'f00d');
    const pipeline = await openPipeline(fixture, dir.path, {}, sim.clock);
    await pipeline.queue.send([
      {
        body: pageMessageBody({
          kind: 'page',
          runId: future,
          report: 'tickets',
          page: 1,
          from: 0,
          limit: 100,
          chain: false,
          params: { since: '2000-01-01T00:00:00.000Z', until: new Date(sim.clock.now()).toISOString(), window: '1' },
        }),
      },
    ]);
    const { drained } = await pipeline.process();
    await pipeline.close();
    expect(drained.rejected).toEqual([expect.stringMatching(/^invalid message: runId .* 3 days ahead of this clock/)]);
    expect(await state(dir.path, 'tickets')).toEqual(before);

    sim.advance(HOUR, { modifiedTickets: 5 });
    expect(await runReports(['tickets'], { out: dir.path, ...FAST }, context)).toBe(0);
    expect(await distinctIds(dir.path, 'tickets')).toHaveLength(20);
    await dir.remove();
  });

  it('a cursor already in the future is found, repaired with a warning, and the report read in full', async () => {
    const fixture = await open({ simulator: { tickets: 25 } });
    const { sim } = fixture.running;
    const dir = await tempDir();
    const context = contextFor(fixture, sim.clock);
    expect(await runReports(['tickets'], { out: dir.path, ...FAST }, context)).toBe(0);
    const store = new FolderObjectStore(dir.path);
    const stuck = { ...(await state(dir.path, 'tickets'))!, cursor: '2099-01-01T00:00:00.000Z' };
    const key = await portalStateKey(dir.path, 'tickets');
    await store.put(key, JSON.stringify(stuck), 'application/json');

    sim.advance(HOUR, { modifiedTickets: 2 });
    const again = contextFor(fixture, sim.clock);
    expect(await runReports(['tickets'], { out: dir.path, ...FAST }, again)).toBe(0);
    expect(again.out.text()).toContain(`Warning: ${key} has a cursor in the future (2099-01-01T00:00:00.000Z`);
    const second = (await runIds(dir.path))[1]!;
    expect((await readJson<ReportManifest>(dir.path, await manifestKeyOf(dir.path, 'tickets', second))).records).toBe(25);
    expect(Date.parse((await state(dir.path, 'tickets'))!.cursor)).toBeLessThanOrEqual(sim.clock.now());
    await dir.remove();
  });

  it('a run with nothing to read is finished at once, and moves its cursor', async () => {
    const fixture = await open({ simulator: { tickets: 15 } });
    const { sim } = fixture.running;
    const dir = await tempDir();
    const context = contextFor(fixture, sim.clock);
    expect(await runReports(['tickets'], { out: dir.path, ...FAST }, context)).toBe(0);
    sim.advance(5 * HOUR);
    expect(await runReports(['tickets'], { out: dir.path, ...FAST }, context)).toBe(0);
    const second = (await runIds(dir.path))[1]!;
    expect((await readJson<RunRecord>(dir.path, runRecordKey(second))).status).toBe('finished');
    expect(Date.parse((await state(dir.path, 'tickets'))!.cursor)).toBeGreaterThan(sim.clock.now() - HOUR);
    await dir.remove();
  });

  it("a machine clock ahead of Zoho's cannot push a cursor past what Zoho served", async () => {
    const fixture = await open({ simulator: { tickets: 30 } });
    const { sim } = fixture.running;
    const dir = await tempDir();
    const ahead = new ManualClock(sim.clock.now() + 6 * HOUR);
    expect(await runReports(['tickets', 'threads'], { out: dir.path, ...FAST }, contextFor(fixture, ahead))).toBe(0);
    expect(Date.parse((await state(dir.path, 'tickets'))!.cursor)).toBeLessThanOrEqual(sim.clock.now());

    const changes = sim.advance(2 * HOUR, { modifiedTickets: 4, newThreads: 4 });
    const [firstRun] = await runIds(dir.path);
    expect(await runReports(['tickets', 'threads'], { out: dir.path, ...FAST }, contextFor(fixture, sim.clock))).toBe(0);
    const secondRun = (await runIds(dir.path)).find((id) => id !== firstRun)!;
    expect((await readJson<ReportManifest>(dir.path, await manifestKeyOf(dir.path, 'tickets', secondRun))).records).toBeLessThan(30);
    const secondTickets = (await storedPages(dir.path, 'tickets')).filter((page) => page.key.includes(secondRun));
    const read = new Set(secondTickets.flatMap((page) => page.records.map((r) => String(r.id))));
    for (const id of [...changes.modified, ...changes.threaded]) expect(read.has(id), id).toBe(true);
    await dir.remove();
  });
});

describe('a cursor moves only for what was read: the edges', () => {
  it('a page pushed with an existing run id, for a report that run never asked for, moves no cursor', async () => {
    const fixture = await open({ simulator: { tickets: 10 } });
    const { sim } = fixture.running;
    const dir = await tempDir();
    expect(await runReports(['departments'], { out: dir.path, ...FAST }, contextFor(fixture, sim.clock))).toBe(0);
    const [runId] = await runIds(dir.path);
    const pipeline = await openPipeline(fixture, dir.path, {}, sim.clock);
    await pipeline.queue.send([
      {
        body: pageMessageBody({
          kind: 'page',
          runId: runId!,
          report: 'tickets',
          page: 1,
          from: 0,
          limit: 100,
          chain: false,
          params: { since: '2000-01-01T00:00:00.000Z', until: new Date(sim.clock.now()).toISOString(), window: '1' },
        }),
      },
    ]);
    await pipeline.process();
    await pipeline.close();
    expect(await state(dir.path, 'tickets')).toBeNull();
    expect((await readJson<ReportManifest>(dir.path, await manifestKeyOf(dir.path, 'tickets', runId!))).cursor).toEqual({
      moved: false,
      note: 'cursor kept: the run did not ask for this report',
    });
    await dir.remove();
  });

  it('a cursor only minutes in the future, more than the overlap read back, is repaired too', async () => {
    const fixture = await open({ simulator: { tickets: 15 } });
    const { sim } = fixture.running;
    const dir = await tempDir();
    expect(await runReports(['tickets'], { out: dir.path, ...FAST }, contextFor(fixture, sim.clock))).toBe(0);
    const store = new FolderObjectStore(dir.path);
    sim.advance(HOUR);
    const ahead = new Date(sim.clock.now() + 12 * 60_000).toISOString();
    const key = await portalStateKey(dir.path, 'tickets');
    await store.put(key, JSON.stringify({ ...(await state(dir.path, 'tickets'))!, cursor: ahead }), 'application/json');
    const context = contextFor(fixture, sim.clock);
    expect(await runReports(['tickets'], { out: dir.path, ...FAST }, context)).toBe(0);
    expect(context.out.text()).toContain(`Warning: ${key} has a cursor in the future (${ahead}`);
    await dir.remove();
  });
});

describe('runs cut short', () => {
  it('a run killed after its last page is finalized by the next run, which then reads on from its cursor', async () => {
    const fixture = await open({ simulator: { tickets: 12 } });
    const { sim } = fixture.running;
    const dir = await tempDir();
    const pipeline = await openPipeline(fixture, dir.path, {}, sim.clock);
    const runId = newRunId(sim.clock.now());
    await planRun({ runId, targets: [{ report: 'tickets', params: {} }], trigger: 'cli' }, pipeline.deps);
    // Every page handled, then the process "dies" before it writes manifests and cursors.
    await pipeline.queue.receive(10).then(async (messages) => {
      const { consume } = await import('../lib/pipeline/consume.js');
      for (const m of messages) {
        await consume(m, pipeline.deps, FAST.retry);
        await pipeline.queue.delete(m.handle);
      }
    });
    await pipeline.close();
    expect(await state(dir.path, 'tickets')).toBeNull();

    sim.advance(HOUR);
    expect(await runReports(['tickets'], { out: dir.path, ...FAST }, contextFor(fixture, sim.clock))).toBe(0);
    expect((await readJson<RunRecord>(dir.path, runRecordKey(runId))).status).toBe('finished');
    expect(await readJson<ReportManifest>(dir.path, await manifestKeyOf(dir.path, 'tickets', runId))).toMatchObject({
      status: 'complete',
      records: 12,
    });
    await dir.remove();
  });

  it('a run killed while planning says it is incomplete, exits non-zero with what to do, and moves no cursor', async () => {
    const fixture = await open({ simulator: { tickets: 20 } });
    const { sim } = fixture.running;
    const dir = await tempDir();
    const context = contextFor(fixture, sim.clock);
    const pipeline = await openPipeline(fixture, dir.path, {}, sim.clock);
    const runId = newRunId(sim.clock.now());
    // Planning gets as far as queueing the departments' page, then the process dies before the rest.
    const sent = pipeline.deps.queue.send.bind(pipeline.deps.queue);
    let sends = 0;
    pipeline.deps.queue.send = async (messages) => {
      if (sends++ > 0) throw new Error('killed');
      return sent(messages);
    };
    await expect(
      planRun(
        {
          runId,
          targets: [
            { report: 'departments', params: {} },
            { report: 'threads', params: {} },
          ],
          trigger: 'cli',
        },
        pipeline.deps,
      ),
    ).rejects.toThrow('killed');
    // A kill leaves the record as it was while planning.
    const record = await readJson<RunRecord>(dir.path, runRecordKey(runId));
    await new FolderObjectStore(dir.path).put(
      runRecordKey(runId),
      JSON.stringify({ ...record, status: 'planning', reason: undefined }),
      'application/json',
    );
    await pipeline.close();

    expect(await runReports(['departments', 'threads'], { out: dir.path, ...FAST }, context)).toBe(EXIT_CODES.interrupted);
    expect(context.out.text()).toContain(`Run ${runId} was interrupted while it was being planned`);
    expect(context.out.text()).toContain('Run `zoho-desk-reports run` again to read everything');
    expect(await state(dir.path, 'departments')).toBeNull();
    expect(await state(dir.path, 'threads')).toBeNull();
    expect((await readJson<RunRecord>(dir.path, runRecordKey(runId))).status).toBe('failed');

    expect(await runReports(['departments', 'threads'], { out: dir.path, ...FAST }, contextFor(fixture, sim.clock))).toBe(0);
    expect(await state(dir.path, 'threads')).not.toBeNull();
    await dir.remove();
  });
});
