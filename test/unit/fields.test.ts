import { ticketHistory } from '../../lib/simulator/history.js';
import { callCommentJson, callComments } from '../../lib/simulator/call-comments.js';
import { fullThreadJson } from '../../lib/simulator/thread-contents.js';
import { describe, expect, it } from 'vitest';
import { REPORT_FIELDS, type FieldSpec, type FieldType } from '../../lib/reports/catalog.js';
import { TABLES } from '../../lib/analytics/schema.js';
import { tableViewColumns } from '../../lib/analytics/views.js';
import { REPORT_IDS } from '../../lib/reports/catalog.js';
import { generatePortal, ticketThreads } from '../../lib/simulator/dataset.js';
import * as shapes from '../../lib/simulator/shapes.js';
import { fieldsJson } from '../../lib/simulator/custom-fields.js';
import { commentJson, ticketComments } from '../../lib/simulator/comments.js';
import { attachmentJson, ticketAttachments } from '../../lib/simulator/attachments.js';
import { articleJson, contractJson, productJson } from '../../lib/simulator/catalogue.js';
import { LAYOUT_MODULES, layoutsJson, profilesJson, rolesJson, teamsJson } from '../../lib/simulator/organization.js';
import { eventJson, eventSearchJson, taskJson, taskSearchJson } from '../../lib/simulator/activities.js';
import { FIELD_MODULES } from '../../lib/reports/catalog.js';

// The field catalogue against the records the simulator serves for each report, and against today's columns.

type Rec = Record<string, unknown>;

const portal = generatePortal({ seed: 12, tickets: 300, edition: 'ENTERPRISE', now: Date.parse('2026-11-01T00:00:00Z') });

/** GET /recycleBin has no simulator shape: the records of the spec's own example (Recyclebin.json@83b5c18). */
const RECYCLE_BIN_EXAMPLE: Rec[] = [
  {
    displayName: 'Sample display name',
    departmentId: null,
    deletedById: '4000000000059',
    id: '4000000046163',
    type: 'Attachments',
    deletedTime: '2020-06-21T16:16:16.000Z',
  },
  {
    displayName: 'Sample display name',
    departmentId: '4000000013244',
    deletedById: '4000000000059',
    id: '4000000017184',
    type: 'Tickets',
    deletedTime: '2020-06-21T16:16:16.000Z',
  },
  {
    displayName: 'Sample display name',
    departmentId: null,
    deletedById: '4000000000059',
    id: '4000000019005',
    type: 'Contacts',
    deletedTime: '2020-06-21T16:16:16.000Z',
  },
  {
    displayName: 'Sample display name',
    departmentId: '4000000013244',
    deletedById: '4000000000059',
    id: '4000000046153',
    type: 'Time Entry',
    deletedTime: '2020-06-21T16:16:16.000Z',
  },
];

/** What the simulator serves for each report (lib/simulator/routes.ts), and the shape functions that build it. */
const SERVED: Record<string, { shapes: readonly string[]; records: Rec[] }> = {
  accounts: {
    shapes: ['accountJson', 'accountSearchJson'],
    records: portal.accounts.flatMap((a) => [shapes.accountJson(portal, a), shapes.accountSearchJson(portal, a)]),
  },
  agents: { shapes: ['agentJson'], records: portal.agents.map((a) => shapes.agentJson(portal, a)) },
  'agent-time-entries': { shapes: ['timeEntryJson'], records: portal.timeEntries.map((e) => shapes.timeEntryJson(portal, e)) },
  calls: { shapes: ['callJson'], records: portal.calls.map((c) => shapes.callJson(portal, c)) },
  'call-comments': { shapes: [], records: portal.calls.flatMap((c) => callComments(portal, c).map((k) => callCommentJson(portal, k))) },
  contacts: {
    shapes: ['contactJson', 'contactSearchJson'],
    records: portal.contacts.flatMap((c) => [shapes.contactJson(portal, c), shapes.contactSearchJson(portal, c)]),
  },
  'organization-fields': { shapes: [], records: FIELD_MODULES.flatMap((m) => fieldsJson(portal, m)) },
  'customer-happiness': { shapes: ['ratingJson'], records: portal.ratings.map((r) => shapes.ratingJson(portal, r)) },
  departments: { shapes: ['departmentJson'], records: portal.departments.map((dep) => shapes.departmentJson(dep)) },
  'email-failures': { shapes: ['emailFailureJson'], records: portal.emailFailures.map((f) => shapes.emailFailureJson(portal, f)) },
  'pending-approvals': { shapes: ['approvalJson'], records: portal.approvals.map((a) => shapes.approvalJson(portal, a)) },
  // a queue is read from the list, and through the search when it is deeper than the list reaches
  queue: {
    shapes: ['ticketListJson', 'ticketSearchJson'],
    records: portal.tickets.flatMap((t) => [shapes.ticketListJson(portal, t), shapes.ticketSearchJson(portal, t)]),
  },
  threads: { shapes: ['threadJson'], records: portal.tickets.flatMap((t) => ticketThreads(portal, t).map((th) => shapes.threadJson(portal, th))) },
  'thread-contents': {
    shapes: [],
    records: portal.tickets.flatMap((t) => ticketThreads(portal, t).map((th) => fullThreadJson(portal, th, true))),
  },
  'ticket-history': { shapes: [], records: portal.tickets.flatMap((t) => ticketHistory(portal, t)) },
  'ticket-attachments': {
    shapes: [],
    records: portal.tickets.flatMap((t) => ticketAttachments(portal, t).map((a) => attachmentJson(portal, a))),
  },
  'ticket-comments': {
    shapes: [],
    records: portal.tickets.flatMap((t) => ticketComments(portal, t).map((c) => commentJson(portal, c))),
  },
  tasks: {
    shapes: [],
    records: portal.activities.filter((a) => a.kind === 'task').flatMap((a) => [taskJson(portal, a), taskSearchJson(portal, a)]),
  },
  events: {
    shapes: [],
    records: portal.activities.filter((a) => a.kind === 'event').flatMap((a) => [eventJson(portal, a), eventSearchJson(portal, a)]),
  },
  teams: { shapes: [], records: teamsJson(portal) },
  roles: { shapes: [], records: rolesJson(portal) },
  profiles: { shapes: [], records: profilesJson(portal) },
  layouts: { shapes: [], records: Object.keys(LAYOUT_MODULES).flatMap((m) => layoutsJson(portal, m)) },
  contracts: { shapes: [], records: portal.catalogue.contracts.map((c) => contractJson(c)) },
  products: { shapes: [], records: portal.catalogue.products.map((p) => productJson(portal, p)) },
  articles: { shapes: [], records: portal.catalogue.articles.map((a) => articleJson(portal, a)) },
  'ticket-tags': { shapes: ['tagJson'], records: portal.tags.map((t) => shapes.tagJson(t)) },
  'ticket-time-entries': { shapes: ['timeEntryJson'], records: portal.timeEntries.map((e) => shapes.timeEntryJson(portal, e)) },
  tickets: { shapes: ['ticketSearchJson'], records: portal.tickets.map((t) => shapes.ticketSearchJson(portal, t)) },
  'recycle-bin': { shapes: ['binJson'], records: RECYCLE_BIN_EXAMPLE },
};

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:\d{2})$/;

/** Whether a value as Zoho sends it fits a field's type (the OAS makes every property nullable). */
function fits(type: FieldType, value: unknown): boolean {
  if (value === null) return true;
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return (typeof value === 'number' && Number.isInteger(value)) || (typeof value === 'string' && /^\d+$/.test(value));
    case 'decimal':
      return (typeof value === 'number' && Number.isFinite(value)) || (typeof value === 'string' && /^-?\d+(\.\d*)?$/.test(value));
    case 'boolean':
      return typeof value === 'boolean' || value === 'true' || value === 'false';
    case 'date':
      return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value);
    case 'time':
      return (
        (typeof value === 'number' && Number.isInteger(value) && value >= 0) ||
        (typeof value === 'string' && ISO_TIME.test(value) && !Number.isNaN(Date.parse(value)))
      );
    case 'json':
      return typeof value === 'object';
    case 'string[]':
      return Array.isArray(value) && value.every((item) => typeof item === 'string');
  }
}

const fieldsOf = (report: string): readonly FieldSpec[] => {
  const fields = REPORT_FIELDS[report];
  if (!fields) throw new Error(`no fields for ${report}`);
  return fields;
};

/** The names a report's fields take in its table and latest view (views.ts), lower-cased as Athena stores them. */
function columnNames(report: string): string[] {
  const spec = TABLES.find((table) => table.report === report);
  if (!spec) throw new Error(`no table for ${report}`);
  return tableViewColumns(spec).map((c) => c.name);
}

const duplicates = (names: readonly string[]) => names.filter((name, n) => names.indexOf(name) !== n);
const REPORTS = Object.keys(SERVED);

describe('REPORT_FIELDS', () => {
  it('has every report of the catalogue, and the recycle bin', () => {
    expect(Object.keys(REPORT_FIELDS).sort()).toStrictEqual([...REPORT_IDS].sort());
    expect([...REPORTS].sort()).toStrictEqual(Object.keys(REPORT_FIELDS).sort());
  });

  it('is checked against every record shape the simulator serves', () => {
    // A shape added to the simulator must be mapped above, so its fields are checked too.
    const exported = Object.entries(shapes)
      .filter(([, value]) => typeof value === 'function')
      .map(([name]) => name);
    const used = new Set(Object.values(SERVED).flatMap((served) => served.shapes));
    expect(exported.filter((name) => name !== 'organizationJson' && !used.has(name))).toStrictEqual([]);
  });

  it.each(REPORTS)('%s: declares every key of every record the simulator serves', (report) => {
    const { records } = SERVED[report] ?? { records: [] };
    const declared = new Set(fieldsOf(report).map((f) => f.name));
    expect(records.length).toBeGreaterThan(0);
    const undeclared = new Set(records.flatMap((record) => Object.keys(record).filter((key) => !declared.has(key))));
    expect([...undeclared]).toStrictEqual([]);
  });

  it.each(REPORTS)('%s: every served value fits its declared type', (report) => {
    const { records } = SERVED[report] ?? { records: [] };
    const misfits = new Set<string>();
    for (const record of records) {
      for (const f of fieldsOf(report)) {
        if (f.name in record && !fits(f.type, record[f.name])) misfits.add(`${f.name}: ${f.type} ≠ ${JSON.stringify(record[f.name])}`);
      }
    }
    expect([...misfits]).toStrictEqual([]);
  });

  it.each(REPORTS)('%s: flattened objects carry the sub-fields their columns read', (report) => {
    const { records } = SERVED[report] ?? { records: [] };
    const missing = new Set<string>();
    for (const f of fieldsOf(report).filter((spec) => spec.flatten)) {
      for (const record of records) {
        const value = record[f.name];
        if (value === null || value === undefined) continue;
        for (const sub of f.flatten ?? []) if (typeof value !== 'object' || !(sub in value)) missing.add(`${f.name}.${sub}`);
      }
    }
    expect([...missing]).toStrictEqual([]);
  });

  it.each(REPORTS)('%s: no two columns collide once lower-cased, snake-cased or flattened', (report) => {
    expect(duplicates(columnNames(report))).toStrictEqual([]);
  });

  it.each(REPORTS)('%s: keeps ids as strings and types counters, money, flags and times by the rules', (report) => {
    const wrong = fieldsOf(report)
      .filter(({ name, type }) => {
        if (name === 'id' || /[a-z]Id$/.test(name)) return type !== 'string';
        if (/[a-z]Ids$/.test(name)) return type !== 'string[]';
        if (/Count$|Spent$/.test(name) || name === 'duration') return type !== 'integer';
        if (/Cost(PerHour)?$|^annualrevenue$/.test(name)) return type !== 'decimal';
        if (/^(is|has|can)[A-Z]/.test(name)) return type !== 'boolean';
        if (/[a-z](Time|Date)$/.test(name)) return type !== 'time';
        if (name === 'cf' || name === 'customFields') return type !== 'json';
        return false;
      })
      .map(({ name, type }) => `${name}: ${type}`);
    expect(wrong).toStrictEqual([]);
  });

  it('recycle-bin: starts with id, then the rest by name', () => {
    const names = fieldsOf('recycle-bin').map((f) => f.name);
    expect(names[0]).toBe('id');
    expect(names.slice(1)).toStrictEqual([...names.slice(1)].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1)));
  });
});

describe('the type check used above', () => {
  it.each([
    ['string', 12],
    ['integer', '12.5'],
    ['integer', 'twelve'],
    ['integer', 1.5],
    ['decimal', 'n/a'],
    ['boolean', 'yes'],
    ['boolean', 0],
    ['time', 'yesterday'],
    ['time', '2026-13-45'],
    ['time', -5],
    ['json', 'text'],
    ['string[]', [{ id: '1' }]],
    ['string[]', 'a,b'],
  ] as const)('rejects %s %j', (type, value) => {
    expect(fits(type, value)).toBe(false);
  });

  it.each([
    ['string', ''],
    ['integer', '121'],
    ['integer', 7],
    ['decimal', '20.17'],
    ['decimal', 3],
    ['boolean', 'false'],
    ['time', '2016-06-21T13:16:14.000Z'],
    ['time', 1466514974000],
    ['json', []],
    ['string[]', ['6483605000001000001']],
    ['time', null],
  ] as const)('accepts %s %j', (type, value) => {
    expect(fits(type, value)).toBe(true);
  });
});
