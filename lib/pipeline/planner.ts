import { describeError, isAppError } from '../errors.js';
import { checkRunTime, zohoTimeAt } from './cursor.js';
import { warn, type PipelineDeps } from './deps.js';
import { Discovery } from './discovery.js';
import { runRecordKey } from './keys.js';
import { finalizeRun, writeJson, type RunRecord } from './manifest.js';
import type { PageMessage, Target } from './messages.js';
import { PlanSink } from './plan-sink.js';
import { fullReadsOf, pageEndpoint, pagesOf, readsChangedTickets, seriesFor, type Series } from './series.js';
import { planTicketChildren } from './ticket-children.js';

export interface PlanRequest {
  runId: string;
  targets: Target[];
  secretId?: string;
  trigger: RunRecord['trigger'];
}

export interface PlanResult {
  runId: string;
  /** pages planned per report (chained reports plan their first page; the rest follow as they are read) */
  planned: Record<string, number>;
  /** credits the discovery calls cost */
  discoveryCredits: number;
}

/**
 * The scheduler's core: turns "run these reports" into one message per report × scope × page. Where Zoho
 * gives a count (tickets: /ticketsCount per time window; threads: each ticket's threadCount) every page is
 * planned up front and read in parallel; elsewhere the first page is planned and each full page enqueues
 * its successor. Either way each page is its own message, retried and dead-lettered on its own.
 *
 * The run record says how far the run got: `planning` while pages are being found, `planned` once all are
 * queued, `failed` (with the reason) when planning stopped half-way — a run whose planning did not finish
 * never moves a cursor. A run with nothing to read is finalized at once.
 */
export async function planRun(request: PlanRequest, deps: PipelineDeps): Promise<PlanResult> {
  const localStart = deps.clock.now();
  checkRunTime(request.runId, localStart);
  // The end of every "changed since" window of this run.
  const startedAt = new Date(localStart).toISOString();
  let record: RunRecord = {
    runId: request.runId,
    startedAt,
    trigger: request.trigger,
    requests: request.targets.map(({ report, route, params }) => ({ report, ...(route ? { route } : {}), params })),
    ...(request.secretId ? { secretId: request.secretId } : {}),
    status: 'planning',
  };
  await writeJson(deps.store, runRecordKey(request.runId), record);
  try {
    const zoho = await deps.zoho(request.secretId);
    if (zoho.secret.org_id) record = { ...record, orgId: zoho.secret.org_id };
    // Discovery's calls counted apart: on this machine pages are read on the same connection while it plans.
    const desk = zoho.desk.withOwnTally();
    const discovery = new Discovery(
      desk,
      deps.store,
      startedAt,
      zoho.secret.org_id,
      deps.logger,
      localStart,
      (message) => warn(deps, message),
      deps.reconcileMs,
    );
    const sink = new PlanSink(deps, pageEndpoint);
    const baseOf = (target: Target) => ({
      kind: 'page' as const,
      runId: request.runId,
      report: target.report,
      ...(target.route ? { route: target.route } : {}),
      ...(request.secretId ? { secretId: request.secretId } : {}),
    });
    const emit = async (target: Target, series: Series[]) => {
      for (const one of series) for (const page of pagesOf({ ...baseOf(target), params: one.params }, one.pages)) await sink.add(page);
    };
    // One report that cannot be planned (a list too deep to walk for its parents, a search refused) is recorded
    // as such, and the others are planned; credentials, credits and outages stop the whole run.
    const plannedOrSetAside = async (targets: Target[], plan: () => Promise<void>) => {
      try {
        await plan();
      } catch (error) {
        if (!isAppError(error) || (error.action !== 'reject' && error.action !== 'unavailable')) throw error;
        for (const target of targets) {
          const [first] = pagesOf({ ...baseOf(target), params: target.params }, 1) as [PageMessage];
          await sink.setAside({
            message: first,
            status: error.action,
            cause: 'planning',
            reason: `${target.report} could not be planned: ${describeError(error)}`,
          });
          discovery.warn(`${target.report} could not be planned (${describeError(error)}); the other reports go on.`);
        }
      }
    };
    const ticketChildren = request.targets.filter(readsChangedTickets);
    for (const target of request.targets.filter((t) => !readsChangedTickets(t))) {
      await plannedOrSetAside([target], async () => emit(target, await seriesFor(target, discovery)));
    }
    await planTicketChildren(ticketChildren, discovery, emit, plannedOrSetAside);
    await sink.flush();
    const discoveryCredits = desk.credits.spent;
    const cursorAt = cursorTime(localStart, desk.serverClock ?? zoho.desk.serverClock, deps);
    const { planned } = sink;
    const fullReads = fullReadsOf(request.targets, discovery);
    await writeJson(deps.store, runRecordKey(request.runId), {
      ...record,
      ...(cursorAt ? { cursorAt } : {}),
      status: 'planned',
      planned,
      fullReads,
      reconciles: [...discovery.reconciles].sort(),
    });
    if (sink.sent === 0) await finalizeRun(deps.store, request.runId, { now: deps.clock.now(), warn: (m) => warn(deps, m) });
    return { runId: request.runId, planned, discoveryCredits };
  } catch (error) {
    // Planning stopped half-way: say so in the run record, so status shows it and no cursor moves for it.
    await writeJson(deps.store, runRecordKey(request.runId), {
      ...record,
      status: 'failed',
      reason: `planning failed: ${describeError(error)}`,
    }).catch(() => undefined);
    throw error;
  }
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
