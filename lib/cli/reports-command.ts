import { REPORTS, reportCall, reportScopes, type ReportDefinition } from '../reports/catalog.js';
import { LIST_CALL_WEIGHT } from '../zoho/credits.js';
import { ENDPOINTS, RECOMMENDED_SCOPES } from '../zoho/endpoints.js';
import type { CliContext } from './context.js';
import { table, wrap } from './output.js';

const FAN_OUT: Record<string, string> = {
  pages: 'pages',
  agent: 'each agent × pages',
  department: 'each department × pages',
  'ticket-with-approvals': 'each ticket with approvals',
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
      return (
        `absent when its ${report.parent?.scope ?? 'parent'} is read again (no extra calls)` +
        `${report.parent?.scope === 'ticket' ? '; leaves with a deleted ticket' : ''}` +
        `${report.parent?.deletedWith ? `; leaves with a deleted ${report.parent.scope}` : ''}${bin}`
      );
    default: {
      if (report.deletionFeed)
        return `the feed itself: ${weight} credits a page of ${ENDPOINTS[report.endpoint].maxLimit} deletions, newest first, to the last run`;
      const per = Math.ceil(100 / ENDPOINTS[report.changesSearch ?? report.endpoint].maxLimit) * weight;
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
  // Four short columns fit a terminal; the long parts (parameters, deletions) follow, report by report.
  const rows = REPORTS.map((r) => [
    r.id,
    reportCall(r),
    r.fanOut === 'changed-parent' ? `each changed ${r.parent?.scope ?? 'parent'} × pages` : (FAN_OUT[r.fanOut] ?? r.fanOut),
    r.edition === 'any' ? 'any' : `${r.edition} or higher`,
  ]);
  context.out.line(table(['report', 'Zoho call', 'fan-out', 'edition'], rows, false, [21, 40, 29, 24]));
  context.out.line();
  context.out.line('Parameters (run REPORT --param name=value) and how records that leave are found:');
  for (const r of REPORTS) {
    context.out.line(r.id);
    for (const p of r.params.filter((p) => !p.internal)) {
      context.out.line(wrap(`--param ${p.name}: ${p.description}${p.default ? ` (default: ${p.default})` : ''}`, '  ', '      '));
    }
    context.out.line(wrap(`records that leave: ${deletionMethod(r)}`, '  ', '      '));
    if (r.optIn) context.out.line(wrap(`opt-in: a run reads it only when named (run ${r.id}, or SCHEDULED_REPORTS); ${r.optIn}`, '  ', '      '));
  }
  context.out.line();
  context.out.line('Any other Desk list route: {"route": "/tickets/<id>/threads", "params": {…}} as a queue message.');
  context.out.line('Grant-code scopes that cover every report:');
  context.out.line(`  ${RECOMMENDED_SCOPES.join(',')}`);
}
