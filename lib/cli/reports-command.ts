import { REPORTS, reportCall, reportScopes } from '../reports/catalog.js';
import { RECOMMENDED_SCOPES } from '../zoho/endpoints.js';
import type { CliContext } from './context.js';
import { table } from './output.js';

const FAN_OUT: Record<string, string> = {
  pages: 'pages',
  agent: 'each agent × pages',
  department: 'each department × pages',
  'ticket-with-approvals': 'each ticket with approvals',
  'changed-ticket': 'each changed ticket × pages',
};

/** `reports`: the list of reports, their parameters and the edition each needs. */
export function listReports(options: { json?: boolean }, context: CliContext): void {
  if (options.json) {
    const rows = REPORTS.map((r) => ({ ...r, call: reportCall(r), scopes: reportScopes(r) }));
    context.out.line(JSON.stringify(rows, null, 2));
    return;
  }
  const rows = REPORTS.map((r) => [
    r.id,
    reportCall(r),
    FAN_OUT[r.fanOut] ?? r.fanOut,
    r.params.map((p) => `${p.name}${p.default ? ` (default: ${p.default})` : ''}`).join('\n') || '—',
    r.edition === 'any' ? 'any' : `${r.edition} or higher`,
  ]);
  context.out.line(table(['report', 'Zoho call', 'fan-out', 'parameters', 'edition'], rows));
  context.out.line('Any other Desk list route: {"route": "/tickets/<id>/threads", "params": {…}} as a queue message.');
  context.out.line(`Grant-code scopes that cover every report: ${RECOMMENDED_SCOPES.join(',')}`);
}
