import { findReport, type ReportDefinition } from '../reports/catalog.js';
import type { DeskRecord } from '../zoho/desk-client.js';
import { endpoint as endpointOf } from '../zoho/endpoints.js';
import type { Discovery } from './discovery.js';
import type { Target } from './messages.js';
import { pagesFor, type Series } from './series.js';

/**
 * The reports of tickets' children, planned as the search answers: one read of the changed tickets serves
 * every such report reading from the same cursor, and each page of tickets becomes their pages at once.
 * Approvals also read the tickets whose approvals the last complete run found pending.
 */
export async function planTicketChildren(
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
