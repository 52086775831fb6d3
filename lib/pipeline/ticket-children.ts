import { ReportUnavailableError, type AppError } from '../errors.js';
import { findReport, type ReportDefinition } from '../reports/catalog.js';
import type { Receipt } from './receipts.js';
import { COUNTED } from '../reports/kit.js';
import type { DeskRecord } from '../zoho/desk-client.js';
import { endpoint as endpointOf } from '../zoho/endpoints.js';
import type { Discovery } from './discovery.js';
import { pageLimits, type Target } from './messages.js';
import type { ChildrenGroup, PartBudget } from './plan-checkpoint.js';
import { pagesFor, readsChangedParents, type Series } from './series.js';
import { HISTORY_START, readTicketWindows, ticketWindows } from './windows.js';

export interface ChildrenPlanning {
  discovery: Discovery;
  emit: (target: Target, series: Series[]) => Promise<void>;
  /** plans, or records the targets as not plannable (answering false) when Zoho refuses what they need */
  plannedOrSetAside: (targets: Target[], plan: () => Promise<void>) => Promise<boolean>;
  /** records one target as not planned, with Zoho's refusal */
  setAside: (target: Target, error: AppError & { action: 'reject' | 'unavailable' }, cause?: Receipt['cause']) => Promise<void>;
  budget: PartBudget;
}

/**
 * The run's reports of tickets' children in groups: those reading from the same cursor are planned from one
 * read of the changed tickets. Approvals also read the tickets whose approvals the last complete run found
 * pending (carried), unless the changed tickets hold them already. Those `setAside` (unavailable) are left out.
 */
export async function childrenGroups(
  targets: readonly Target[],
  discovery: Discovery,
  setAside: ReadonlySet<number> = new Set(),
): Promise<ChildrenGroup[]> {
  const groups = new Map<string, ChildrenGroup>();
  for (const [index, target] of targets.entries()) {
    if (!readsChangedParents(target) || setAside.has(index)) continue;
    const since = await discovery.ticketsSince(target.report);
    const report = findReport(target.report) as ReportDefinition;
    const parent = report.parent?.scope === 'ticket' ? undefined : report.parent?.scope;
    const key = `${parent ?? 'ticket'} ${since}`;
    const group = groups.get(key) ?? { ...(parent ? { parent } : {}), since, targets: [], carried: {} };
    group.targets.push(index);
    if (report.fanOut === 'ticket-with-approvals') group.carried[report.id] = await discovery.carriedParents(report.id);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/**
 * The reports of tickets' children, planned as the search answers: each page of changed tickets becomes their
 * pages at once. Goes on from where an earlier part stopped (each group's windows, each window's keyset
 * position) and stops where the budget says, leaving the groups saying how far they got.
 */
export async function planTicketChildren(groups: ChildrenGroup[], targets: readonly Target[], planning: ChildrenPlanning): Promise<void> {
  for (const group of groups) {
    if (group.done) continue;
    const members = group.targets.map((index) => targets[index] as Target);
    const planned = await planning.plannedOrSetAside(members, () => planGroup(group, members, planning));
    // Set aside (Zoho refused its search, say): nothing more to do for it.
    if (!planned) group.done = true;
    if (!group.done) return;
  }
}

async function planGroup(group: ChildrenGroup, members: Target[], { discovery, emit, budget, setAside }: ChildrenPlanning): Promise<void> {
  let reads = members.map((target) => {
    const report = findReport(target.report) as ReportDefinition;
    const params = { ...target.params };
    if (params.since) params.until ??= discovery.startedAt;
    return { target, report, params, limit: pageLimits(target).defaultLimit, withApprovals: report.fanOut === 'ticket-with-approvals' };
  });
  // Tickets are counted into windows read side by side; other parents (calls: far fewer) are one window.
  const search = endpointOf(reads[0]?.report.parent?.changedBy ?? 'ticketSearch');
  if (!group.windows) {
    if (!budget.next()) return;
    group.windows = group.parent
      ? [{ since: group.since, until: discovery.startedAt }]
      : await ticketWindows(discovery.desk, group.since, discovery.startedAt);
  }
  const carried = new Map(Object.entries(group.carried).map(([report, ids]) => [report, new Set(ids)]));
  let tickets = 0;
  const indexOf = new Map(members.map((target, i) => [target, group.targets[i]]));
  // A first read of every parent asks a route outside the OAS (ticket history) for one parent before planning a page
  // for each: a portal that does not serve it costs a call, not two a ticket (unavailable.ts then remembers it).
  let probed: Promise<void> | undefined;
  const probe = (parent: DeskRecord) => {
    probed ??= (async () => {
      if (group.since !== HISTORY_START) return;
      for (const read of reads.filter((r) => endpointOf(r.report.endpoint).unconfirmed)) {
        const { endpoint, ...request } = read.report.request({ ...read.params, [read.report.parent?.param ?? 'ticketId']: String(parent.id) });
        try {
          await discovery.desk.page(endpointOf(endpoint), { ...request, limit: 1 });
        } catch (error) {
          if (!(error instanceof ReportUnavailableError) || error.licence) continue;
          await setAside(read.target, error, 'route');
          reads = reads.filter((r) => r !== read);
          // Its index leaves the group, so a later part of the planning does not plan it (one stays: nothing is left).
          const index = indexOf.get(read.target);
          if (reads.length) group.targets = group.targets.filter((i) => i !== index);
        }
      }
    })();
    return probed;
  };
  const onPage = async (page: DeskRecord[]) => {
    if (page[0]) await probe(page[0]);
    tickets += page.length;
    for (const { target, report, params, limit, withApprovals } of reads) {
      // Tickets carry approvalCount (third-party sources); a ticket without the field is asked anyway.
      const parents = withApprovals ? page.filter((t) => t.approvalCount === undefined || Number(t.approvalCount) > 0) : page;
      if (withApprovals) for (const ticket of parents) carried.get(report.id)?.delete(String(ticket.id));
      const param = report.parent?.param ?? 'ticketId';
      await emit(
        target,
        parents.map((parent) => {
          // Threads and comments are counted on the ticket; time entries are not.
          const pages = plannedPages(report, parent, limit);
          // None counted: its page is read as empty without a call (so a last comment deleted still leaves).
          return { params: { ...params, [param]: String(parent.id), ...(pages === 0 ? { [COUNTED.name]: '0' } : {}) }, pages };
        }),
      );
    }
  };
  // Nothing left to plan (every report set aside by its probe): the windows are not read on.
  await readTicketWindows(discovery.desk, group.windows, onPage, () => reads.length === 0 || !budget.next(), search);
  if (reads.length === 0) {
    group.done = true;
    return;
  }
  group.carried = Object.fromEntries([...carried].map(([report, ids]) => [report, [...ids]]));
  discovery.logger.info(
    { since: group.since, [`${group.parent ?? 'ticket'}s`]: tickets },
    `${group.parent ?? 'ticket'}s changed since the last complete run, read in this part of the planning`,
  );
  if (group.windows.some((window) => !window.done) || !budget.next()) return;
  for (const { target, report, params } of reads.filter((read) => read.withApprovals)) {
    await emit(
      target,
      (group.carried[report.id] ?? []).map((ticketId) => ({ params: { ...params, ticketId }, pages: undefined })),
    );
  }
  group.done = true;
}

/**
 * A child report's pages of a parent, where the parent counts its records (countedOnParent: a ticket's
 * threadCount), or says whether it has any (a call's isCommented: none, or page by page); else page by page.
 */
function plannedPages(report: ReportDefinition, parent: DeskRecord, limit: number): number | undefined {
  const count = report.countedOnParent === undefined ? undefined : parent[report.countedOnParent];
  if (count === false) return 0;
  if (count === undefined || count === null || count === true) return undefined;
  return pagesFor(Number(count), limit);
}
