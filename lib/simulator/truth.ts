import type { EndpointKey } from '../zoho/endpoints.js';
import type { Portal } from './dataset.js';
import { editionAtLeast } from './editions.js';
import { LAYOUT_MODULES } from './organization.js';
import { ROUTES } from './routes.js';

/**
 * What a mirror of each report should hold now: every record the portal serves, rendered by the same route code
 * that answers the report's calls, so the truth and the answers cannot drift apart. Keyed by the report ids of
 * lib/reports/catalog.ts; the report's own query (its status, sort order), and its parent for fanned-out reports.
 */

export interface TruthRecord {
  record: Record<string, unknown>;
  /** the ticket, agent or department the record was read under, for fanned-out reports */
  parentId?: string;
}

type Parent = 'agent' | 'department' | 'ticket' | 'call' | 'module';

interface Truth {
  endpoint: EndpointKey;
  parent?: Parent;
  query?: (parentId: string) => Record<string, string>;
  keep?: (record: Record<string, unknown>) => boolean;
  /** each listed record as this route gives it whole (a thread in full), asked with the parent's and the record's id */
  whole?: { endpoint: EndpointKey; idParam: string; query?: Record<string, string> };
}

const TRUTHS: Readonly<Record<string, Truth>> = {
  // Read through their searches (full reads and changes alike), so their records are the search's shape.
  accounts: { endpoint: 'accountSearch', query: () => ({ sortBy: 'createdTime' }) },
  agents: { endpoint: 'agents' },
  'agent-time-entries': { endpoint: 'agentTimeEntries', parent: 'agent' },
  calls: { endpoint: 'callSearch', query: () => ({ sortBy: 'createdTime' }) },
  'call-comments': { endpoint: 'callComments', parent: 'call', query: () => ({ sortBy: 'commentedTime' }) },
  contacts: { endpoint: 'contactSearch', query: () => ({ sortBy: 'createdTime' }) },
  tasks: { endpoint: 'taskSearch', query: () => ({ sortBy: 'createdTime' }) },
  events: { endpoint: 'eventSearch', query: () => ({ sortBy: 'createdTime' }) },
  'customer-happiness': { endpoint: 'customerHappiness', parent: 'department', query: (id) => ({ department: id }) },
  departments: { endpoint: 'departments' },
  'email-failures': { endpoint: 'emailFailureAlerts', parent: 'department', query: (id) => ({ department: id }) },
  // The endpoint takes no status filter (OAS 83b5c18): the report keeps the pending ones.
  'pending-approvals': { endpoint: 'ticketApprovals', parent: 'ticket', keep: (record) => record.status === 'Pending' },
  queue: { endpoint: 'tickets', query: () => ({ status: 'Open', sortBy: 'createdTime' }) },
  threads: { endpoint: 'ticketThreads', parent: 'ticket', query: () => ({ sortBy: 'sendDateTime' }) },
  'thread-contents': {
    endpoint: 'ticketThreads',
    parent: 'ticket',
    query: () => ({ sortBy: 'sendDateTime' }),
    whole: { endpoint: 'ticketThread', idParam: 'threadId', query: { include: 'plainText' } },
  },
  'ticket-history': { endpoint: 'ticketHistory', parent: 'ticket' },
  'ticket-comments': { endpoint: 'ticketComments', parent: 'ticket', query: () => ({ sortBy: 'commentedTime' }) },
  'ticket-attachments': { endpoint: 'ticketAttachments', parent: 'ticket', query: () => ({ sortBy: 'createdTime' }) },
  'ticket-tags': { endpoint: 'ticketTags', parent: 'department', query: (id) => ({ departmentId: id }) },
  'ticket-time-entries': { endpoint: 'ticketTimeEntries', parent: 'ticket' },
  tickets: { endpoint: 'ticketSearch', query: () => ({ sortBy: 'modifiedTime' }) },
  teams: { endpoint: 'teams' },
  roles: { endpoint: 'roles' },
  profiles: { endpoint: 'profiles' },
  layouts: { endpoint: 'layouts', parent: 'module', query: (module) => ({ module }) },
  contracts: { endpoint: 'contracts', query: () => ({ sortBy: 'createdTime' }) },
  products: { endpoint: 'productSearch', query: () => ({ sortBy: 'createdTime' }) },
  articles: { endpoint: 'articleSearch', query: () => ({ sortBy: 'createdTime' }) },
};

export const TRUTH_REPORTS = Object.keys(TRUTHS);

function parents(portal: Portal, parent: Parent | undefined): Array<string | undefined> {
  if (parent === 'agent') return portal.agents.map((a) => a.id);
  if (parent === 'department') return portal.departments.map((d) => d.id);
  if (parent === 'module') return Object.keys(LAYOUT_MODULES);
  if (parent === 'call') return portal.calls.filter((c) => !portal.hidden.has(c.id)).map((c) => c.id);
  if (parent === 'ticket') return portal.tickets.filter((t) => !portal.hidden.has(t.id)).map((t) => t.id);
  return [undefined];
}

/**
 * The records of `report` the portal holds now, in the order its endpoint serves them. A report the portal's
 * edition does not serve (403 LICENSE_ACCESS_LIMITED) has none.
 */
export function currentRecords(portal: Portal, report: string, now: number): TruthRecord[] {
  const truth = TRUTHS[report];
  if (!truth) throw new Error(`unknown report "${report}": use one of ${TRUTH_REPORTS.join(', ')}`);
  const route = ROUTES.find((r) => r.key === truth.endpoint);
  if (!route) throw new Error(`no simulated route for ${truth.endpoint}`);
  const records: TruthRecord[] = [];
  for (const parentId of parents(portal, truth.parent)) {
    const query = new URLSearchParams(truth.query?.(parentId ?? ''));
    const gate = route.gate?.(query);
    if (gate && !editionAtLeast(portal.org.edition, gate.minimum)) return [];
    const params: Record<string, string> = parentId === undefined ? {} : { [`${truth.parent}Id`]: parentId };
    const result = route.produce({ portal, params, query, now });
    if (result.kind !== 'list') continue;
    for (const item of result.items) {
      const listed = result.render(item as never) as Record<string, unknown>;
      const record = truth.whole ? wholeRecord(portal, truth.whole, { ...params, [truth.whole.idParam]: String(listed.id) }, now) : listed;
      if (truth.keep && !truth.keep(record)) continue;
      records.push(parentId === undefined ? { record } : { record, parentId });
    }
  }
  return records;
}

function wholeRecord(portal: Portal, whole: NonNullable<Truth['whole']>, params: Record<string, string>, now: number): Record<string, unknown> {
  const route = ROUTES.find((r) => r.key === whole.endpoint);
  const result = route?.produce({ portal, params, query: new URLSearchParams(whole.query), now });
  if (result?.kind !== 'object') throw new Error(`${whole.endpoint} gave no record for ${JSON.stringify(params)}`);
  return result.body;
}
