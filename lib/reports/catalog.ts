import { ENDPOINTS, type EndpointKey } from '../zoho/endpoints.js';
import type { DeskRecord, PageRequest } from '../zoho/desk-client.js';
import type { ParamSpec } from './params.js';

/**
 * The reports (design.md §2): what each one calls, how it fans out, its parameters and the Zoho edition it
 * needs. Reports marked Professional answer 403 LICENSE_ACCESS_LIMITED on lower editions; that is recorded
 * as "unavailable", not retried.
 */

export type FanOut = 'pages' | 'agent' | 'department' | 'ticket-with-approvals' | 'changed-ticket' | 'module';

/** The parent of a fanned-out page: which parameter names it, and its folder ("ticket=…/"). */
export interface Parent {
  param: 'agentId' | 'departmentId' | 'ticketId' | 'module';
  scope: 'agent' | 'department' | 'ticket' | 'module';
}

/** The modules whose custom fields the reports' records carry (organizationFields `module`). */
export const FIELD_MODULES = ['tickets', 'contacts', 'accounts', 'calls'] as const; // as params.ts checks

export interface ReportDefinition {
  id: string;
  description: string;
  /** the endpoint of a plain page; `request` may choose another (tickets since a time use the search) */
  endpoint: EndpointKey;
  fanOut: FanOut;
  parent: Parent | undefined;
  params: readonly ParamSpec[];
  /** the least Zoho Desk edition that serves it */
  edition: 'any' | 'Professional';
  /** the Zoho call for one page, from the report's parameters */
  request(params: Record<string, string>): { endpoint: EndpointKey } & Pick<PageRequest, 'path' | 'query'>;
  /** records kept from a page (pending approvals keep the pending ones) */
  keep?(record: DeskRecord): boolean;
  /** the folder of a page within the run, when not its parent's ("window=0001/" for tickets) */
  scope?(params: Record<string, string>): string;
  /** the state keeps the parents that had records, for later runs to read again in turn (pending approvals) */
  carryParents?: boolean;
  /** what a person can do when the report is deeper than Zoho lets a list be paged */
  depthAdvice?: string;
  /**
   * The module search that reads this list past Zoho's depth limit, in windows of createdTime, and the search
   * filters that match the report's parameters. Used when the search counts more than the list can page through.
   */
  deepRead?: { endpoint: EndpointKey; filters(params: Record<string, string>): Record<string, string | undefined> };
  /**
   * For a page of a time window read through a search: the record field it is sorted by. Its successor starts
   * at the last record's value (keyset paging, param `after`) rather than at an offset, so a record leaving
   * the window while it is read (edited, so its time moves past the window) cannot push another past a page.
   */
  seek?(params: Record<string, string>): { field: 'modifiedTime' | 'createdTime'; after: string; lenient?: true } | undefined;
  /**
   * How the report's current state is known, so records that leave it leave its latest view:
   * - `snapshot`: every complete read of the default scope is the whole report: a record absent from it is gone;
   * - `per-parent`: every complete read of a parent (a ticket's threads) is all of that parent's records;
   * - `changes`: a run reads what changed, so a record is gone when Zoho's recycle bin says so, or when it is
   *   absent from the full read made at the reconcile interval (ZOHO_RECONCILE_HOURS).
   */
  current: 'snapshot' | 'per-parent' | 'changes';
  /** the record fields that identify a record (default: id) */
  key?: readonly string[];
  /** the `type` of Zoho's recycle-bin items that are this report's records (Recyclebin.json example values) */
  binType?: string;
  /** the record field naming the ticket a record belongs to, when not its parent: it leaves with a deleted ticket */
  ticketField?: string;
  /** its records are deletions of the other reports' records (the recycle bin): finalizing turns them into tombstones */
  deletionFeed?: true;
  /**
   * The search that reads only what changed: records modified in [since, until], oldest change first, by keyset
   * on modifiedTime (as tickets are read). Such a report is read in full on its first run and at the reconcile
   * interval (ZOHO_RECONCILE_HOURS, default 24), always through its search so every version has one shape
   * (the lists carry neither modifiedTime nor custom fields); between, only the changes.
   */
  changesSearch?: EndpointKey;
  /** planned before the other reports, so its pages are read first (tickets: what the other reports hang on) */
  readFirst?: true;
  /**
   * A list read newest first by this time field: a page whose oldest record is older than `since` (the last
   * complete run, less the overlap) is the last one read. Absent `since` (a first run), the whole list is read.
   */
  newestFirst?: string;
  /**
   * Read by change in windows of modifiedTime the search can page through, from its cursor (everything on a
   * first run), a window a page on a first run so a run larger than the day's credits has it first (tickets).
   */
  changeWindows?: true;
  /** Read from its cursor to the run's start as one modifiedTime range, where the list cannot sort by it (agent time entries). */
  rangeFromCursor?: true;
  /** The parent record's field that counts this report's records (a ticket's threadCount): its pages are planned up front. */
  countedOnParent?: string;
}

/** Where a page of a window starts, set by the page before it (keyset paging). */
const AFTER: ParamSpec = { name: 'after', kind: 'time', description: 'where a page of a window starts (from the page before it)', internal: true };

/** The parameters of one window of a deep read, set by the planner on page messages. */
const WINDOW_PARAMS: readonly ParamSpec[] = [
  { name: 'createdFrom', kind: 'time', description: 'start of a createdTime window (deep reads)', internal: true },
  { name: 'createdTo', kind: 'time', description: 'end of that window', internal: true },
  { name: 'window', kind: 'number', description: 'which window of the run', internal: true },
  AFTER,
];

const windowScope = (p: Record<string, string>) => (p.window ? `window=${p.window.padStart(4, '0')}/` : '');

/** A page of a deep read goes to the search, oldest first within its window; any other page to the list. */
function deep(search: EndpointKey, filters: (p: Record<string, string>) => Record<string, string | undefined>, list: ReportDefinition['request']) {
  return (p: Record<string, string>) =>
    p.createdFrom
      ? {
          endpoint: search,
          query: { ...filters(p), createdTimeRange: `${p.after ?? p.createdFrom},${p.createdTo ?? p.createdFrom}`, sortBy: 'createdTime' },
        }
      : list(p);
}

const seekCreated = (p: Record<string, string>) => (p.createdFrom ? { field: 'createdTime' as const, after: p.after ?? p.createdFrom } : undefined);

/** The parameters of a read of changes, set by the planner on page messages. */
const CHANGES_PARAMS: readonly ParamSpec[] = [
  { name: 'since', kind: 'time', description: 'only records modified since then (a read of changes)', internal: true },
  { name: 'until', kind: 'time', description: 'end of the since-window', internal: true },
];

/**
 * A report read by change through its search (`changesSearch`): a page of changes is the search by
 * modifiedTime, a page of a full read the search by createdTime window; a page of neither (a portal that refused
 * the search when planned) the list.
 */
function changed(
  search: EndpointKey,
  filters: (p: Record<string, string>) => Record<string, string | undefined>,
  list: ReportDefinition['request'],
): Pick<ReportDefinition, 'changesSearch' | 'deepRead' | 'request' | 'seek' | 'scope' | 'current'> {
  return {
    current: 'changes',
    changesSearch: search,
    deepRead: { endpoint: search, filters },
    request: (p) =>
      p.since
        ? {
            endpoint: search,
            query: { ...filters(p), modifiedTimeRange: `${p.after ?? p.since},${p.until ?? p.since}`, sortBy: 'modifiedTime' },
          }
        : deep(search, filters, list)(p),
    // Search.json (75e1ba5) declares modifiedTime on every search item; an answer whose records lack it anyway
    // pages on by offset (`lenient`) rather than failing. A record edited again while its window is read may then
    // push one past a page; the reconcile's full read (by createdTime) finds it.
    seek: (p) => (p.since ? { field: 'modifiedTime', after: p.after ?? p.since, lenient: true } : seekCreated(p)),
    scope: windowScope,
  };
}

const AGENT: Parent = { param: 'agentId', scope: 'agent' };
const DEPARTMENT: Parent = { param: 'departmentId', scope: 'department' };
const TICKET: Parent = { param: 'ticketId', scope: 'ticket' };

const departmentParam = (what: string, defaultValue = 'every department'): ParamSpec => ({
  name: 'departmentId',
  kind: 'id',
  description: `only this department's ${what}`,
  default: defaultValue,
});
const ticketParam = (defaultValue: string): ParamSpec => ({ name: 'ticketId', kind: 'id', description: 'only this ticket', default: defaultValue });
const CHANGED = 'tickets changed since the last successful run (all on the first)';

type Definition = Omit<ReportDefinition, 'parent' | 'request'> & Partial<Pick<ReportDefinition, 'parent' | 'request'>>;
const plain = (endpoint: EndpointKey) => () => ({ endpoint });

const DEFINITIONS: Definition[] = [
  {
    id: 'accounts',
    binType: 'Accounts',
    description: 'customer accounts changed since the last complete run (all on the first, and at each reconcile)',
    endpoint: 'accounts',
    fanOut: 'pages',
    params: [...WINDOW_PARAMS, ...CHANGES_PARAMS],
    edition: 'any',
    ...changed('accountSearch', () => ({}), plain('accounts')),
  },
  {
    id: 'agents',
    current: 'snapshot',
    description: 'all agents',
    endpoint: 'agents',
    fanOut: 'pages',
    edition: 'any',
    params: [{ name: 'status', kind: 'agent-status', description: 'ACTIVE or DISABLED', default: 'both' }],
    request: (p) => ({ endpoint: 'agents', query: { status: p.status } }),
    depthAdvice: 'Read them in two parts: `--param status=ACTIVE`, then `--param status=DISABLED`',
  },
  {
    // A time entry's requestId is its ticket (TicketTimeEntry.json); a task's entry never matches a ticket's id.
    id: 'agent-time-entries',
    current: 'changes',
    rangeFromCursor: true,
    binType: 'Time Entry',
    ticketField: 'requestId',
    description: 'time logged by each agent',
    endpoint: 'agentTimeEntries',
    fanOut: 'agent',
    edition: 'Professional',
    parent: AGENT,
    params: [
      { name: 'agentId', kind: 'id', description: 'only this agent', default: 'every agent' },
      { name: 'since', kind: 'time', description: 'only entries modified since then', default: 'since the last complete run (all on the first)' },
      { name: 'until', kind: 'time', description: 'end of the since-window', default: 'when the run starts', internal: true },
      { name: 'window', kind: 'number', description: 'which time window of an agent with many entries', internal: true },
    ],
    // An agent's entries are split into modifiedTime windows when there are more than the list can page through.
    scope: (p) => (p.agentId ? `agent=${p.agentId}/${windowScope(p)}` : ''),
    request: (p) => ({
      endpoint: 'agentTimeEntries',
      path: { agentId: p.agentId ?? '' },
      query: { modifiedTimeRange: p.since ? `${p.since},${p.until ?? new Date().toISOString()}` : undefined },
    }),
  },
  {
    id: 'calls',
    binType: 'Calls',
    description: 'call activities changed since the last complete run (all on the first, and at each reconcile)',
    endpoint: 'calls',
    fanOut: 'pages',
    edition: 'any',
    params: [departmentParam('calls', 'all calls'), ...WINDOW_PARAMS, ...CHANGES_PARAMS],
    ...changed(
      'callSearch',
      (p) => ({ departmentId: p.departmentId }),
      (p) => ({ endpoint: 'calls', query: { departmentId: p.departmentId } }),
    ),
  },
  {
    id: 'contacts',
    binType: 'Contacts',
    description: 'contacts changed since the last complete run (all on the first, and at each reconcile)',
    endpoint: 'contacts',
    fanOut: 'pages',
    params: [...WINDOW_PARAMS, ...CHANGES_PARAMS],
    edition: 'any',
    ...changed('contactSearch', () => ({}), plain('contacts')),
  },
  {
    id: 'customer-happiness',
    current: 'snapshot',
    description: 'customer happiness ratings',
    endpoint: 'customerHappiness',
    fanOut: 'department',
    edition: 'Professional',
    parent: DEPARTMENT,
    params: [departmentParam('ratings')],
    request: (p) => ({ endpoint: 'customerHappiness', query: { department: p.departmentId } }),
  },
  { id: 'departments', current: 'snapshot', description: 'all departments', endpoint: 'departments', fanOut: 'pages', params: [], edition: 'any' },
  {
    id: 'email-failures',
    current: 'snapshot',
    key: ['ticketId', 'threadId'],
    description: 'email delivery failure alerts',
    endpoint: 'emailFailureAlerts',
    fanOut: 'department',
    edition: 'any',
    parent: DEPARTMENT,
    params: [departmentParam('alerts')],
    request: (p) => ({ endpoint: 'emailFailureAlerts', query: { department: p.departmentId } }),
  },
  {
    id: 'organization-fields',
    current: 'snapshot',
    description: 'field metadata (custom fields included) of tickets, contacts, accounts and calls',
    endpoint: 'organizationFields',
    fanOut: 'module',
    edition: 'any',
    parent: { param: 'module', scope: 'module' },
    params: [{ name: 'module', kind: 'module', description: "only this module's fields", default: FIELD_MODULES.join(', ') }],
    request: (p) => ({ endpoint: 'organizationFields', query: { module: p.module } }),
  },
  {
    id: 'recycle-bin',
    current: 'changes',
    deletionFeed: true,
    newestFirst: 'deletedTime',
    description: 'records deleted in Zoho Desk (its recycle bin, newest first): tickets, contacts, accounts, calls, time entries',
    endpoint: 'recycleBin',
    fanOut: 'pages',
    edition: 'any',
    params: [
      {
        name: 'since',
        kind: 'time',
        description: 'only records deleted since then',
        default: 'since the last complete run (all on the first)',
        internal: true,
      },
    ],
    // `-deletedTime` (declared in Recyclebin.json from commit 3f7016e on): new deletions come first.
    request: () => ({ endpoint: 'recycleBin', query: { sortBy: '-deletedTime' } }),
  },
  {
    id: 'pending-approvals',
    current: 'per-parent',
    description: 'approvals still pending, per ticket',
    endpoint: 'ticketApprovals',
    fanOut: 'ticket-with-approvals',
    edition: 'any',
    parent: TICKET,
    carryParents: true,
    params: [
      ticketParam(
        'tickets with approvals changed since the last complete run, and a share of those pending then, so each is read again within ZOHO_RECONCILE_HOURS',
      ),
    ],
    request: (p) => ({ endpoint: 'ticketApprovals', path: { ticketId: p.ticketId ?? '' } }),
    // The endpoint takes no status filter (OAS 83b5c18), so the filter is ours.
    keep: (record) => record.status === 'Pending',
  },
  {
    id: 'queue',
    current: 'snapshot',
    binType: 'Tickets',
    description: 'tickets in a status (a queue view)',
    endpoint: 'tickets',
    fanOut: 'pages',
    edition: 'Professional',
    params: [
      { name: 'status', kind: 'ticket-status', description: 'ticket status, or a comma list', default: 'Open' },
      departmentParam('tickets'),
      ...WINDOW_PARAMS,
    ],
    deepRead: { endpoint: 'ticketSearch', filters: (p) => ({ status: p.status ?? 'Open', departmentId: p.departmentId }) },
    request: deep(
      'ticketSearch',
      (p) => ({ status: p.status ?? 'Open', departmentId: p.departmentId }),
      (p) => ({ endpoint: 'tickets', query: { status: p.status ?? 'Open', departmentId: p.departmentId, sortBy: 'createdTime' } }),
    ),
    scope: windowScope,
    seek: seekCreated,
  },
  {
    id: 'threads',
    current: 'per-parent',
    countedOnParent: 'threadCount',
    description: 'conversation threads of each ticket',
    endpoint: 'ticketThreads',
    fanOut: 'changed-ticket',
    edition: 'any',
    parent: TICKET,
    params: [ticketParam(CHANGED)],
    request: (p) => ({ endpoint: 'ticketThreads', path: { ticketId: p.ticketId ?? '' }, query: { sortBy: 'sendDateTime' } }),
  },
  {
    id: 'ticket-tags',
    current: 'snapshot',
    description: 'ticket tags of each department',
    endpoint: 'ticketTags',
    fanOut: 'department',
    edition: 'any',
    parent: DEPARTMENT,
    params: [departmentParam('tags')],
    request: (p) => ({ endpoint: 'ticketTags', query: { departmentId: p.departmentId } }),
  },
  {
    id: 'ticket-time-entries',
    current: 'per-parent',
    binType: 'Time Entry',
    description: 'time logged on each ticket',
    endpoint: 'ticketTimeEntries',
    fanOut: 'changed-ticket',
    edition: 'Professional',
    parent: TICKET,
    params: [ticketParam(CHANGED)],
    request: (p) => ({ endpoint: 'ticketTimeEntries', path: { ticketId: p.ticketId ?? '' } }),
  },
  {
    id: 'tickets',
    current: 'changes',
    readFirst: true,
    changeWindows: true,
    binType: 'Tickets',
    description: 'tickets modified since the last complete run (all on the first)',
    endpoint: 'ticketSearch',
    fanOut: 'pages',
    edition: 'any',
    params: [
      { name: 'since', kind: 'time', description: 'only tickets modified since then', default: 'since the last complete run (all on the first)' },
      { name: 'until', kind: 'time', description: 'end of the since-window', default: 'when the run starts', internal: true },
      { name: 'window', kind: 'number', description: 'which time window of the run', internal: true },
      AFTER,
    ],
    // Always the search, oldest change first, in time windows small enough for its `from` cap.
    request: (p) => ({
      endpoint: 'ticketSearch',
      query: {
        modifiedTimeRange: `${p.after ?? p.since ?? '2000-01-01T00:00:00.000Z'},${p.until ?? new Date().toISOString()}`,
        sortBy: 'modifiedTime',
      },
    }),
    scope: windowScope,
    seek: (p) => ({ field: 'modifiedTime', after: p.after ?? p.since ?? '2000-01-01T00:00:00.000Z' }),
  },
];

export const REPORTS: readonly ReportDefinition[] = DEFINITIONS.map((d) => ({
  ...d,
  parent: d.parent,
  request: d.request ?? plain(d.endpoint),
}));

export const REPORT_IDS = REPORTS.map((r) => r.id);

/** The fields that identify a report's records. */
export const keyFields = (report: Pick<ReportDefinition, 'key'>): readonly string[] => report.key ?? ['id'];

/** A record's identity within its report: its id, or its key fields joined by "/" (as the views join them). */
export function recordKey(report: Pick<ReportDefinition, 'key'>, record: DeskRecord): string | undefined {
  const parts = keyFields(report).map((field) => record[field]);
  return parts.every((p) => typeof p === 'string' || typeof p === 'number') ? parts.map(String).join('/') : undefined;
}

/** Whether a record of a newest-first list is older than the `since` it is read down to (an earlier run read it). */
export function olderThanSince(report: ReportDefinition, params: Record<string, string>, record: DeskRecord): boolean {
  if (!report.newestFirst || !params.since) return false;
  const value = record[report.newestFirst];
  const time = typeof value === 'string' ? Date.parse(value) : typeof value === 'number' ? value : Number.NaN;
  return time < Date.parse(params.since);
}

/** Whether a page of a newest-first list reached back past `since`: nothing older is to be read. */
export function readPastSince(report: ReportDefinition, params: Record<string, string>, records: readonly DeskRecord[]): boolean {
  return records.some((record) => olderThanSince(report, params, record));
}

export function findReport(id: string): ReportDefinition | undefined {
  return REPORTS.find((report) => report.id === id);
}

/** "GET /agents/{agentId}/timeEntry" */
export function reportCall(report: ReportDefinition): string {
  const base = `GET ${ENDPOINTS[report.endpoint].path}`;
  if (report.id === 'pending-approvals') return `${base} (status Pending)`;
  if (report.id === 'queue') return `${base}?status=…`;
  if (report.id === 'tickets') return `${base}?modifiedTimeRange=… (in time windows)`;
  if (report.changesSearch) return `GET ${ENDPOINTS[report.changesSearch].path}?modifiedTimeRange=… (all at the reconcile)`;
  return base;
}

export function reportScopes(report: ReportDefinition): readonly string[] {
  const scopes = new Set(ENDPOINTS[report.endpoint].scopes);
  if (report.fanOut === 'changed-ticket' || report.id === 'tickets') for (const s of ENDPOINTS.ticketSearch.scopes) scopes.add(s);
  if (report.changesSearch) for (const s of ENDPOINTS[report.changesSearch].scopes) scopes.add(s);
  return [...scopes];
}
