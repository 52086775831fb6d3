import { describeError, isAppError, ReportUnavailableError, type AppError } from '../errors.js';
import type { Receipt } from './receipts.js';
import { checkRunTime, zohoTimeAt } from './cursor.js';
import { warn, type PipelineDeps } from './deps.js';
import { Discovery } from './discovery.js';
import { lastPlannedBatch, planCheckpointKey, plannedBatchPrefix, runRecordKey } from './keys.js';
import { finalizeRun, writeJson, type RunRecord } from './manifest.js';
import { planMessageBody, portalGroup, type PageMessage, type Target } from './messages.js';
import { firstCheckpoint, holdsLease, NO_DEADLINE, PartBudget, writeCheckpoint, type PlanCheckpoint } from './plan-checkpoint.js';
import { PlanSink } from './plan-sink.js';
import { describePortal } from '../zoho/portal.js';
import { adoptPortalLayout } from './portals.js';
import { fullReadsOf, pageEndpoint, pagesOf, readsChangedParents, seriesFor, type Series } from './series.js';
import { childrenGroups, planTicketChildren } from './ticket-children.js';
import { isRoute, reportOf } from '../reports/sources.js';

export interface PlanRequest {
  runId: string;
  targets: Target[];
  secretId?: string;
  trigger: RunRecord['trigger'];
  /** the portal is the bundled simulator's (`run --simulate`) */
  simulated?: boolean;
}

export interface PlanResult {
  runId: string;
  /** pages planned per report so far (chained reports plan their first page; the rest follow as they are read) */
  planned: Record<string, number>;
  /** credits the discovery calls cost so far */
  discoveryCredits: number;
  /** the planning stopped before its deadline and goes on in a further part (its plan message is queued) */
  continues: boolean;
}

/**
 * The scheduler's core: turns "run these reports" into one message per report × scope × page. Where Zoho
 * gives a count (tickets: /ticketsCount per time window; threads: each ticket's threadCount) every page is
 * planned up front and read in parallel; elsewhere the first page is planned and each full page enqueues
 * its successor. Either way each page is its own message, retried and dead-lettered on its own.
 *
 * The run record says how far the run got: `planning` while pages are being found, `planned` once all are
 * queued, `failed` (with the reason) when planning stopped half-way — a run whose planning did not finish
 * never moves a cursor. A run with nothing to read is finalized at once. Planning with a deadline (a Lambda's
 * time) stops before it, and goes on in further parts (planPart).
 */
export async function planRun(request: PlanRequest, deps: PipelineDeps): Promise<PlanResult> {
  const localStart = deps.clock.now();
  checkRunTime(request.runId, localStart);
  const record: RunRecord = {
    runId: request.runId,
    // The end of every "changed since" window of this run, in every part of its planning.
    startedAt: new Date(localStart).toISOString(),
    trigger: request.trigger,
    ...(request.simulated ? { simulated: true as const } : {}),
    requests: request.targets.map(({ report, route, params }) => ({ report, ...(route ? { route } : {}), params })),
    ...(request.secretId ? { secretId: request.secretId } : {}),
    status: 'planning',
  };
  await writeJson(deps.store, runRecordKey(request.runId), record);
  return planPart(record, firstCheckpoint(request.runId, localStart), deps);
}

/** What a run asked for, as its record keeps it. */
export function targetsOf(run: RunRecord): Target[] {
  return run.requests.map(({ report, route, params }) => ({ report, ...(route ? { route } : {}), params }));
}

/**
 * One part of a run's planning, from where the checkpoint says the last one stopped: the reports other than
 * tickets' children one at a time in the order asked, then the changed tickets' windows page by page. When
 * the deadline nears it finishes the units it is in, queues what it found, writes the checkpoint and queues a
 * plan message for the next part; the last part marks the run planned. `lease`: the token this invocation
 * holds the part with (a continuation), so a part that lost it to another invocation writes nothing more.
 */
export async function planPart(run: RunRecord, checkpoint: PlanCheckpoint, deps: PipelineDeps, lease?: string): Promise<PlanResult> {
  const { runId } = run;
  const budget = new PartBudget(deps.planningDeadline?.() ?? NO_DEADLINE);
  const localStart = Date.parse(run.startedAt);
  const targets = targetsOf(run);
  const progress: PlanCheckpoint = structuredClone(checkpoint);
  let record = run;
  try {
    const zoho = await deps.zoho(run.secretId);
    if (zoho.secret.org_id) {
      // The edition, for a report Zoho said it lacks (unavailable.ts): asked once, shared with the run's start-up.
      const { edition, editionName } = await describePortal(zoho.desk);
      record = { ...record, orgId: zoho.secret.org_id, ...(edition ? { edition: editionName } : {}) };
      // An export written before portals is adopted before its states are read: they move to this portal's folder.
      await adoptPortalLayout(deps.store, { orgId: zoho.secret.org_id, runId, now: deps.clock.now() }, (message) => warn(deps, message));
    }
    // Discovery's calls counted apart: on this machine pages are read on the same connection while it plans.
    const desk = zoho.desk.withOwnTally();
    const discovery = new Discovery(
      desk,
      deps.store,
      run.startedAt,
      zoho.secret.org_id,
      deps.logger,
      localStart,
      (message) => warn(deps, message),
      deps.reconcileMs,
      async () => record.edition,
    );
    // Batches of planned receipts go on after the earlier parts' (and those of an attempt that failed).
    const sink = new PlanSink(deps, pageEndpoint, progress.part > 1 ? lastPlannedBatch(await deps.store.list(plannedBatchPrefix(runId))) : 0);
    const baseOf = (target: Target) => ({
      kind: 'page' as const,
      runId,
      report: target.report,
      ...(target.route ? { route: target.route } : {}),
      ...(run.secretId ? { secretId: run.secretId } : {}),
      ...(zoho.secret.org_id ? { orgId: zoho.secret.org_id } : {}),
    });
    const emit = async (target: Target, series: Series[]) => {
      for (const one of series) for (const page of pagesOf({ ...baseOf(target), params: one.params }, one.pages)) await sink.add(page);
    };
    // One report that cannot be planned (a list too deep to walk for its parents, a search refused) is recorded
    // as such, and the others are planned; credentials, credits and outages stop the whole run.
    const setAside = async (target: Target, error: AppError & { action: 'reject' | 'unavailable' }, cause: Receipt['cause'] = 'planning') => {
      const [first] = pagesOf({ ...baseOf(target), params: target.params }, 1) as [PageMessage];
      await sink.setAside({
        message: first,
        status: error.action,
        cause: error instanceof ReportUnavailableError && error.licence ? 'edition' : cause,
        reason: `${target.report} could not be planned: ${describeError(error)}`,
      });
      discovery.warn(`${target.report} could not be planned (${describeError(error)}); the other reports go on.`);
    };
    const plannedOrSetAside = async (targets: Target[], plan: () => Promise<void>): Promise<boolean> => {
      try {
        await plan();
        return true;
      } catch (error) {
        if (!isAppError(error) || (error.action !== 'reject' && error.action !== 'unavailable')) throw error;
        for (const target of targets) await setAside(target, error as AppError & { action: 'reject' | 'unavailable' });
        return false;
      }
    };
    // A report Zoho lately said the edition lacks is recorded unavailable again without a call (unavailable.ts).
    const knownUnavailable = async (target: Target): Promise<boolean> => {
      const note = isRoute(target) || Object.keys(target.params).length > 0 ? undefined : await discovery.unavailable(target.report);
      if (!note) return false;
      const [first] = pagesOf({ ...baseOf(target), params: target.params }, 1) as [PageMessage];
      await sink.setAside({ message: first, status: 'unavailable', cause: 'remembered', reason: note.reason });
      return true;
    };
    // Tickets first (`readFirst`), then the others in the order asked, tickets' children last; a planning begun
    // by a version without that order goes on in the order asked, where its checkpoint counts from.
    const first = (target: Target) => (progress.order === 'read-first' && reportOf(target)?.readFirst ? 0 : 1);
    const others = targets.filter((target) => !readsChangedParents(target)).sort((a, b) => first(a) - first(b));
    while (progress.reports < others.length && budget.next()) {
      const target = others[progress.reports] as Target;
      if (!(await knownUnavailable(target))) await plannedOrSetAside([target], async () => emit(target, await seriesFor(target, discovery)));
      progress.reports += 1;
    }
    if (progress.reports === others.length && !progress.children) {
      const setAside = new Set<number>();
      for (const [index, target] of targets.entries()) if (readsChangedParents(target) && (await knownUnavailable(target))) setAside.add(index);
      progress.children = await childrenGroups(targets, discovery, setAside);
    }
    if (progress.children) {
      await planTicketChildren(progress.children, targets, { discovery, emit, plannedOrSetAside, setAside, budget });
    }
    await sink.flush();
    for (const [report, pages] of Object.entries(sink.planned)) progress.planned[report] = (progress.planned[report] ?? 0) + pages;
    progress.sent += sink.sent;
    progress.credits += desk.credits.spent;
    progress.fullReads = [...new Set([...progress.fullReads, ...discovery.fullReads])].sort();
    progress.reconciles = [...new Set([...progress.reconciles, ...discovery.reconciles])].sort();
    // Zoho's clock when the first part started, read by the first part that had an answer.
    progress.cursorAt ??= cursorTime(localStart, desk.serverClock ?? zoho.desk.serverClock, deps);
    if (progress.cursorAt === undefined) delete progress.cursorAt;
    if (lease && !(await holdsLease(deps.store, runId, lease))) {
      deps.logger.warn({ runId, part: progress.part }, 'another invocation took this part of the planning over: it goes on from there');
      return { runId, planned: progress.planned, discoveryCredits: progress.credits, continues: true };
    }
    const done = progress.reports === others.length && (progress.children ?? []).every((group) => group.done);
    return done ? await finishPlanning(record, progress, targets, deps) : await continueLater(record, progress, deps);
  } catch (error) {
    await afterFailure(record, checkpoint, error, deps, lease).catch(() => undefined);
    throw error;
  }
}

/** The last part: the run is planned, with what every part found. */
async function finishPlanning(record: RunRecord, progress: PlanCheckpoint, targets: Target[], deps: PipelineDeps): Promise<PlanResult> {
  const { continuing: _continuing, ...run } = record;
  await writeJson(deps.store, runRecordKey(run.runId), {
    ...run,
    ...(progress.cursorAt ? { cursorAt: progress.cursorAt } : {}),
    status: 'planned',
    planned: progress.planned,
    fullReads: fullReadsOf(targets, new Set(progress.fullReads)),
    reconciles: progress.reconciles,
  });
  if (progress.part > 1) await deps.store.delete([planCheckpointKey(run.runId)]);
  if (progress.sent === 0) await finalizeRun(deps.store, run.runId, { now: deps.clock.now(), warn: (m) => warn(deps, m) });
  return { runId: run.runId, planned: progress.planned, discoveryCredits: progress.credits, continues: false };
}

/**
 * A part that stopped at its deadline: its checkpoint first, then the run record (still `planning`, saying it
 * continues), then the next part's message — so a plan message never comes before the checkpoint it goes on from.
 */
async function continueLater(record: RunRecord, progress: PlanCheckpoint, deps: PipelineDeps): Promise<PlanResult> {
  const { lease: _lease, ...rest } = progress;
  const next: PlanCheckpoint = { ...rest, part: progress.part + 1, at: new Date(deps.clock.now()).toISOString() };
  await writeCheckpoint(deps.store, next);
  await writeJson(deps.store, runRecordKey(record.runId), {
    ...record,
    status: 'planning',
    continuing: { part: next.part, at: next.at, pages: next.sent },
  } satisfies RunRecord);
  await (deps.planQueue ?? deps.queue).send([{ body: planMessageBody(record.runId, next.part), ...portalGroup(record.secretId) }]);
  deps.logger.info({ runId: record.runId, part: next.part, pages: next.sent }, 'planning stopped before its deadline: it goes on in a further part');
  return { runId: record.runId, planned: next.planned, discoveryCredits: next.credits, continues: true };
}

/**
 * A part that failed. A continuation that may succeed later (Zoho or the bucket unavailable for now) leaves the
 * run `planning` and its checkpoint as it was, lease given back, for its message to come back and try again.
 * Anything else stops the planning: the run record says so, so status shows it and no cursor moves for it.
 */
async function afterFailure(record: RunRecord, checkpoint: PlanCheckpoint, error: unknown, deps: PipelineDeps, lease?: string): Promise<void> {
  const later = checkpoint.part > 1 && !(isAppError(error) && error.action !== 'retry');
  if (later) {
    if (lease && (await holdsLease(deps.store, record.runId, lease))) {
      const { lease: _lease, ...rest } = checkpoint;
      await writeCheckpoint(deps.store, rest);
    }
    return;
  }
  const { continuing: _continuing, ...run } = record;
  await writeJson(deps.store, runRecordKey(record.runId), { ...run, status: 'failed', reason: `planning failed: ${describeError(error)}` });
  if (checkpoint.part > 1) await deps.store.delete([planCheckpointKey(record.runId)]);
}

/**
 * The latest time this run's cursors may name: when planning started, on Zoho's clock when its answers said
 * (so a machine whose clock runs ahead cannot push cursors past what Zoho has served), else on ours.
 */
function cursorTime(localStart: number, reading: { serverMs: number; localMs: number } | undefined, deps: PipelineDeps): string | undefined {
  const zohoStart = zohoTimeAt(localStart, reading);
  if (zohoStart === undefined || zohoStart >= localStart) return undefined;
  if (localStart - zohoStart > 60_000) {
    warn(deps, `This machine's clock is ${Math.round((localStart - zohoStart) / 1000)} s ahead of Zoho's: cursors follow Zoho's clock.`);
  }
  return new Date(zohoStart).toISOString();
}
