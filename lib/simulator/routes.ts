import { ENDPOINTS, type EndpointKey } from '../zoho/endpoints.js';
import type { Edition, Portal, Ticket } from './dataset.js';
import { ticketThreads } from './dataset.js';
import { byTime, inRange, LISTS, list, parseRange, SEARCHES, searched, searchSorts, TICKETS_READ, ticketFor } from './route-kit.js';

export { parseRange } from './route-kit.js';
import { listWeight } from './editions.js';
import { SETTINGS_SPECS } from './routes-settings.js';
import { TICKET_CHILD_SPECS } from './routes-ticket-children.js';
import { listedThreadJson } from './thread-contents.js';
import { ACTIVITY_SPECS } from './routes-activities.js';
import { MORE_SPECS } from './routes-more.js';
import * as shape from './shapes.js';
import { visible } from './trash.js';

/**
 * How the simulated Zoho Desk behaves per endpoint: the "truth" the client is tested against. Declared
 * query parameters come from the official OAS (shared with the client's table, both copied from the same
 * spec); paging truths (first record, limit range, depth cap) are set here on their own, so a wrong
 * assumption in the client shows up as a skipped or repeated record in the tests.
 */

export interface Paging {
  /** `from` of the first record; on 1-based endpoints from=0 reads as 1 */
  base: 0 | 1;
  minLimit: number;
  maxLimit: number;
  defaultLimit: number;
  /** the deepest `from` Zoho accepts (422 beyond) */
  fromMax: number;
}

export interface RouteContext {
  portal: Portal;
  params: Record<string, string>;
  query: URLSearchParams;
  /** the simulator's clock, now */
  now: number;
}

export type RouteResult =
  /** emptyAsData: an empty page is 200 `{data: []}`, for endpoints whose spec declares no 204 */
  | { kind: 'list'; items: readonly unknown[]; render: (item: never) => unknown; withCount?: boolean; emptyAsData?: boolean }
  | { kind: 'object'; body: Record<string, unknown> }
  /** a file (an attachment's content) */
  | { kind: 'file'; bytes: Uint8Array; contentType: string }
  | { kind: 'not-found'; message: string };

export interface SimRoute {
  key: EndpointKey;
  template: string;
  pattern: RegExp;
  declared: readonly string[];
  required: readonly string[];
  enums: Record<string, readonly string[]>;
  paging: Paging | undefined;
  /** any one of these groups of scopes suffices */
  scopes: ReadonlyArray<readonly string[]>;
  /** edition gating: the least edition, and the feature name Zoho reports */
  gate: ((query: URLSearchParams) => { minimum: Edition; feature: string } | undefined) | undefined;
  needsOrg: boolean;
  weight: (from: number) => number;
  responseKey: string;
  produce: (context: RouteContext) => RouteResult;
}

const professional = (feature: string) => () => ({ minimum: 'PROFESSIONAL' as Edition, feature });

export type RouteSpec = Omit<
  SimRoute,
  'key' | 'pattern' | 'declared' | 'required' | 'enums' | 'gate' | 'needsOrg' | 'weight' | 'responseKey' | 'template'
> &
  Partial<Pick<SimRoute, 'enums' | 'gate' | 'needsOrg' | 'weight' | 'responseKey' | 'required'>>;

const SEARCH_READ = [['Desk.tickets.READ', 'Desk.search.READ']] as const;
const SETTINGS_OR_BASIC = [['Desk.settings.READ'], ['Desk.basic.READ']] as const;

const SPECS: Record<EndpointKey, RouteSpec> = {
  organizations: {
    paging: undefined,
    scopes: [['Desk.basic.READ'], ['Desk.settings.READ']],
    needsOrg: false,
    weight: () => 1,
    produce: ({ portal }) => list([portal], shape.organizationJson),
  },
  accounts: {
    paging: { ...LISTS, base: 1, maxLimit: 99 },
    scopes: [['Desk.contacts.READ']],
    enums: { sortBy: ['website', 'email', 'phone', 'accountName', 'createdTime', 'modifiedTime'] },
    produce: ({ portal }) => list(visible(portal, portal.accounts), (a) => shape.accountJson(portal, a as never)),
  },
  accountSearch: {
    paging: SEARCHES,
    scopes: [['Desk.contacts.READ', 'Desk.search.READ']],
    enums: searchSorts('modifiedTime', 'createdTime', 'accountName'),
    produce: ({ portal, query }) =>
      list(
        searched(visible(portal, portal.accounts), query, (a) => a.modifiedTime),
        (a) => shape.accountSearchJson(portal, a as never),
        true,
      ),
  },
  agents: {
    paging: { ...LISTS, base: 1, minLimit: 10, maxLimit: 200 },
    scopes: SETTINGS_OR_BASIC,
    enums: { status: ['ACTIVE', 'DISABLED'] },
    produce: ({ portal, query }) => {
      const status = query.get('status');
      return list(
        portal.agents.filter((a) => !status || a.status === status),
        (a) => shape.agentJson(portal, a as never),
      );
    },
  },
  agentTimeEntries: {
    paging: { ...LISTS, base: 0 },
    scopes: [['Desk.settings.READ']],
    gate: professional('TimeTracking'),
    enums: { orderBy: ['ASC', 'DESC'], billStatus: ['nonBillable', 'billable', 'billed'] },
    produce: ({ portal, params, query }) => {
      if (!portal.agentsById.has(params.agentId ?? '')) return { kind: 'not-found', message: 'The requested agent does not exist.' };
      const modified = parseRange(query.get('modifiedTimeRange'));
      const created = parseRange(query.get('createdTimeRange'));
      const items = portal.timeEntries
        .filter((e) => e.ownerId === params.agentId && inRange(e.modifiedTime, modified) && inRange(e.createdTime, created))
        .filter((e) => !portal.hidden.has(e.id) && !portal.hidden.has(e.ticketId))
        .sort(byTime((e) => e.executedTime, query.get('orderBy') === 'DESC'));
      return list(items, (e) => shape.timeEntryJson(portal, e as never));
    },
  },
  calls: {
    paging: { ...LISTS, base: 1, maxLimit: 99 },
    scopes: [['Desk.activities.calls.READ'], ['Desk.calls.READ']],
    enums: { sortBy: ['startTime', 'createdTime'] },
    produce: ({ portal, query }) => {
      const department = query.get('departmentId');
      const calls = visible(portal, portal.calls);
      return list(department ? calls.filter((c) => c.departmentId === department) : calls, (c) => shape.callJson(portal, c as never));
    },
  },
  callSearch: {
    paging: SEARCHES,
    scopes: [
      ['Desk.activities.calls.READ', 'Desk.search.READ'],
      ['Desk.calls.READ', 'Desk.search.READ'],
    ],
    enums: searchSorts('modifiedTime', 'createdTime'),
    produce: ({ portal, query }) => {
      const department = query.get('departmentId');
      const id = query.get('id');
      const calls = visible(portal, portal.calls).filter((c) => (!department || c.departmentId === department) && (!id || c.id === id));
      return list(
        searched(calls, query, (c) => c.modifiedTime),
        (c) => shape.callJson(portal, c as never),
        true,
      );
    },
  },
  contactSearch: {
    paging: SEARCHES,
    scopes: [['Desk.contacts.READ', 'Desk.search.READ']],
    enums: searchSorts('modifiedTime', 'createdTime', 'lastName', 'firstName'),
    // A simulated contact's modifiedTime is its createdTime until evolve edits it.
    produce: ({ portal, query }) =>
      list(
        searched(visible(portal, portal.contacts), query, (c) => c.modifiedTime ?? c.createdTime),
        (c) => shape.contactSearchJson(portal, c as never),
        true,
      ),
  },
  contacts: {
    paging: { ...LISTS, base: 1, maxLimit: 99 },
    scopes: [['Desk.contacts.READ']],
    enums: { sortBy: ['firstName', 'lastName', 'phone', 'email', 'account', 'createdTime', 'modifiedTime'] },
    produce: ({ portal }) => list(visible(portal, portal.contacts), (c) => shape.contactJson(portal, c as never)),
  },
  customerHappiness: {
    paging: { ...LISTS, base: 1 },
    scopes: TICKETS_READ,
    gate: professional('CustomerHappiness'),
    enums: { sortBy: ['ratedTime', '-ratedTime'] },
    produce: ({ portal, query }) => {
      const department = query.get('department');
      const items = portal.ratings
        .filter((r) => (!department || department === 'allDepartment' || r.departmentId === department) && !portal.hidden.has(r.ticketId))
        .sort(byTime((r) => r.ratedTime, query.get('sortBy') === '-ratedTime'));
      return list(items, (r) => shape.ratingJson(portal, r as never));
    },
  },
  departments: {
    paging: { ...LISTS, base: 1, minLimit: 0, maxLimit: 200 },
    scopes: SETTINGS_OR_BASIC,
    produce: ({ portal }) => list(portal.departments, shape.departmentJson as (d: unknown) => unknown),
  },
  emailFailureAlerts: {
    paging: { ...LISTS, base: 0, maxLimit: 50 },
    scopes: TICKETS_READ,
    produce: ({ portal, query }) => {
      const department = query.get('department');
      const items = portal.emailFailures.filter(
        (f) => (department === 'allDepartment' || f.departmentId === department) && !portal.hidden.has(f.ticketId),
      );
      return list(items, (f) => shape.emailFailureJson(portal, f as never));
    },
  },
  ticketApprovals: {
    paging: undefined,
    scopes: TICKETS_READ,
    weight: () => 1,
    produce: (context) => {
      const ticket = ticketFor(context);
      if (!ticket) return { kind: 'not-found', message: 'The requested ticket does not exist.' };
      const items = context.portal.approvals.filter((a) => a.ticketId === ticket.id);
      return list(items, (a) => shape.approvalJson(context.portal, a as never));
    },
  },
  tickets: {
    paging: { ...LISTS, base: 1, defaultLimit: 25 },
    scopes: TICKETS_READ,
    // Queue views by status need a paid edition (the original project's users saw this on Free/Standard).
    gate: (query) => (query.has('status') ? { minimum: 'PROFESSIONAL', feature: 'TicketQueueView' } : undefined),
    enums: { sortBy: ['dueDate', 'createdTime', 'recentThread', '-dueDate', '-createdTime', '-recentThread'] },
    produce: ({ portal, query }) => {
      const statuses = query
        .get('status')
        ?.split(',')
        .map((s) => s.trim().toLowerCase());
      const department = query.get('departmentId');
      const assignee = query.get('assignee');
      const sortBy = query.get('sortBy') ?? '-createdTime';
      const items = portal.tickets
        .filter((t) => !portal.hidden.has(t.id) && (!statuses || statuses.includes(t.status.toLowerCase())))
        .filter((t) => !department || t.departmentId === department)
        .filter((t) => !assignee || (assignee === 'Unassigned' ? t.assigneeId === null : t.assigneeId === assignee))
        .sort(byTime((t) => (sortBy.endsWith('dueDate') ? (t.dueDate ?? 0) : t.createdTime), sortBy.startsWith('-')));
      return list(items, (t) => shape.ticketListJson(portal, t as never));
    },
  },
  ticketSearch: {
    paging: { ...LISTS, base: 0, fromMax: 999 },
    scopes: SEARCH_READ,
    enums: {
      sortBy: [
        'relevance',
        'modifiedTime',
        'createdTime',
        'customerResponseTime',
        '-relevance',
        '-modifiedTime',
        '-createdTime',
        '-customerResponseTime',
      ],
    },
    produce: ({ portal, query }) => {
      const modified = parseRange(query.get('modifiedTimeRange'));
      const created = parseRange(query.get('createdTimeRange'));
      const match = (name: string, value: string) => !query.has(name) || query.get(name) === value;
      // OAS: status is a comma list ("status=open,in progress").
      const statuses = query
        .get('status')
        ?.split(',')
        .map((s) => s.trim().toLowerCase());
      const hasStatus = (t: Ticket) => !statuses || statuses.includes(t.status.toLowerCase());
      const sortBy = query.get('sortBy') ?? '-createdTime';
      const field = sortBy.includes('modifiedTime') ? (t: Ticket) => t.modifiedTime : (t: Ticket) => t.createdTime;
      const items = portal.tickets
        .filter((t) => !portal.hidden.has(t.id) && inRange(t.modifiedTime, modified) && inRange(t.createdTime, created))
        .filter((t) => match('departmentId', t.departmentId) && match('id', t.id) && match('ticketNumber', String(t.ticketNumber)))
        .filter((t) => match('assigneeId', t.assigneeId ?? '') && match('contactId', t.contactId) && hasStatus(t))
        .sort((a, b) => byTime(field, sortBy.startsWith('-'))(a, b) || a.index - b.index);
      return list(items, (t) => shape.ticketSearchJson(portal, t as never), true);
    },
  },
  ticketThreads: {
    paging: { ...LISTS, base: 1, maxLimit: 200, defaultLimit: 100 },
    scopes: TICKETS_READ,
    enums: { sortBy: ['sendDateTime', '-sendDateTime'] },
    produce: (context) => {
      const ticket = ticketFor(context);
      if (!ticket) return { kind: 'not-found', message: 'The requested ticket does not exist.' };
      const ascending = context.query.get('sortBy') === 'sendDateTime';
      const threads = ticketThreads(context.portal, ticket).sort(byTime((th) => th.createdTime, !ascending));
      return list(threads, (th) => listedThreadJson(context.portal, th as never));
    },
  },
  ticketTags: {
    paging: { ...LISTS, base: 1 },
    scopes: TICKETS_READ,
    enums: { sortBy: ['createdTime', 'count', '-createdTime', '-count'] },
    produce: ({ portal, query }) =>
      list(
        portal.tags.filter((t) => t.departmentId === query.get('departmentId')),
        shape.tagJson as (t: unknown) => unknown,
      ),
  },
  ticketTimeEntries: {
    paging: { ...LISTS, base: 0 },
    scopes: TICKETS_READ,
    gate: professional('TimeTracking'),
    enums: { orderBy: ['ASC', 'DESC'], billStatus: ['nonBillable', 'billable', 'billed'] },
    produce: (context) => {
      const ticket = ticketFor(context);
      if (!ticket) return { kind: 'not-found', message: 'The requested ticket does not exist.' };
      const modified = parseRange(context.query.get('modifiedTimeRange'));
      const items = context.portal.timeEntries
        .filter((e) => e.ticketId === ticket.id && inRange(e.modifiedTime, modified) && !context.portal.hidden.has(e.id))
        .sort(byTime((e) => e.executedTime, context.query.get('orderBy') === 'DESC'));
      return list(items, (e) => shape.timeEntryJson(context.portal, e as never));
    },
  },
  ticketsCount: {
    paging: undefined,
    scopes: SEARCH_READ,
    weight: () => 1,
    produce: ({ portal, query }) => {
      const modified = parseRange(query.get('modifiedTimeRange'));
      const created = parseRange(query.get('createdTimeRange'));
      const department = query.get('departmentId');
      const count = portal.tickets.filter(
        (t) =>
          !portal.hidden.has(t.id) &&
          inRange(t.modifiedTime, modified) &&
          inRange(t.createdTime, created) &&
          (!department || t.departmentId === department),
      ).length;
      return { kind: 'object', body: { count } };
    },
  },
  ...SETTINGS_SPECS,
  ...TICKET_CHILD_SPECS,
  ...ACTIVITY_SPECS,
  ...MORE_SPECS,
};

export const ROUTES: SimRoute[] = (Object.keys(SPECS) as EndpointKey[]).map((key) => {
  const spec = SPECS[key];
  const client = ENDPOINTS[key];
  const pattern = new RegExp(`^${client.path.replace(/\{(\w+)\}/g, '(?<$1>[^/]+)')}$`);
  return {
    key,
    template: client.path,
    pattern,
    declared: [...client.query, ...(spec.paging ? ['from', 'limit'] : []), 'orgId'],
    required: spec.required ?? client.required,
    enums: spec.enums ?? {},
    gate: spec.gate,
    needsOrg: spec.needsOrg ?? true,
    weight: spec.weight ?? listWeight,
    responseKey: spec.responseKey ?? client.responseKey,
    paging: spec.paging,
    scopes: spec.scopes,
    produce: spec.produce,
  };
});
