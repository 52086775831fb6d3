/**
 * The single table of the Desk endpoints the client may call, and how each one pages.
 *
 * Sources (../shared/docs/zoho-desk-api.md and zoho-oas-endpoints.json, official OAS commit 83b5c18):
 * - `query`: exactly the query parameters the OAS declares (orgId excluded: it travels as a header).
 *   Real Zoho answers 422 "Extra query parameter" for anything else, so the client refuses to send it.
 * - `fromBase`: the `from` of the first record. Confirmed by recorded real responses for /tickets/search (0)
 *   and /agents, /departments, /tickets/{id}/threads (1). Elsewhere it follows the fact sheet's model
 *   ("lists 1-based, 0 reads as 1") or the OAS default, and `baseConfirmed` is false: the paginator then
 *   dedupes ids across page boundaries and checks `count` where Zoho gives one.
 * - `maxLimit`: the largest page we ask for — the OAS maximum, or the fact sheet's safe value where the
 *   OAS is silent.
 * - `unconfirmed`: the endpoint itself is not in the OAS (customer happiness): a 404 or 422 there means
 *   "this portal does not serve it", recorded as unavailable, not a failure.
 */

export interface DeskEndpoint {
  /** stable name used across the code */
  readonly key: string;
  /** path under /api/v1, with {placeholders} for ids */
  readonly path: string;
  readonly paginated: boolean;
  readonly fromBase: 0 | 1;
  readonly baseConfirmed: boolean;
  readonly minLimit: number;
  readonly maxLimit: number;
  /** key of the record array in the response body */
  readonly responseKey: string;
  /** declared query parameters other than from/limit/orgId */
  readonly query: readonly string[];
  /** query parameters Zoho requires */
  readonly required: readonly string[];
  /** all of these scopes are needed */
  readonly scopes: readonly string[];
  readonly needsOrgId: boolean;
  readonly unconfirmed: boolean;
  /**
   * The deepest `from` Zoho accepts (422 beyond): 999 on /tickets/search per the OAS; 4999 on lists per
   * third-party reports (UNCONFIRMED). Deeper history is read in time windows.
   */
  readonly fromMax: number;
}

type EndpointSpec = Omit<Partial<DeskEndpoint>, 'key'> & Pick<DeskEndpoint, 'path' | 'scopes'>;

const LIST: Partial<DeskEndpoint> = {
  paginated: true,
  fromBase: 1,
  baseConfirmed: false,
  minLimit: 1,
  maxLimit: 100,
  responseKey: 'data',
  query: [],
  required: [],
  needsOrgId: true,
  unconfirmed: false,
  fromMax: 4_999,
};

const RANGE_FILTERS = ['createdTimeRange', 'modifiedTimeRange'] as const;

/**
 * The module searches (OAS Search.json, commits 75e1ba5 and bc1833e): `from` 0–999 ("starts from 0"), `limit`
 * 1–100, `count` in every answer, created/modified time ranges. The one way Zoho offers past a list's depth.
 */
const SEARCH: Partial<DeskEndpoint> = { fromBase: 0, baseConfirmed: true, fromMax: 999 };

const SPECS = {
  organizations: {
    path: '/organizations',
    paginated: false,
    needsOrgId: false,
    scopes: ['Desk.basic.READ'],
  },
  accounts: {
    path: '/accounts',
    maxLimit: 99,
    query: ['sortBy'],
    scopes: ['Desk.contacts.READ'],
  },
  agents: {
    path: '/agents',
    baseConfirmed: true,
    minLimit: 10,
    maxLimit: 200,
    query: ['include', 'roleIds', 'searchStr', 'rolePermissionType', 'profileIds', 'isConfirmed', 'departmentIds', 'status'],
    scopes: ['Desk.basic.READ'],
  },
  agentTimeEntries: {
    path: '/agents/{agentId}/timeEntry',
    fromBase: 0,
    query: ['include', 'module', 'departmentId', 'billStatus', 'orderBy', ...RANGE_FILTERS],
    scopes: ['Desk.settings.READ'],
  },
  calls: {
    path: '/calls',
    maxLimit: 99,
    query: ['include', 'departmentId', 'sortBy', 'startTime', 'departmentIds', 'isCompleted'],
    scopes: ['Desk.activities.calls.READ'],
  },
  accountSearch: {
    ...SEARCH,
    path: '/accounts/search',
    query: ['accountName', 'id', '_all', 'sortBy', ...RANGE_FILTERS],
    scopes: ['Desk.contacts.READ', 'Desk.search.READ'],
  },
  callSearch: {
    ...SEARCH,
    path: '/calls/search',
    query: [
      'assigneeId',
      'ticketNumber',
      'startDateRange',
      'subject',
      'departmentId',
      'priority',
      '_all',
      'id',
      'status',
      'sortBy',
      ...RANGE_FILTERS,
    ],
    // OAS: Desk.calls.READ with Desk.search.READ; the list also takes Desk.activities.calls.READ (inferred here too).
    scopes: ['Desk.activities.calls.READ', 'Desk.search.READ'],
  },
  contactSearch: {
    ...SEARCH,
    path: '/contacts/search',
    query: ['email', 'phone', 'mobile', 'accountName', 'id', '_all', 'lastName', 'firstName', 'fullName', 'sortBy', ...RANGE_FILTERS],
    scopes: ['Desk.contacts.READ', 'Desk.search.READ'],
  },
  contacts: {
    path: '/contacts',
    maxLimit: 99,
    query: ['include', 'viewId', 'sortBy'],
    scopes: ['Desk.contacts.READ'],
  },
  customerHappiness: {
    // Not in the OAS: path and parameters from third-party code.
    path: '/customerHappiness',
    maxLimit: 50,
    query: ['department', 'sortBy'],
    scopes: ['Desk.tickets.READ'],
    unconfirmed: true,
  },
  departments: {
    path: '/departments',
    baseConfirmed: true,
    maxLimit: 200,
    query: ['chatStatus', 'searchStr', 'isEnabled'],
    scopes: ['Desk.basic.READ'],
  },
  emailFailureAlerts: {
    path: '/emailFailureAlerts',
    fromBase: 0,
    maxLimit: 50,
    query: ['department'],
    required: ['department'],
    scopes: ['Desk.tickets.READ'],
  },
  ticketApprovals: {
    // OAS 83b5c18 declares no from/limit/status here: send none, filter by status on our side.
    path: '/tickets/{ticketId}/approvals',
    paginated: false,
    scopes: ['Desk.tickets.READ'],
  },
  tickets: {
    path: '/tickets',
    query: ['include', 'departmentId', 'dueDate', 'channel', 'sortBy', 'assignee', 'teamIds', 'receivedInDays', 'closedTime', 'status'],
    scopes: ['Desk.tickets.READ'],
  },
  ticketSearch: {
    ...SEARCH,
    path: '/tickets/search',
    query: [
      'ticketNumber',
      'accountName',
      'subject',
      'departmentId',
      'channel',
      'customerResponseTimeRange',
      'description',
      'productName',
      '_all',
      'dueDateRange',
      'sortBy',
      'id',
      'tag',
      'productId',
      'contactId',
      'contactName',
      'priority',
      'assigneeId',
      'accountId',
      'category',
      'status',
      ...RANGE_FILTERS,
    ],
    scopes: ['Desk.tickets.READ', 'Desk.search.READ'],
  },
  ticketThreads: {
    path: '/tickets/{ticketId}/threads',
    baseConfirmed: true,
    query: ['sortBy'],
    scopes: ['Desk.tickets.READ'],
  },
  ticketTags: {
    path: '/ticketTags',
    query: ['departmentId', 'sortBy'],
    required: ['departmentId'],
    scopes: ['Desk.tickets.READ'],
  },
  ticketTimeEntries: {
    path: '/tickets/{ticketId}/timeEntry',
    fromBase: 0,
    query: ['include', 'module', 'billStatus', 'orderBy', ...RANGE_FILTERS],
    scopes: ['Desk.tickets.READ'],
  },
  ticketComments: {
    // TicketComment.json getTicketComments (OAS 3f7016e): `from` minimum 0 (no base said), `limit` 1-100 (default 50),
    // `sortBy` -?commentedTime, `include` mentions.
    path: '/tickets/{ticketId}/comments',
    fromBase: 0,
    query: ['include', 'sortBy'],
    scopes: ['Desk.tickets.READ'],
  },
  tasks: {
    // Task.json getTasks (OAS 83b5c18): a department's tasks (departmentId required), limit 1-99, no `from` base
    // declared; sortBy category|subject|dueDate|status|createdTime|modifiedTime|priority. Either scope serves it.
    path: '/tasks',
    maxLimit: 99,
    query: ['include', 'departmentId', 'sortBy'],
    required: ['departmentId'],
    scopes: ['Desk.tasks.READ'],
  },
  events: {
    // Event.json getEvents (OAS 83b5c18): as tasks, sortBy startTime|createdTime.
    path: '/events',
    maxLimit: 99,
    query: ['include', 'departmentId', 'sortBy'],
    required: ['departmentId'],
    scopes: ['Desk.events.READ'],
  },
  taskSearch: {
    // Search.json searchTasks (OAS 83b5c18): every permitted department unless departmentId, by created/modified/due
    // ranges, sortBy relevance|modifiedTime|createdTime, {data, count}. Its scopes are listed together there.
    ...SEARCH,
    path: '/tasks/search',
    query: ['ticketNumber', 'subject', 'departmentId', 'priority', 'status', 'id', '_all', 'dueDateRange', 'sortBy', ...RANGE_FILTERS],
    scopes: ['Desk.tasks.READ', 'Desk.search.READ'],
  },
  eventSearch: {
    // Search.json searchEvents (OAS 83b5c18): as tasks, startDateRange for dueDateRange.
    ...SEARCH,
    path: '/events/search',
    query: ['ticketNumber', 'subject', 'departmentId', 'priority', '_all', 'id', 'status', 'startDateRange', 'sortBy', ...RANGE_FILTERS],
    scopes: ['Desk.events.READ', 'Desk.search.READ'],
  },
  teams: {
    // Team.json getTeams (OAS 83b5c18): every team in one answer under `teams`, no paging or filter declared.
    path: '/teams',
    paginated: false,
    responseKey: 'teams',
    scopes: ['Desk.basic.READ'],
  },
  roles: {
    // Role.json getRoles (OAS 83b5c18): limit up to 500 (default 15), from minimum 0.
    path: '/roles',
    fromBase: 0,
    maxLimit: 500,
    query: ['isDefault', 'searchStr', 'isVisible'],
    scopes: ['Desk.basic.READ'],
  },
  profiles: {
    // Profile.json getProfileList (OAS 83b5c18): no from/limit declared, one answer.
    path: '/profiles',
    paginated: false,
    query: ['default', 'visible', 'searchStr'],
    scopes: ['Desk.basic.READ'],
  },
  layouts: {
    // Layout.json getLayouts (OAS 83b5c18): a module's layouts (module required), one answer.
    path: '/layouts',
    paginated: false,
    query: ['module', 'departmentId', 'id'],
    required: ['module'],
    scopes: ['Desk.basic.READ'],
  },
  contracts: {
    // Contract.json getContracts (OAS 83b5c18): limit and from without bounds (the lists' 1-based model, 100 a page);
    // sortBy accountName|contractName|contractEndDate|contractStartDate|createdTime|modifiedTime. No search exists.
    path: '/contracts',
    query: ['accountId', 'include', 'ownerIds', 'sortBy', 'contractName', 'departmentIds', 'fields'],
    scopes: ['Desk.settings.READ'],
  },
  productSearch: {
    // Search.json searchProducts (OAS 83b5c18). GET /products needs a custom view's id (viewId, required), which a
    // portal names for itself: products are read through the search alone. Desk.products.READ also serves it.
    ...SEARCH,
    path: '/products/search',
    query: ['contactId', 'departmentId', 'productName', '_all', 'accountId', 'productCode', 'sortBy', 'id', ...RANGE_FILTERS],
    scopes: ['Desk.settings.READ', 'Desk.search.READ'],
  },
  articles: {
    // Article.json getArticles (OAS 83b5c18): from minimum 1, limit 1-50, modifiedTimeRange and sortBy modifiedTime.
    path: '/articles',
    maxLimit: 50,
    query: ['permission', 'authorId', 'sortBy', 'modifiedTimeRange', 'expiryTimeRange', 'categoryId', 'status'],
    scopes: ['Desk.articles.READ'],
  },
  articleSearch: {
    // Search.json searchArticles (OAS 83b5c18).
    ...SEARCH,
    path: '/articles/search',
    query: ['departmentId', 'sortBy', 'id', 'title', 'categoryId', '_all', ...RANGE_FILTERS],
    scopes: ['Desk.articles.READ', 'Desk.search.READ'],
  },
  ticketAttachments: {
    // TicketAttachment.json getTicketAttachments (OAS 83b5c18): from minimum 0, limit 1-100, sortBy -?createdTime,
    // include creator, isPublic. Its example is empty: the record is attachmentResponse's properties.
    path: '/tickets/{ticketId}/attachments',
    fromBase: 0,
    query: ['include', 'isPublic', 'sortBy'],
    scopes: ['Desk.tickets.READ'],
  },
  attachmentContent: {
    // Not an operation of the OAS: the path of the `href` its attachment examples give (TicketComment.json,
    // TicketAttachment.json). A file, not JSON; a 404 means the file went after it was listed (inferred).
    path: '/tickets/{ticketId}/attachments/{attachmentId}/content',
    paginated: false,
    scopes: ['Desk.tickets.READ'],
  },
  callComments: {
    // CallComments.json getCallComments (OAS 83b5c18): the path names the call {entityId}; limit and from without
    // bounds declared (the lists' 1-100 kept), sortBy -?commentedTime, include mentions. No 204 declared.
    path: '/calls/{callId}/comments',
    query: ['include', 'sortBy'],
    scopes: ['Desk.activities.calls.READ'],
  },
  ticketHistory: {
    // Not an operation of the OAS: TicketHistory.json declares the records (newTicketHistoryRespns, `{data: [event]}`)
    // with `paths: {}`. Zoho's "Get ticket history" route, its paging as the lists' (inferred; at most 50 a page, a
    // safe value): a portal answering 404 or 422 has the report recorded as unavailable.
    path: '/tickets/{ticketId}/History',
    maxLimit: 50,
    unconfirmed: true,
    scopes: ['Desk.tickets.READ'],
  },
  ticketThread: {
    // Thread.json getThread (OAS 75e1ba5 and bc1833e; not yet in 83b5c18): one thread in full, a bare object of
    // Conversation.json's latestThreadResponse shapes — the list's fields with `content`, `attachments`
    // [{id, name, size, href, previewurl}] and, with include=plainText, `plainText`. 404 when it is gone.
    path: '/tickets/{ticketId}/threads/{threadId}',
    paginated: false,
    query: ['include'],
    scopes: ['Desk.tickets.READ'],
  },
  threadAttachmentContent: {
    // Thread.json getThreadAttachmentContent (OAS 75e1ba5): the file itself, the `href` of a thread's attachment.
    path: '/tickets/{ticketId}/threads/{threadId}/attachments/{attachmentId}/content',
    paginated: false,
    scopes: ['Desk.tickets.READ'],
  },
  ticketsCount: {
    path: '/ticketsCount',
    paginated: false,
    query: ['contactId', 'departmentId', 'category', 'assigneeId', ...RANGE_FILTERS],
    scopes: ['Desk.tickets.READ', 'Desk.search.READ'],
  },
  recycleBin: {
    // Recyclebin.json getRecycleBinEntities (OAS 83b5c18; also 3f7016e and bc1833e): records of every module moved to
    // the trash. `limit` 1-50 at 83b5c18 (its own description says 100; 1-100 at 3f7016e/bc1833e): 50 is safe on both.
    // `from` has no declared base at 83b5c18; 3f7016e/bc1833e say minimum 0, default 0. `sortBy`
    // (-?(name|type|department|deletedBy|deletedTime)) and `module` (deprecated) are declared at 3f7016e/bc1833e only.
    path: '/recycleBin',
    fromBase: 0,
    maxLimit: 50,
    query: ['include', 'departmentId', 'moduleId', 'sortBy', 'module'],
    scopes: ['Desk.settings.READ'],
  },
  organizationFields: {
    // Field.json getFields (OAS 83b5c18): a module's fields, system and custom, in one answer (no from/limit declared).
    path: '/organizationFields',
    paginated: false,
    query: ['module', 'departmentId'],
    required: ['module'],
    scopes: ['Desk.settings.READ'],
  },
} satisfies Record<string, EndpointSpec>;

export type EndpointKey = keyof typeof SPECS;

export const ENDPOINTS: Readonly<Record<EndpointKey, DeskEndpoint>> = Object.fromEntries(
  Object.entries(SPECS).map(([key, spec]) => [key, { ...LIST, ...spec, key } as DeskEndpoint]),
) as Record<EndpointKey, DeskEndpoint>;

export function endpoint(key: EndpointKey): DeskEndpoint {
  return ENDPOINTS[key];
}

/** "GET /tickets/{ticketId}/threads": how errors and logs name a call, without ids or query values. */
export function describeEndpoint(target: DeskEndpoint): string {
  return `GET ${target.path}`;
}

/**
 * The smallest scope set that covers every endpoint above: what to request when generating a grant code.
 * Each scope here is one the original project's users already requested successfully (Desk.tasks.READ and
 * Desk.events.READ within their Desk.tasks.ALL and Desk.events.ALL, and Desk.articles.READ).
 */
/**
 * Scopes the reports added after the first release need (issue 16), which a grant made from the earlier README lacks:
 * a call refused for one of them leaves its report unavailable, with what to do, rather than failing every run.
 */
export const LATER_SCOPES: readonly string[] = ['Desk.tasks.READ', 'Desk.events.READ', 'Desk.articles.READ'];

export const RECOMMENDED_SCOPES = [
  'Desk.basic.READ',
  'Desk.settings.READ',
  'Desk.tickets.READ',
  'Desk.search.READ',
  'Desk.contacts.READ',
  'Desk.activities.calls.READ',
  'Desk.tasks.READ',
  'Desk.events.READ',
  'Desk.articles.READ',
] as const;
