import { describe, expect, it } from 'vitest';
import { FolderObjectStore } from '../lib/adapters/folder-object-store.js';
import { ManualClock } from '../lib/clock.js';
import { InvalidMessageError, RetryLaterError } from '../lib/errors.js';
import { printRuns } from '../lib/cli/status-command.js';
import type { LocalPipeline } from '../lib/cli/local-pipeline.js';
import { consume } from '../lib/pipeline/consume.js';
import { planCheckpointKey, runRecordKey } from '../lib/pipeline/keys.js';
import { readRunRecord, writeJson, type RunRecord } from '../lib/pipeline/manifest.js';
import { parseMessage, planMessageBody, type PageMessage, type Target } from '../lib/pipeline/messages.js';
import { handleMessage } from '../lib/pipeline/page-worker.js';
import { planRun } from '../lib/pipeline/planner.js';
import { plannedReceipt, readReceipts, type Receipt } from '../lib/pipeline/receipts.js';
import { finalizeRecentRuns } from '../lib/pipeline/recent-runs.js';
import type { Clock } from '../lib/ports.js';
import { capture } from './helpers/capture.js';
import { rejection } from './helpers/errors.js';
import { ALL_REPORTS, openPipeline } from './helpers/pipeline.js';
import { afterChecks, byKind, pageIdentity, recordingQueue } from './helpers/planning.js';
import { reportFiles } from './helpers/stored.js';
import { fixtures, tempDir, type Fixture } from './helpers/zoho.js';

const open = fixtures();
const RUN = '2026-11-20T10-00-00Z-ab12';
const NO_WAIT = { baseMs: 0, capMs: 0 };

/** A local pipeline whose sends are recorded, and whose planning stops after `checks` units a part when given. */
async function recordedPipeline(fixture: Fixture, out: string, checks?: number, clock?: Clock) {
  const pipeline = await openPipeline(fixture, out, {}, clock);
  const queue = recordingQueue(pipeline.deps.queue);
  pipeline.deps.queue = queue;
  if (checks !== undefined) pipeline.deps.planningDeadline = afterChecks(checks);
  return { pipeline, sent: queue.sent };
}

const parsePage = (body: string) => parseMessage(body, { secretPrefix: 'zoho_auth' }) as PageMessage;
const receiptIdentity = (r: Receipt) => `${r.report} ${r.scope} ${r.page}`;

const runRecord = async (pipeline: LocalPipeline, runId = RUN) => readRunRecord(pipeline.store, runId);

describe('planning in parts', () => {
  it('queues the same pages as one planning, each once, and leaves the same export; a repeated plan message does nothing', async () => {
    // 1,000 tickets: two search windows of changed tickets, ten pages of them, every report.
    const fixture = await open({ simulator: { tickets: 1000 } });
    const whole = await tempDir();
    const parted = await tempDir();
    // Both planned at the same moment: the same end of every window.
    const now = Date.now();

    const one = await recordedPipeline(fixture, whole.path, undefined, new ManualClock(now));
    expect(await planRun({ runId: RUN, targets: ALL_REPORTS, trigger: 'cli' }, one.pipeline.deps)).toMatchObject({ continues: false });
    const planningAtOnce = [...one.sent];
    await one.pipeline.process();
    await one.pipeline.close();

    const many = await recordedPipeline(fixture, parted.path, 2, new ManualClock(now));
    const first = await planRun({ runId: RUN, targets: ALL_REPORTS, trigger: 'cli' }, many.pipeline.deps);
    expect(first.continues).toBe(true);
    let parts = 1;
    for (;;) {
      // Until the last part the run is planning, and says which part comes next.
      const run = await runRecord(many.pipeline);
      expect(run).toMatchObject({ status: 'planning', continuing: { part: parts + 1 } });
      const { plans } = byKind(many.sent);
      expect(plans).toHaveLength(parts);
      const message = plans.at(-1) as string;
      expect(JSON.parse(message)).toStrictEqual({ kind: 'plan', v: 1, runId: RUN, part: parts + 1 });
      const outcome = await handleMessage(message, many.pipeline.deps);
      expect(outcome).toMatchObject({ kind: 'planned', runId: RUN });
      parts += 1;
      // The same message again (SQS delivers at least once): nothing planned, nothing queued.
      const sentBefore = many.sent.length;
      expect(await handleMessage(message, many.pipeline.deps)).toMatchObject({ kind: 'skipped', runId: RUN });
      expect(many.sent.length).toBe(sentBefore);
      if ((await runRecord(many.pipeline))?.status !== 'planning') break;
    }
    expect(parts).toBeGreaterThanOrEqual(8);
    const planned = await runRecord(many.pipeline);
    const oneShot = await readRunRecord(new FolderObjectStore(whole.path), RUN);
    expect(planned).toMatchObject({ status: 'planned', planned: oneShot?.planned, fullReads: oneShot?.fullReads });
    expect(planned?.continuing).toBeUndefined();
    expect(await many.pipeline.store.get(planCheckpointKey(RUN))).toBeUndefined();

    const { pages, plans } = byKind(many.sent);
    expect(plans).toHaveLength(parts - 1);
    expect([...pages].sort()).toEqual([...planningAtOnce].sort());
    expect(new Set(pages.map(pageIdentity)).size).toBe(pages.length);
    // Every page queued has its planned receipt: the parts' batches follow one another, none written over.
    const receipts = await readReceipts(many.pipeline.store, RUN);
    expect(receipts.every((r) => r.status === 'planned')).toBe(true);
    expect(receipts.map(receiptIdentity).sort()).toEqual(pages.map((body) => receiptIdentity(plannedReceipt(parsePage(body)))).sort());

    // The queue still holds every plan message (handled above by hand): each is a harmless repeat.
    const { drained, manifests } = await many.pipeline.process();
    await many.pipeline.close();
    expect(drained.deadLettered).toBe(0);
    expect(manifests.every((m) => m.status === 'complete')).toBe(true);
    expect(byKind(many.sent).plans).toHaveLength(parts - 1);
    const expected = await reportFiles(whole.path);
    const actual = await reportFiles(parted.path);
    expect([...actual.keys()]).toEqual([...expected.keys()]);
    for (const [key, bytes] of expected) expect(actual.get(key), key).toBe(bytes);
    // Finished: its receipts folded, the planner's batches and the checkpoint gone.
    expect(await many.pipeline.store.folders(`_runs/${RUN}/`)).toEqual(['receipts']);
    await whole.remove();
    await parted.remove();
  }, 180_000);

  it('a run planned in parts on one machine reads every page as `run` does, its parts taken from the queue', async () => {
    const fixture = await open({ simulator: { tickets: 150 } });
    const dir = await tempDir();
    const { pipeline } = await recordedPipeline(fixture, dir.path, 1);
    const targets: Target[] = [
      { report: 'threads', params: {} },
      { report: 'departments', params: {} },
    ];
    const planning = planRun({ runId: RUN, targets, trigger: 'cli' }, pipeline.deps);
    const { manifests } = await pipeline.process({ planning, runIds: [RUN] });
    await pipeline.close();
    expect(await planning).toMatchObject({ continues: true });
    expect(manifests).toMatchObject([
      { report: 'departments', status: 'complete' },
      { report: 'threads', status: 'complete', pages: { written: 150 }, cursor: { moved: true } },
    ]);
    expect((await readRunRecord(pipeline.store, RUN))?.status).toBe('finished');
    await dir.remove();
  });
});

describe('plan messages that cannot continue a planning', () => {
  /** A run cut at its first part: planning, with a checkpoint and a plan message for part 2. */
  async function cutRun(fixture: Fixture, out: string) {
    const { pipeline, sent } = await recordedPipeline(fixture, out, 0);
    const result = await planRun(
      {
        runId: RUN,
        targets: [
          { report: 'threads', params: {} },
          { report: 'agents', params: {} },
        ],
        trigger: 'cli',
      },
      pipeline.deps,
    );
    expect(result.continues).toBe(true);
    const message = byKind(sent).plans[0] as string;
    return { pipeline, sent, message };
  }

  it('goes on in the order its checkpoint counts in: one written before tickets were planned first plans tickets, not a report twice', async () => {
    const fixture = await open({ simulator: { tickets: 20 } });
    const dir = await tempDir();
    const { pipeline, sent } = await recordedPipeline(fixture, dir.path, 0);
    const targets: Target[] = [
      { report: 'agents', params: {} },
      { report: 'tickets', params: {} },
    ];
    expect((await planRun({ runId: RUN, targets, trigger: 'cli' }, pipeline.deps)).continues).toBe(true);
    // As an older version left it: `agents`, the first report in the order asked, planned; no `order`.
    const key = planCheckpointKey(RUN);
    const { order: _order, ...checkpoint } = JSON.parse((await pipeline.store.get(key)) ?? '{}') as Record<string, unknown>;
    await pipeline.store.put(key, JSON.stringify({ ...checkpoint, reports: 1 }), 'application/json');
    pipeline.deps.planningDeadline = undefined;
    const message = byKind(sent).plans[0] as string;
    sent.length = 0;
    await handleMessage(message, pipeline.deps);
    const reports = new Set(byKind(sent).pages.map((body) => parsePage(body).report));
    expect([...reports]).toEqual(['tickets']);
    await pipeline.close();
    await dir.remove();
  });

  it('refuses a plan message for a run it has no record of, and a part the planning has not reached', async () => {
    const fixture = await open({ simulator: { tickets: 20 } });
    const dir = await tempDir();
    const { pipeline, message } = await cutRun(fixture, dir.path);
    const unknown = await rejection(handleMessage(planMessageBody('2026-11-20T09-00-00Z-0000', 2), pipeline.deps));
    expect(unknown).toBeInstanceOf(InvalidMessageError);
    expect((unknown as Error).message).toBe(
      `run 2026-11-20T09-00-00Z-0000 has no valid run record in folder ${dir.path}, so it has no planning to continue`,
    );
    const ahead = await rejection(handleMessage(planMessageBody(RUN, 3), pipeline.deps));
    expect((ahead as Error).message).toBe(`run ${RUN}'s planning is at part 2, not 3`);
    // Through the consumer: straight to the dead-letter queue with the reason, not retried.
    const settled = await consume(
      { id: 'm1', handle: 'h1', body: planMessageBody(RUN, 3), receiveCount: 1 },
      { ...pipeline.deps, queue: { ...noQueue } },
      NO_WAIT,
    );
    expect(settled).toMatchObject({ kind: 'dead-lettered', invalid: true, reason: `invalid message: run ${RUN}'s planning is at part 2, not 3` });
    // Neither touched the run: its own message still continues it.
    expect(await handleMessage(message, pipeline.deps)).toMatchObject({ kind: 'planned' });
    await pipeline.close();
    await dir.remove();
  });

  it('refuses a plan message whose checkpoint is missing, leaving the run alone', async () => {
    const fixture = await open({ simulator: { tickets: 20 } });
    const dir = await tempDir();
    const { pipeline, message } = await cutRun(fixture, dir.path);
    await pipeline.store.delete([planCheckpointKey(RUN)]);
    const error = await rejection(handleMessage(message, pipeline.deps));
    expect(error).toBeInstanceOf(InvalidMessageError);
    expect((error as Error).message).toBe(
      `run ${RUN} has no planning checkpoint (_runs/${RUN}/plan-checkpoint.json), so part 2 cannot go on from one`,
    );
    expect((await readRunRecord(pipeline.store, RUN))?.status).toBe('planning');
    await pipeline.close();
    await dir.remove();
  });

  it.each([
    ['cut short', '{"runId": "2026-11', 'not JSON (cut short or edited by hand)'],
    ['of another run', 'other-run', 'it belongs to run 2026-11-20T09-00-00Z-0000'],
    ['counting reports the run never asked for', 'too-many', "it counts 9 reports planned, of 1 the run plans before tickets' children"],
  ])('marks the run failed when its checkpoint is %s, keeping a copy', async (_what, spoil, reason) => {
    const fixture = await open({ simulator: { tickets: 20 } });
    const dir = await tempDir();
    const { pipeline, message } = await cutRun(fixture, dir.path);
    const key = planCheckpointKey(RUN);
    const checkpoint = JSON.parse((await pipeline.store.get(key)) ?? '{}') as Record<string, unknown>;
    const spoiled =
      spoil === 'other-run'
        ? JSON.stringify({ ...checkpoint, runId: '2026-11-20T09-00-00Z-0000' })
        : spoil === 'too-many'
          ? JSON.stringify({ ...checkpoint, reports: 9 })
          : spoil;
    await pipeline.store.put(key, spoiled, 'application/json');
    const error = await rejection(handleMessage(message, pipeline.deps));
    expect(error).toBeInstanceOf(InvalidMessageError);
    const run = await readRunRecord(pipeline.store, RUN);
    expect(run).toMatchObject({
      status: 'failed',
      reason: `planning failed: its checkpoint ${key} cannot be used (${reason}); a copy is in _quarantine/${key}`,
    });
    expect(await pipeline.store.get(`_quarantine/${key}`)).toBe(spoiled);
    expect(await pipeline.store.get(key)).toBeUndefined();
    // And a planning that failed is never continued.
    expect(await handleMessage(message, pipeline.deps)).toMatchObject({
      kind: 'skipped',
      reason: `run ${RUN} is failed: its planning has nothing left to continue (a repeated plan message)`,
    });
    await pipeline.close();
    await dir.remove();
  });

  it('leaves the run planning when Zoho fails a part for now: the message comes back and the part starts again from its checkpoint', async () => {
    const fixture = await open({ simulator: { tickets: 20 } });
    const dir = await tempDir();
    const { pipeline, message } = await cutRun(fixture, dir.path);
    const key = planCheckpointKey(RUN);
    const before = JSON.parse((await pipeline.store.get(key)) ?? '{}') as unknown;
    fixture.running.sim.setFaults({ outage: true });
    const settled = await consume({ id: 'm1', handle: 'h1', body: message, receiveCount: 1 }, { ...pipeline.deps, queue: { ...noQueue } }, NO_WAIT);
    expect(settled).toMatchObject({ kind: 'retry', runId: RUN });
    expect(await readRunRecord(pipeline.store, RUN)).toMatchObject({ status: 'planning', continuing: { part: 2 } });
    // The checkpoint as it was, its lease given back: the next delivery takes the part at once.
    expect(JSON.parse((await pipeline.store.get(key)) ?? '{}')).toStrictEqual(before);
    fixture.running.sim.setFaults({ outage: false });
    expect(await handleMessage(message, pipeline.deps)).toMatchObject({ kind: 'planned', runId: RUN });
    expect(await readRunRecord(pipeline.store, RUN)).toMatchObject({ status: 'planning', continuing: { part: 3 } });
    await pipeline.close();
    await dir.remove();
  });

  it('waits while another invocation holds the part, and takes it over once that lease has run out', async () => {
    const fixture = await open({ simulator: { tickets: 20 } });
    const dir = await tempDir();
    const { pipeline, message } = await cutRun(fixture, dir.path);
    const key = planCheckpointKey(RUN);
    const checkpoint = JSON.parse((await pipeline.store.get(key)) ?? '{}') as Record<string, unknown>;
    const held = new Date(Date.now() + 60_000).toISOString();
    await pipeline.store.put(key, JSON.stringify({ ...checkpoint, lease: { token: 'other', until: held } }), 'application/json');
    const error = await rejection(handleMessage(message, pipeline.deps));
    expect(error).toBeInstanceOf(RetryLaterError);
    expect((error as Error).message).toBe(`part 2 of run ${RUN}'s planning is being planned by another invocation until ${held}`);
    const ran = new Date(Date.now() - 1_000).toISOString();
    await pipeline.store.put(key, JSON.stringify({ ...checkpoint, lease: { token: 'other', until: ran } }), 'application/json');
    expect(await handleMessage(message, pipeline.deps)).toMatchObject({ kind: 'planned' });
    await pipeline.close();
    await dir.remove();
  });
});

const noQueue = {
  send: async () => undefined,
  receive: async () => [],
  delete: async () => undefined,
  release: async () => undefined,
  deadLetter: async () => undefined,
};

describe('a planning that goes on in parts is not abandoned while it progresses', () => {
  it('measures from its last checkpoint, and status says it is continuing', async () => {
    const dir = await tempDir();
    const store = new FolderObjectStore(dir.path);
    const started = Date.parse('2026-11-20T10:00:00Z');
    const run: RunRecord = {
      runId: RUN,
      startedAt: new Date(started).toISOString(),
      trigger: 'schedule',
      requests: [{ report: 'threads', params: {} }],
      status: 'planning',
      continuing: { part: 7, at: new Date(started + 60 * 60_000).toISOString(), pages: 12_345 },
    };
    await writeJson(store, runRecordKey(RUN), run);
    const out = capture();
    await printRuns(out, store, 1);
    expect(out.text()).toContain(`  planning continuing: part 7 next, 12345 page(s) queued so far, last checkpoint ${run.continuing?.at}`);
    const timeout = 30 * 60_000;
    // An hour and ten minutes after the start, ten minutes after its last checkpoint: going on.
    const early = await finalizeRecentRuns(store, { now: started + 70 * 60_000, planningTimeoutMs: timeout });
    expect(early).toStrictEqual({ finalized: [], abandoned: [] });
    expect((await readRunRecord(store, RUN))?.status).toBe('planning');
    const late = await finalizeRecentRuns(store, { now: started + 95 * 60_000, planningTimeoutMs: timeout });
    expect(late.abandoned.map((a) => a.runId)).toEqual([RUN]);
    expect(await readRunRecord(store, RUN)).toMatchObject({ status: 'failed', reason: expect.stringMatching(/^planning stopped before/) });
    expect((await readRunRecord(store, RUN))?.continuing).toBeUndefined();
    await dir.remove();
  });
});
