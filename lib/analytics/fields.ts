/**
 * Every field Zoho documents for each report's records, typed: the catalogue the tables and views can be built
 * from (schema.ts lists only the hand-picked columns of today). Per report it is the union of the list and
 * search records the report reads, as Zoho's OpenAPI spec describes them (github.com/zoho/zohodesk-oas, folder
 * v1.0, commit 83b5c18947ef54052eb83d221ff54c2ee5a65e52, "@83b5c18" below: schema properties plus keys that
 * only the spec's own examples show), and every field the bundled simulator serves (lib/simulator/shapes.ts).
 *
 * Types are what a column should hold, not what the JSON carries: Zoho sends ids, counters and money as
 * strings ("121", "20.17"), flags now and then as "false", and times as ISO strings or epoch milliseconds.
 * The OAS declares every property nullable, so null fits every type.
 */

/** `date`: a calendar date (custom Date fields, "2026-03-01") */
export type FieldType = 'string' | 'integer' | 'decimal' | 'boolean' | 'time' | 'date' | 'json' | 'string[]';

export interface FieldSpec {
  /** Zoho's JSON key, as sent */
  name: string;
  type: FieldType;
  /** for objects whose sub-fields are also given as flat columns `<snake name>_<snake sub>` (today: agent, assignee, requester, approver {id,name}; thread author {id,name,type}) */
  flatten?: readonly string[];
}

const field =
  (type: FieldType) =>
  (name: string): FieldSpec => ({ name, type });
/** text, and every id or id reference: Zoho ids have 19 digits, past 2^53 */
const s = field('string');
/** counters, sent as strings of digits */
const i = field('integer');
/** money and costs, sent as decimal strings ("3.0") */
const d = field('decimal');
const b = field('boolean');
/** an ISO-8601 time, or epoch milliseconds in some of the spec's examples */
const t = field('time');
/** nested objects and arrays of objects, `cf` and `customFields` */
const j = field('json');
/** arrays of ids or of other strings */
const list = field('string[]');
const person = (name: string, flatten: readonly string[] = ['id', 'name']): FieldSpec => ({ name, type: 'json', flatten });

const byName = (x: FieldSpec, y: FieldSpec) => {
  const [a, c] = [x.name.toLowerCase(), y.name.toLowerCase()];
  return a < c ? -1 : a > c ? 1 : 0;
};

/** `first` as given (id, then today's columns in schema.ts order), then the other fields by name. */
const ordered = (first: readonly FieldSpec[], rest: readonly FieldSpec[]): readonly FieldSpec[] => [...first, ...[...rest].sort(byName)];

// ticketNumber is a string: it is the number people quote ("#149"), a label and a join key (email failures,
// ratings and time-entry parents carry it too), never summed or averaged; Zoho sends it as a string, and a
// string keeps today's column type. Its one cost: it sorts as text ("1000" < "999"); cast it to sort by number.
const TICKET_FIRST = [
  s('id'),
  s('ticketNumber'),
  s('subject'),
  s('status'),
  s('statusType'),
  s('channel'),
  s('priority'),
  s('departmentId'),
  s('contactId'),
  s('accountId'),
  s('assigneeId'),
  t('createdTime'),
  t('modifiedTime'),
  t('closedTime'),
  t('dueDate'),
  t('customerResponseTime'),
  i('threadCount'),
  // approvalCount: in neither the list nor the search schema (only on GET /tickets/{id}); the simulator serves it
  i('approvalCount'),
  b('isSpam'),
  b('isArchived'),
  s('webUrl'),
];
const TICKET_REST = [
  j('assignee'),
  s('category'),
  j('cf'),
  i('childTicketCount'),
  s('classification'),
  i('commentCount'),
  j('contact'),
  s('createdBy'),
  j('customFields'),
  j('department'),
  s('description'),
  s('email'),
  list('entitySkills'),
  b('isEscalated'),
  b('isOverDue'),
  b('isRead'),
  s('language'),
  j('lastThread'),
  s('layoutId'),
  s('modifiedBy'),
  t('onholdTime'),
  s('phone'),
  j('product'),
  s('productId'),
  s('relationshipType'),
  s('resolution'),
  t('responseDueDate'),
  list('secondaryContacts'),
  j('sharedDepartments'),
  s('slaId'),
  s('subCategory'),
  j('team'),
  s('teamId'),
  // list record only (the simulator's search records carry them too)
  s('channelCode'),
  s('sentiment'),
  j('source'),
];

const TIME_ENTRY_FIELDS = ordered(
  [
    s('id'),
    s('requestId'),
    s('ownerId'),
    s('departmentId'),
    t('executedTime'),
    t('createdTime'),
    // modifiedTime: not in the record schema (the lists filter on modifiedTimeRange); the simulator serves it
    t('modifiedTime'),
    i('hoursSpent'),
    i('minutesSpent'),
    i('secondsSpent'),
    b('isBillable'),
    s('billingType'),
    d('totalCost'),
    s('description'),
  ],
  [
    d('additionalCost'),
    d('agentCostPerHour'),
    j('cf'),
    s('createdBy'),
    j('customFields'),
    d('fixedCost'),
    s('invoiceId'),
    b('isTrashed'),
    j('layoutDetails'),
    s('layoutId'),
    s('mode'),
    j('owner'),
    j('parent'),
    s('requestChargeType'),
    s('taskId'),
    // in the spec's examples only
    s('creatorId'),
  ],
);

export const REPORT_FIELDS: Readonly<Record<string, readonly FieldSpec[]>> = {
  // GET /accounts and /accounts/search: Account.json@83b5c18 accountListViewObject, Search.json@83b5c18 searchAccountResponseFields
  accounts: ordered(
    [s('id'), s('accountName'), s('website'), s('email'), s('phone'), s('ownerId'), t('createdTime'), t('modifiedTime')],
    [
      d('annualrevenue'),
      j('cf'),
      s('city'),
      s('code'),
      s('country'),
      j('customerHappiness'),
      j('customFields'),
      s('description'),
      s('fax'),
      s('industry'),
      s('layoutId'),
      j('owner'),
      s('state'),
      s('street'),
      s('webUrl'),
      j('zohoCRMAccount'),
    ],
  ),
  // GET /agents: Agent.json@83b5c18 agentListArray example, typed by agentIdsResponse (cf: its custom-field variant)
  agents: ordered(
    [
      s('id'),
      s('name'),
      s('firstName'),
      s('lastName'),
      s('emailId'),
      s('status'),
      s('roleId'),
      s('profileId'),
      b('isConfirmed'),
      list('associatedDepartmentIds'),
    ],
    [
      s('aboutInfo'),
      list('associatedChatDepartmentIds'),
      j('cf'),
      list('channelExpert'),
      s('countryCode'),
      s('extn'),
      b('isZiaAgent'),
      s('langCode'),
      s('mobile'),
      s('phone'),
      s('photoURL'),
      s('rolePermissionType'),
      s('timeZone'),
      // the agent's Zoho user id: an id, though the spec types it int32
      s('zuid'),
    ],
  ),
  // GET /agents/{agentId}/timeEntry: AgentTimeEntry.json@83b5c18 listTicketTimeEntryForAgentResponse | listActivityTimeEntryForAgentResponse
  'agent-time-entries': TIME_ENTRY_FIELDS,
  // GET /calls and /calls/search: Call.json@83b5c18 callListViewJson (+ include objects), Search.json@83b5c18 searchCallResponseFields
  calls: ordered(
    [
      s('id'),
      s('subject'),
      s('departmentId'),
      s('contactId'),
      s('ticketId'),
      s('ownerId'),
      s('direction'),
      s('status'),
      i('duration'),
      // isCompleted: a filter of GET /calls, not a record field in the spec; the simulator serves it
      b('isCompleted'),
      t('startTime'),
      t('createdTime'),
      t('modifiedTime'),
    ],
    [
      // activityTime: typed int64 in the spec, epoch milliseconds
      t('activityTime'),
      s('activityType'),
      j('assignee'),
      s('callId'),
      s('category'),
      j('cf'),
      t('completedTime'),
      j('contact'),
      s('creatorId'),
      j('customFields'),
      j('department'),
      s('description'),
      t('dueDate'),
      b('isCommented'),
      b('isSpam'),
      b('isTrashed'),
      s('layoutId'),
      j('modifiedBy'),
      s('priority'),
      j('reminder'),
      s('statusType'),
      j('team'),
      j('ticket'),
      s('webUrl'),
    ],
  ),
  // GET /contacts and /contacts/search: Contact.json@83b5c18 listViewObject, Search.json@83b5c18 searchContactResponseFields
  contacts: ordered(
    [s('id'), s('firstName'), s('lastName'), s('email'), s('phone'), s('accountId'), s('ownerId'), b('isSpam'), t('createdTime')],
    [
      j('account'),
      i('accountCount'),
      j('cf'),
      s('city'),
      s('country'),
      j('customerHappiness'),
      j('customFields'),
      s('description'),
      s('facebook'),
      b('isAnonymous'),
      b('isEndUser'),
      s('layoutId'),
      s('mobile'),
      t('modifiedTime'),
      j('owner'),
      s('photoURL'),
      s('secondaryEmail'),
      s('state'),
      s('street'),
      s('title'),
      s('twitter'),
      s('type'),
      s('webUrl'),
      // a postcode: a label, though the spec types it int32
      s('zip'),
      j('zohoCRMContact'),
    ],
  ),
  // GET /customerHappiness: not in the OAS (CustomerHappiness.json@83b5c18 has only /customerHappinessLinkHolder).
  // The fields are the simulator's; third-party clients confirm id, rating (GOOD|OK|BAD) and ratedTime.
  'customer-happiness': ordered(
    [s('id'), s('rating'), s('feedback'), s('ticketId'), s('ticketNumber'), s('departmentId'), s('contactId'), t('ratedTime'), person('agent')],
    [],
  ),
  // GET /departments: Department.json@83b5c18 commonDepartmentResponse
  departments: ordered(
    [s('id'), s('name'), b('isEnabled'), b('isDefault'), t('createdTime')],
    [
      s('chatStatus'),
      s('creatorId'),
      s('description'),
      b('hasLogo'),
      b('isAssignToTeamEnabled'),
      b('isVisibleInCustomerPortal'),
      s('nameInCustomerPortal'),
      s('sanitizedName'),
    ],
  ),
  // GET /emailFailureAlerts: EmailFailureAlert.json@83b5c18 commonKeys. No id of its own; createdTime is the
  // simulator's (the spec gives an alert no time). The spec's assignee has firstName/lastName, not name.
  'email-failures': ordered(
    [
      s('ticketId'),
      s('ticketNumber'),
      s('threadId'),
      s('departmentId'),
      s('departmentName'),
      s('channel'),
      s('subject'),
      s('reason'),
      s('errorMessage'),
      t('createdTime'),
      person('assignee'),
    ],
    [],
  ),
  // GET /tickets/{ticketId}/approvals: TicketApprovals.json@83b5c18 approvalDetails. The spec's approvalActor
  // has firstName/lastName, not name (the simulator sends name).
  'pending-approvals': ordered(
    [s('id'), s('subject'), s('status'), t('requestedTime'), t('processedTime'), person('requester'), person('approver')],
    [s('description')],
  ),
  // GET /tickets and /tickets/search (deep queues): Ticket.json@83b5c18 listviewJson (+ include objects),
  // Search.json@83b5c18 searchTicketResponseFields: the same fields as tickets, modifiedTime among the rest
  queue: ordered(
    TICKET_FIRST.filter((f) => f.name !== 'modifiedTime'),
    [...TICKET_REST, ...TICKET_FIRST.filter((f) => f.name === 'modifiedTime')],
  ),
  // GET /tickets/{ticketId}/threads: Thread.json@83b5c18 getThreadsdata, oneOf threadKeys | facebookThreadKeys |
  // twitterThreadKeys | forumThreadKeys | emailThreadKeys
  threads: ordered(
    [
      s('id'),
      s('channel'),
      s('direction'),
      s('status'),
      s('summary'),
      b('isDescriptionThread'),
      t('createdTime'),
      person('author', ['id', 'name', 'type']),
    ],
    [
      j('actions'),
      list('aspects'),
      i('attachmentCount'),
      list('attachmentIds'),
      s('bcc'),
      b('canReply'),
      s('cc'),
      j('channelRelatedInfo'),
      s('contentType'),
      s('facebookProfile'),
      s('fromEmailAddress'),
      s('fullContentURL'),
      b('hasAttach'),
      j('impersonatedUser'),
      b('isContentTruncated'),
      b('isForward'),
      list('keyWords'),
      s('lastRatingIconURL'),
      j('readReceipts'),
      s('replyTo'),
      // "00:05:14": a duration as text
      s('respondedIn'),
      // in the spec's list example only
      s('responderId'),
      s('sentiment'),
      j('source'),
      s('to'),
      s('twitterProfile'),
      s('visibility'),
    ],
  ),
  // GET /ticketTags: TicketTag.json@83b5c18 getTicketTagJson; createdTime is the simulator's
  'ticket-tags': ordered([s('id'), s('name'), s('tagType'), i('ticketCount'), t('createdTime')], []),
  // GET /tickets/{ticketId}/timeEntry: TicketTimeEntry.json@83b5c18 listTicketTimeEntryResponse
  'ticket-time-entries': TIME_ENTRY_FIELDS,
  // GET /tickets/search: Search.json@83b5c18 searchTicketResponseFields
  tickets: ordered(TICKET_FIRST, TICKET_REST),
  // GET /organizationFields?module=: Field.json@83b5c18 commonFieldResponse (+ per-type extras)
  'organization-fields': ordered(
    [s('id'), s('apiName'), s('displayLabel'), s('type'), b('isCustomField')],
    [
      j('allowedValues'),
      i('decimalPlaces'),
      s('defaultValue'),
      s('i18NLabel'),
      b('isEncryptedField'),
      b('isMandatory'),
      j('lookup'),
      b('isTrackLastActivityTime'),
      i('maxLength'),
      s('name'),
      s('roundingOption'),
      i('roundingPrecision'),
      b('showToHelpCenter'),
    ],
  ),
  // GET /recycleBin: Recyclebin.json@83b5c18 recycleBinKeys (+ include=department,deletedBy). Later versions of
  // the spec (@3f7016e, @bc1833e) show `type` as an array (["Tickets"]) in their example; the schema says string.
  'recycle-bin': ordered(
    [s('id')],
    [j('deletedBy'), s('deletedById'), t('deletedTime'), j('department'), s('departmentId'), s('displayName'), s('type')],
  ),
};
