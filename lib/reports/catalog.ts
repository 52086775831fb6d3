import { ENDPOINTS, type EndpointKey } from '../zoho/endpoints.js';

/**
 * The reports (design.md §2): what each one calls, how it fans out, its parameters and the Zoho edition it
 * needs. Reports marked Professional answer 403 LICENSE_ACCESS_LIMITED on lower editions; that is recorded
 * as "unavailable", not retried.
 */

export type FanOut = 'pages' | 'agent' | 'department' | 'ticket-with-approvals' | 'changed-ticket';

export interface ReportParam {
  name: string;
  description: string;
  /** what happens when the parameter is not given */
  default?: string;
}

export interface ReportDefinition {
  id: string;
  description: string;
  endpoint: EndpointKey;
  fanOut: FanOut;
  params: readonly ReportParam[];
  /** the least Zoho Desk edition that serves it */
  edition: 'any' | 'Professional';
}

const departmentParam = (what: string): ReportParam => ({
  name: 'departmentId',
  description: `only this department's ${what}`,
  default: 'every department',
});

export const REPORTS: readonly ReportDefinition[] = [
  { id: 'accounts', description: 'all customer accounts', endpoint: 'accounts', fanOut: 'pages', params: [], edition: 'any' },
  {
    id: 'agents', description: 'all agents', endpoint: 'agents', fanOut: 'pages', edition: 'any',
    params: [{ name: 'status', description: 'ACTIVE or DISABLED', default: 'both' }],
  },
  {
    id: 'agent-time-entries', description: 'time logged by each agent', endpoint: 'agentTimeEntries', fanOut: 'agent', edition: 'Professional',
    params: [{ name: 'agentId', description: 'only this agent', default: 'every agent' }],
  },
  {
    id: 'calls', description: 'call activities', endpoint: 'calls', fanOut: 'pages', edition: 'any',
    params: [{ name: 'departmentId', description: "only this department's calls", default: 'all calls' }],
  },
  { id: 'contacts', description: 'all contacts', endpoint: 'contacts', fanOut: 'pages', params: [], edition: 'any' },
  {
    id: 'customer-happiness', description: 'customer happiness ratings', endpoint: 'customerHappiness', fanOut: 'pages',
    edition: 'Professional', params: [departmentParam('ratings')],
  },
  { id: 'departments', description: 'all departments', endpoint: 'departments', fanOut: 'pages', params: [], edition: 'any' },
  {
    id: 'email-failures', description: 'email delivery failure alerts', endpoint: 'emailFailureAlerts', fanOut: 'pages',
    edition: 'any', params: [departmentParam('alerts')],
  },
  {
    id: 'pending-approvals', description: 'approvals still pending, per ticket', endpoint: 'ticketApprovals',
    fanOut: 'ticket-with-approvals', edition: 'any',
    params: [{ name: 'ticketId', description: 'only this ticket', default: 'every ticket with approvals' }],
  },
  {
    id: 'queue', description: 'tickets in a status (a queue view)', endpoint: 'tickets', fanOut: 'pages', edition: 'Professional',
    params: [
      { name: 'status', description: 'ticket status, or a comma list', default: 'Open' },
      { name: 'departmentId', description: "only this department's tickets", default: 'every department' },
    ],
  },
  {
    id: 'threads', description: 'conversation threads of each ticket', endpoint: 'ticketThreads', fanOut: 'changed-ticket', edition: 'any',
    params: [{ name: 'ticketId', description: 'only this ticket', default: 'tickets changed since the last successful run' }],
  },
  {
    id: 'ticket-tags', description: 'ticket tags of each department', endpoint: 'ticketTags', fanOut: 'department', edition: 'any',
    params: [departmentParam('tags')],
  },
  {
    id: 'ticket-time-entries', description: 'time logged on each ticket', endpoint: 'ticketTimeEntries', fanOut: 'changed-ticket',
    edition: 'Professional',
    params: [{ name: 'ticketId', description: 'only this ticket', default: 'tickets changed since the last successful run' }],
  },
  {
    id: 'tickets', description: 'all tickets, or those changed since a time', endpoint: 'tickets', fanOut: 'pages', edition: 'any',
    params: [{ name: 'since', description: 'ISO time: only tickets modified since then (uses /tickets/search)', default: 'all tickets' }],
  },
];

export function findReport(id: string): ReportDefinition | undefined {
  return REPORTS.find((report) => report.id === id);
}

/** "GET /agents/{agentId}/timeEntry" */
export function reportCall(report: ReportDefinition): string {
  const base = `GET ${ENDPOINTS[report.endpoint].path}`;
  if (report.id === 'pending-approvals') return `${base} (status Pending)`;
  if (report.id === 'queue') return `${base}?status=…`;
  if (report.id === 'tickets') return `${base} or GET ${ENDPOINTS.ticketSearch.path}`;
  return base;
}

export function reportScopes(report: ReportDefinition): readonly string[] {
  const scopes = new Set(ENDPOINTS[report.endpoint].scopes);
  if (report.fanOut === 'changed-ticket' || report.id === 'tickets') for (const s of ENDPOINTS.ticketSearch.scopes) scopes.add(s);
  return [...scopes];
}
