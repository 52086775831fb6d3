import pLimit from 'p-limit';
import { describeError, isAppError } from '../errors.js';
import { findReport, type ReportDefinition } from '../reports/catalog.js';
import { routeTarget } from '../reports/route.js';
import { describeEndpoint, endpoint as endpointOf, ENDPOINTS, type DeskEndpoint } from '../zoho/endpoints.js';
import type { Discovery } from './discovery.js';
import { pageLimits, type PageMessage, type Target } from './messages.js';
import { HISTORY_START, listCapacity, probeWindows, searchCount, splitWindows, ticketWindows, windowCapacity } from './windows.js';
import { isRoute, reportOf, sourceOfMessage } from '../reports/sources.js';

/**
 * What the planner plans for each report: its series of pages (one per parent, time window, or the whole
 * report), found with the discovery calls each needs.
 */

/** One run of pages over one parent (or the whole report), and how many pages it has when Zoho says. */
export interface Series {
  params: Record<string, string>;
  pages: number | undefined;
}

/**
 * The reports this run reads whole, as they are now: a report read in full on every run (agents, contacts…)
 * asked for without narrowing parameters, and a report of changes the planner chose to read in full.
 */
export function fullReadsOf(targets: readonly Target[], readInFull: ReadonlySet<string>): string[] {
  const full = new Set<string>();
  for (const target of targets) {
    const report = reportOf(target);
    if (!report || Object.keys(target.params).length > 0) continue;
    if (report.current === 'snapshot' || readInFull.has(report.id)) full.add(report.id);
  }
  return [...full].sort();
}

/** Page messages 1…n for a known count, or page 1 of a chain. */
export function pagesOf(base: Omit<PageMessage, 'page' | 'from' | 'limit' | 'chain'>, count: number | undefined): PageMessage[] {
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

export const pagesFor = (total: number, limit: number) => Math.ceil(total / limit);

/** The endpoint a page of this report (or route) calls. */
export function pageEndpoint(page: Pick<PageMessage, 'report' | 'route' | 'params'>): DeskEndpoint {
  const source = sourceOfMessage(page);
  return source.kind === 'route'
    ? routeTarget(source.route, Object.keys(page.params)).endpoint
    : endpointOf(source.report.request(page.params).endpoint);
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
  // A report read by change is read through its search in full too: its versions then all have one shape.
  const searchAlways = report.changesSearch !== undefined;
  if (!searchAlways && total <= listCapacity(endpointOf(report.endpoint))) return [{ params, pages: undefined }];
  const windows =
    searchAlways && total <= windowCapacity(search)
      ? [{ since: HISTORY_START, until: discovery.startedAt }]
      : await splitWindows(count, HISTORY_START, discovery.startedAt, windowCapacity(search), report.id, total);
  return windows.map((w, i) => ({ params: { ...params, createdFrom: w.since, createdTo: w.until, window: String(i + 1) }, pages: undefined }));
}

/**
 * A report read by change through its search (contacts, accounts, calls): the records modified since its cursor
 * (less the overlap), page 1 chained and each page starting where the one before it ended (keyset paging, so
 * the search's depth limit is never reached); in full on its first run, at the reconcile interval, and when a
 * parameter narrows it.
 */
async function changesSeries(report: ReportDefinition, params: Record<string, string>, discovery: Discovery): Promise<Series[]> {
  const since = Object.keys(params).length === 0 ? await discovery.changesSince(report.id) : undefined;
  if (since === undefined) return deepSeries(report, params, discovery);
  return [{ params: { ...params, since, until: discovery.startedAt }, pages: undefined }];
}

export async function seriesFor(target: Target, discovery: Discovery): Promise<Series[]> {
  if (isRoute(target)) return [{ params: target.params, pages: undefined }];
  const report = findReport(target.report) as ReportDefinition;
  const params = { ...target.params };
  if (report.changeWindows) {
    // Changed since the cursor (everything on a first run), in windows /tickets/search can page through.
    const since = params.since ?? (await discovery.changesSince(report.id)) ?? HISTORY_START;
    const firstRun = since === HISTORY_START && !discovery.reconciles.has(report.id);
    // About a window a page on a first run: their first pages are queued before any other
    // report's, so a run larger than a day's credits has the tickets table by the time it stops (issue 15),
    // rather than successors queued behind every ticket's threads.
    const windows = await ticketWindows(discovery.desk, since, params.until ?? discovery.startedAt, undefined, firstRun ? 'pages' : undefined);
    // Page 1 of each window; each full page plans the next from where it ended (keyset paging, seek.ts).
    return windows.map((w, i) => ({ params: { since: w.since, until: w.until, window: String(i + 1) }, pages: undefined }));
  }
  if (report.changesSearch && !params.createdFrom && !params.since) return changesSeries(report, params, discovery);
  if (report.deepRead && !params.createdFrom) return deepSeries(report, params, discovery);
  if (report.newestFirst) {
    // Newest first, down to where the last complete run reached: no `until`, the newest is read anyway.
    const since = params.since ?? (await discovery.since(report.id));
    return [{ params: { ...params, ...(since ? { since } : {}) }, pages: undefined }];
  }
  if (report.rangeFromCursor && !params.since) {
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
      return agentSeries(params, await discovery.parentIds(parent), discovery);
    case 'department':
    case 'module':
      return each(await discovery.parentIds(parent));
    default:
      return [{ params, pages: undefined }];
  }
}

/** A report read for the parents changed since its cursor (a ticket's threads and approvals, a call's comments). */
export function readsChangedParents(target: Target): boolean {
  const report = reportOf(target);
  const fanOut = report?.fanOut;
  return Boolean(report?.parent && !target.params[report.parent.param] && (fanOut === 'changed-parent' || fanOut === 'ticket-with-approvals'));
}
