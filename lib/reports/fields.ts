/**
 * The fields of a report's records, typed: each definition (definitions/) lists every field Zoho documents for
 * its records, the table's columns. Per report it is the union of the list and
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
export const s = field('string');
/** counters, sent as strings of digits */
export const i = field('integer');
/** money and costs, sent as decimal strings ("3.0") */
export const d = field('decimal');
export const b = field('boolean');
/** an ISO-8601 time, or epoch milliseconds in some of the spec's examples */
export const t = field('time');
/** nested objects and arrays of objects, `cf` and `customFields` */
export const j = field('json');
/** arrays of ids or of other strings */
export const list = field('string[]');
export const person = (name: string, flatten: readonly string[] = ['id', 'name']): FieldSpec => ({ name, type: 'json', flatten });

const byName = (x: FieldSpec, y: FieldSpec) => {
  const [a, c] = [x.name.toLowerCase(), y.name.toLowerCase()];
  return a < c ? -1 : a > c ? 1 : 0;
};

/** `first` as given (id, then today's columns in schema.ts order), then the other fields by name. */
export const ordered = (first: readonly FieldSpec[], rest: readonly FieldSpec[]): readonly FieldSpec[] => [...first, ...[...rest].sort(byName)];

// ticketNumber is a string: it is the number people quote ("#149"), a label and a join key (email failures,
// ratings and time-entry parents carry it too), never summed or averaged; Zoho sends it as a string, and a
// string keeps today's column type. Its one cost: it sorts as text ("1000" < "999"); cast it to sort by number.
export const TICKET_FIRST = [
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
export const TICKET_REST = [
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

export const TIME_ENTRY_FIELDS = ordered(
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

/**
 * A task's or an event's fields (Task.json / Event.json @83b5c18 taskListViewJson, eventListViewJson, with their
 * examples' keys, and Search.json's searchTasks / searchEvents additions), `own` being each one's time fields.
 */
export const activityFields = (own: readonly FieldSpec[]): readonly FieldSpec[] =>
  ordered(
    [
      s('id'),
      s('subject'),
      s('departmentId'),
      s('ticketId'),
      s('contactId'),
      s('ownerId'),
      s('status'),
      s('priority'),
      ...own,
      t('completedTime'),
      t('createdTime'),
      t('modifiedTime'),
    ],
    [
      // typed int64 (epoch milliseconds) in the spec
      t('activityTime'),
      s('activityType'),
      j('assignee'),
      s('category'),
      j('cf'),
      j('contact'),
      s('creatorId'),
      j('customFields'),
      j('department'),
      s('description'),
      s('direction'),
      b('isCommented'),
      b('isSpam'),
      b('isTrashed'),
      s('layoutId'),
      j('modifiedBy'),
      s('statusType'),
      j('team'),
      s('teamId'),
      j('ticket'),
      s('webUrl'),
    ],
  );
