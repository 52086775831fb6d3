import pLimit from 'p-limit';
import { describeError, isAppError } from '../errors.js';
import { FIELD_MODULES, findReport, type ReportDefinition } from '../reports/catalog.js';
import { routeTarget } from '../reports/route.js';
import type { DeskRecord } from '../zoho/desk-client.js';
import { describeEndpoint, endpoint as endpointOf, ENDPOINTS, type DeskEndpoint } from '../zoho/endpoints.js';
import { checkRunTime, zohoTimeAt } from './cursor.js';
import { warn, type PipelineDeps } from './deps.js';
import { Discovery } from './discovery.js';
import { runRecordKey } from './keys.js';
import { finalizeRun, writeJson, type RunRecord } from './manifest.js';
import { pageLimits, type PageMessage, type Target } from './messages.js';
import { PlanSink } from './plan-sink.js';
import { HISTORY_START, listCapacity, probeWindows, searchCount, splitWindows, ticketWindows, windowCapacity } from './windows.js';

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

/** One run of pages over one parent (or the whole report), and how many pages it has when Zoho says. */
interface Series {
  params: Record<string, string>;
  pages: number | undefined;
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

/**
 * The reports this run reads whole, as they are now: a report read in full on every run (agents, contacts…)
 * asked for without narrowing parameters, and a report of changes the planner chose to read in full.
 */
function fullReadsOf(targets: readonly Target[], discovery: Discovery): string[] {
  const full = new Set<string>();
  for (const target of targets) {
    const report = target.report === 'route' ? undefined : findReport(target.report);
    if (!report || Object.keys(target.params).length > 0) continue;
    if (report.current === 'snapshot' || discovery.fullReads.has(report.id)) full.add(report.id);
  }
  return [...full].sort();
}

/** Page messages 1…n for a known count, or page 1 of a chain. */
function pagesOf(base: Omit<PageMessage, 'page' | 'from' | 'limit' | 'chain'>, count: number | undefined): PageMessage[] {
  const { defaultLimit: limit } = pageLimits(base);
  const { fromBase } = pageEndpoint(base);
  const pages = Math.max(1, count ?? 1);
  return Array.from({ length: pages }, (_, i) => ({
    ...base,
    page: i + 1,
    from: fromBase + i * limit,
    limit,
    // The last page always chains: should Zoho hold more than it counted, a full last page reads on.
    chain: i === pages - 1,
  }));
}

const pagesFor = (total: number, limit: number) => Math.ceil(total / limit);

/** The endpoint a page of this report (or route) calls. */
function pageEndpoint(page: Pick<PageMessage, 'report' | 'route' | 'params'>): DeskEndpoint {
  return page.report === 'route'
    ? routeTarget(page.route ?? '/', Object.keys(page.params)).endpoint
    : endpointOf((findReport(page.report) as ReportDefinition).request(page.params).endpoint);
}

/**
 * Each agent's time entries, in modifiedTime windows where one agent has more than the list pages through
 * (found by asking for the record just past the list's reach: the list has no count). Only a long stretch —
 * a first run, or a long gap — is asked about; a 4-hourly run's window never holds that many.
 */
async function agentSeries(params: Record<string, string>, agentIds: string[], discovery: Discovery): Promise<Series[]> {
  const since = params.since ?? HISTORY_START;
  const until = params.until ?? discovery.startedAt;
  const list = ENDPOINTS.agentTimeEntries;
  const limit = pLimit(4);
  const series = await Promise.all(
    agentIds.map((agentId) =>
      limit(async () => {
        const query = (from: number, to: number) => ({ modifiedTimeRange: `${new Date(from).toISOString()},${new Date(to).toISOString()}` });
        const tooDeep = async (from: number, to: number) =>
          (await discovery.desk.page(list, { path: { agentId }, query: query(from, to), from: listCapacity(list), limit: 1 })).records.length > 0;
        const windows = await probeWindows(tooDeep, since, until, PROBE_AFTER_MS);
        if (windows.length <= 1) return [{ params: { ...params, agentId }, pages: undefined }];
        return windows.map((w, i) => ({ params: { ...params, agentId, since: w.since, until: w.until, window: String(i + 1) }, pages: undefined }));
      }),
    ),
  );
  return series.flat();
}

/** Stretches shorter than this are not asked about: no agent logs thousands of entries in a week. */
const PROBE_AFTER_MS = 7 * 24 * 3_600_000;

/**
 * A list that may be deeper than Zoho pages through (contacts, accounts, calls, a queue): its search counts it
 * first. Within the list's reach it is read as a list (page 1, chained); beyond, through the search in windows
 * of createdTime, each small enough for the search's own depth, every page planned up front. When the search
 * is refused (a grant without Desk.search.READ, say) the list is read and its depth limit says so if reached.
 */
async function deepSeries(report: ReportDefinition, params: Record<string, string>, discovery: Discovery): Promise<Series[]> {
  const deep = report.deepRead as NonNullable<ReportDefinition['deepRead']>;
  const search = endpointOf(deep.endpoint);
  const count = searchCount(discovery.desk, search, deep.filters(params));
  let total: number;
  try {
    total = await count(Date.parse(HISTORY_START), Date.parse(discovery.startedAt));
  } catch (error) {
    if (!(isAppError(error) && error.action === 'reject')) throw error;
    discovery.warn(
      `${report.id}: ${describeEndpoint(search)} was refused (${describeError(error)}); reading the list, which Zoho pages only so deep.`,
    );
    return [{ params, pages: undefined }];
  }
  if (total <= listCapacity(endpointOf(report.endpoint))) return [{ params, pages: undefined }];
  const windows = await splitWindows(count, HISTORY_START, discovery.startedAt, windowCapacity(search), report.id, total);
  return windows.map((w, i) => ({ params: { ...params, createdFrom: w.since, createdTo: w.until, window: String(i + 1) }, pages: undefined }));
}

async function seriesFor(target: Target, discovery: Discovery): Promise<Series[]> {
  if (target.report === 'route') return [{ params: target.params, pages: undefined }];
  const report = findReport(target.report) as ReportDefinition;
  const params = { ...target.params };
  if (report.id === 'tickets') {
    // Changed since the cursor (everything on a first run), in windows /tickets/search can page through.
    const since = params.since ?? (await discovery.changesSince(report.id)) ?? HISTORY_START;
    const windows = await ticketWindows(discovery.desk, since, params.until ?? discovery.startedAt);
    // Page 1 of each window; each full page plans the next from where it ended (keyset paging, seek.ts).
    return windows.map((w, i) => ({ params: { since: w.since, until: w.until, window: String(i + 1) }, pages: undefined }));
  }
  if (report.deepRead && !params.createdFrom) return deepSeries(report, params, discovery);
  if (report.newestFirst) {
    // Newest first, down to where the last complete run reached: no `until`, the newest is read anyway.
    const since = params.since ?? (await discovery.since(report.id));
    return [{ params: { ...params, ...(since ? { since } : {}) }, pages: undefined }];
  }
  if (report.id === 'agent-time-entries' && !params.since) {
    const since = await discovery.changesSince(report.id);
    if (since) Object.assign(params, { since, until: discovery.startedAt });
  } else if (params.since) {
    params.until ??= discovery.startedAt;
  }
  const parent = report.parent;
  if (!parent || params[parent.param]) return [{ params, pages: undefined }];
  const each = (ids: string[]) => ids.map((id) => ({ params: { ...params, [parent.param]: id }, pages: undefined }));
  switch (report.fanOut) {
    case 'agent':
      return agentSeries(params, await discovery.agentIds(), discovery);
    case 'department':
      return each(await discovery.departmentIds());
    case 'module':
      return each([...FIELD_MODULES]);
    default:
      return [{ params, pages: undefined }];
  }
}

/** A report read for the tickets changed since its cursor (threads, ticket time entries, pending approvals). */
function readsChangedTickets(target: Target): boolean {
  const report = target.report === 'route' ? undefined : findReport(target.report);
  const fanOut = report?.fanOut;
  return Boolean(report?.parent && !target.params[report.parent.param] && (fanOut === 'changed-ticket' || fanOut === 'ticket-with-approvals'));
}

/**
 * The reports of tickets' children, planned as the search answers: one read of the changed tickets serves
 * every such report reading from the same cursor, and each page of tickets becomes their pages at once.
 * Approvals also read the tickets whose approvals the last complete run found pending.
 */
async function planTicketChildren(
  targets: Target[],
  discovery: Discovery,
  emit: (target: Target, series: Series[]) => Promise<void>,
  plannedOrSetAside: (targets: Target[], plan: () => Promise<void>) => Promise<void>,
): Promise<void> {
  const bySince = new Map<string, Target[]>();
  for (const target of targets) {
    const since = await discovery.ticketsSince(target.report);
    bySince.set(since, [...(bySince.get(since) ?? []), target]);
  }
  for (const [since, group] of bySince) {
    const reads = group.map((target) => {
      const report = findReport(target.report) as ReportDefinition;
      const params = { ...target.params };
      if (params.since) params.until ??= discovery.startedAt;
      return { target, report, params, limit: endpointOf(report.endpoint).maxLimit };
    });
    const changed = new Set<string>();
    await plannedOrSetAside(group, async () => {
      await discovery.forEachChangedTicketPage(since, async (tickets) => {
        for (const { target, report, params, limit } of reads) {
          // Tickets carry approvalCount (third-party sources); a ticket without the field is asked anyway.
          const withApprovals = report.fanOut === 'ticket-with-approvals';
          const parents = withApprovals ? tickets.filter((t) => t.approvalCount === undefined || Number(t.approvalCount) > 0) : tickets;
          if (withApprovals) for (const ticket of parents) changed.add(String(ticket.id));
          await emit(
            target,
            parents.map((ticket: DeskRecord) => ({
              params: { ...params, ticketId: String(ticket.id) },
              // Threads are counted on the ticket; time entries are not.
              pages: report.id === 'threads' && ticket.threadCount !== undefined ? pagesFor(Number(ticket.threadCount), limit) : undefined,
            })),
          );
        }
      });
      for (const { target, report, params } of reads.filter((r) => r.report.fanOut === 'ticket-with-approvals')) {
        const carried = (await discovery.carriedParents(report.id)).filter((id) => !changed.has(id));
        await emit(
          target,
          carried.map((ticketId) => ({ params: { ...params, ticketId }, pages: undefined })),
        );
      }
    });
  }
}
