import { REPORTS, reportCall, reportScopes, type ReportDefinition } from '../reports/catalog.js';
import { LIST_CALL_WEIGHT } from '../zoho/credits.js';
import { ENDPOINTS, RECOMMENDED_SCOPES } from '../zoho/endpoints.js';
import type { CliContext } from './context.js';
import { table } from './output.js';

const FAN_OUT: Record<string, string> = {
  pages: 'pages',
  agent: 'each agent × pages',
  department: 'each department × pages',
  'ticket-with-approvals': 'each ticket with approvals',
  'changed-ticket': 'each changed ticket × pages',
  module: 'each module',
};

/** How a report finds records that left it, and what that costs in Zoho credits. */
export function deletionMethod(report: ReportDefinition): string {
  const weight = LIST_CALL_WEIGHT;
  const bin = report.binType ? `; Zoho's recycle bin (${report.binType}) each run` : '';
  switch (report.current) {
    case 'snapshot':
      return `absent from a complete read (no extra calls)${bin}`;
    case 'per-parent':
      return `absent when its ${report.parent?.scope ?? 'parent'} is read again (no extra calls)` +
        `${report.parent?.scope === 'ticket' ? '; leaves with a deleted ticket' : ''}${bin}`;
    default: {
      if (report.deletionFeed) return `the feed itself: ${weight} credits a page of ${ENDPOINTS[report.endpoint].maxLimit} deletions, newest first, to the last run`;
      const per = Math.ceil(100 / ENDPOINTS[report.endpoint].maxLimit) * weight;
      return `Zoho's recycle bin each run; a full read every ZOHO_RECONCILE_HOURS (default 24): ~${per} credits per 100 records`;
    }
  }
}

/** `reports`: the list of reports, their parameters and the edition each needs. */
export function listReports(options: { json?: boolean }, context: CliContext): void {
  if (options.json) {
    const rows = REPORTS.map((r) => ({ ...r, call: reportCall(r), scopes: reportScopes(r), deletions: deletionMethod(r) }));
    context.out.line(JSON.stringify(rows, null, 2));
    return;
  }
  const rows = REPORTS.map((r) => [
    r.id,
    reportCall(r),
    FAN_OUT[r.fanOut] ?? r.fanOut,
    r.params.map((p) => `${p.name}${p.default ? ` (default: ${p.default})` : ''}`).join('\n') || '—',
    r.edition === 'any' ? 'any' : `${r.edition} or higher`,
    deletionMethod(r),
  ]);
  context.out.line(table(['report', 'Zoho call', 'fan-out', 'parameters', 'edition', 'records that leave'], rows));
  context.out.line('Any other Desk list route: {"route": "/tickets/<id>/threads", "params": {…}} as a queue message.');
  context.out.line(`Grant-code scopes that cover every report: ${RECOMMENDED_SCOPES.join(',')}`);
}
