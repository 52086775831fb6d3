import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../lib/clock.js';
import type { Changes } from '../lib/simulator/evolve.js';
import { startSimulator, type RunningSimulator, type StartOptions } from '../lib/simulator/server.js';
import { ENDPOINTS, type EndpointKey } from '../lib/zoho/endpoints.js';

// Deleted and departed records, custom fields and the simulator's truth, spoken to over HTTP with plain fetch.

const START = '2026-11-20T10:00:00.000Z';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

type Json = Record<string, unknown>;

let running: RunningSimulator | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

interface Api {
  running: RunningSimulator;
  clock: ManualClock;
  get(path: string, query?: Record<string, string>): Promise<{ status: number; json: Json | undefined }>;
  /** every record of a list, page by page at the endpoint's largest page */
  all(key: EndpointKey, path: string, query?: Record<string, string>): Promise<Json[]>;
  advance(ms: number, changes?: Changes): ReturnType<RunningSimulator['sim']['advance']>;
}

async function start(options: StartOptions = {}): Promise<Api> {
  const clock = new ManualClock(START);
  running = await startSimulator({ tickets: 60, clock, accessTokenLifetimeMs: 365 * DAY, dailyCredits: 10_000_000, ...options });
  const sim = running;
  const form = new URLSearchParams({
    grant_type: 'authorization_code',
    client_id: sim.sim.accounts.clientId,
    client_secret: sim.sim.accounts.clientSecret,
    code: sim.sim.issueGrantCode(),
  });
  const access = ((await (await fetch(`${sim.url}/oauth/v2/token`, { method: 'POST', body: form })).json()) as Record<string, string>).access_token;
  const get: Api['get'] = async (path, query = {}) => {
    const search = new URLSearchParams(query).toString();
    const res = await fetch(`${sim.url}/api/v1${path}${search ? `?${search}` : ''}`, {
      headers: { authorization: `Zoho-oauthtoken ${access}`, orgId: sim.sim.orgId },
    });
    const text = await res.text();
    return { status: res.status, json: text ? (JSON.parse(text) as Json) : undefined };
  };
  const all: Api['all'] = async (key, path, query = {}) => {
    const endpoint = ENDPOINTS[key];
    if (!endpoint.paginated) {
      const res = await get(path, query);
      if (res.status === 204) return [];
      expect(res.status, path).toBe(200);
      return res.json?.[endpoint.responseKey] as Json[];
    }
    const records: Json[] = [];
    for (let from = endpoint.fromBase; ; from += endpoint.maxLimit) {
      const res = await get(path, { ...query, from: String(from), limit: String(endpoint.maxLimit) });
      if (res.status === 204) break;
      expect(res.status, path).toBe(200);
      const page = res.json?.[endpoint.responseKey] as Json[];
      records.push(...page);
      if (page.length < endpoint.maxLimit) break;
    }
    return records;
  };
  return { running: sim, clock, get, all, advance: (ms, changes) => sim.sim.advance(ms, changes) };
}

const ids = (records: Json[]) => records.map((r) => r.id as string);
const iso = (clock: ManualClock) => new Date(clock.now()).toISOString();

describe('the recycle bin', () => {
  it('answers an empty bin with 200 {data: []}, as no 204 is declared', async () => {
    const api = await start();
    const res = await api.get('/recycleBin');
    expect(res).toEqual({ status: 200, json: { data: [] } });
  });

  it('lists what was moved to the trash: its own id, Zoho type, name, time, who deleted it and its department', async () => {
    const api = await start();
    api.clock.advance(HOUR);
    const report = api.advance(0, { deleteTickets: 2, deleteContacts: 1, deleteAccounts: 1, deleteCalls: 1, deleteTimeEntries: 1 });
    const bin = await api.all('recycleBin', '/recycleBin');
    const { portal } = api.running.sim;
    const ticket = portal.ticketsById.get(report.deletedTickets[0] as string);
    const call = portal.calls.find((c) => c.id === report.deletedCalls[0]);
    const entry = portal.timeEntries.find((e) => e.id === report.deletedTimeEntries[0]);
    const contact = portal.contactsById.get(report.deletedContacts[0] as string);
    expect(bin.map((i) => [i.id, i.type])).toEqual([
      [ticket?.id, 'Tickets'],
      [report.deletedTickets[1], 'Tickets'],
      [contact?.id, 'Contacts'],
      [report.deletedAccounts[0], 'Accounts'],
      [call?.id, 'Calls'],
      [entry?.id, 'Time Entry'],
    ]);
    expect(bin[0]).toEqual({
      id: ticket?.id,
      type: 'Tickets',
      displayName: ticket?.subject,
      deletedTime: iso(api.clock),
      departmentId: ticket?.departmentId,
      deletedById: expect.stringMatching(/^\d{19}$/),
    });
    expect(portal.agentsById.has(bin[0]?.deletedById as string)).toBe(true);
    expect(bin[2]).toMatchObject({ displayName: `${contact?.firstName} ${contact?.lastName}`, departmentId: null });
    expect(bin[4]).toMatchObject({ displayName: call?.subject, departmentId: call?.departmentId });
    expect(bin[5]).toMatchObject({ departmentId: entry?.departmentId });
  });

  it('pages from 0 with limit 1-50, sorts by sortBy (a "-" for descending) and filters by module and department', async () => {
    const api = await start();
    api.advance(HOUR, { deleteTickets: 3, deleteCalls: 2 });
    api.advance(HOUR, { deleteTickets: 2, deleteTimeEntries: 2 });
    const everything = await api.all('recycleBin', '/recycleBin');
    expect(everything).toHaveLength(9);

    const pages = [0, 4, 8].map((from) => api.get('/recycleBin', { from: String(from), limit: '4' }));
    const paged = (await Promise.all(pages)).flatMap((p) => p.json?.data as Json[]);
    expect(ids(paged)).toEqual(ids(everything));
    expect((await api.get('/recycleBin', { from: '9', limit: '4' })).json).toEqual({ data: [] });
    expect((await api.get('/recycleBin', { limit: '51' })).status).toBe(422);

    const newest = (await api.get('/recycleBin', { sortBy: '-deletedTime', limit: '50' })).json?.data as Json[];
    expect(newest.map((i) => i.deletedTime)).toEqual(
      everything
        .map((i) => i.deletedTime)
        .sort()
        .reverse(),
    );
    expect(newest[0]?.deletedTime).toBe(iso(api.clock));
    const byName = (await api.get('/recycleBin', { sortBy: 'name', limit: '50' })).json?.data as Json[];
    expect(byName.map((i) => i.displayName)).toEqual(everything.map((i) => i.displayName as string).sort());
    const byType = (await api.get('/recycleBin', { sortBy: '-type', limit: '50' })).json?.data as Json[];
    expect(byType.map((i) => i.type)).toEqual(['Time Entry', 'Time Entry', 'Tickets', 'Tickets', 'Tickets', 'Tickets', 'Tickets', 'Calls', 'Calls']);
    expect((await api.get('/recycleBin', { sortBy: 'size' })).status).toBe(422);

    const calls = (await api.get('/recycleBin', { module: 'calls' })).json?.data as Json[];
    expect(calls.map((i) => i.type)).toEqual(['Calls', 'Calls']);
    const entries = (await api.get('/recycleBin', { module: 'timeEntry' })).json?.data as Json[];
    expect(entries.map((i) => i.type)).toEqual(['Time Entry', 'Time Entry']);
    expect((await api.get('/recycleBin', { module: 'tasks' })).json).toEqual({ data: [] });
    const department = everything[0]?.departmentId as string;
    const inDepartment = (await api.get('/recycleBin', { departmentId: department, limit: '50' })).json?.data as Json[];
    expect(ids(inDepartment)).toEqual(ids(everything.filter((i) => i.departmentId === department)));
  });

  it('adds department and deletedBy when included', async () => {
    const api = await start();
    api.advance(HOUR, { deleteTickets: 1, deleteContacts: 1 });
    const [ticket, contact] = (await api.get('/recycleBin', { include: 'department,deletedBy' })).json?.data as Json[];
    const { portal } = api.running.sim;
    const agent = portal.agentsById.get(ticket?.deletedById as string);
    expect(ticket?.department).toEqual({ id: ticket?.departmentId, name: portal.departmentsById.get(ticket?.departmentId as string)?.name });
    expect(ticket?.deletedBy).toMatchObject({ id: agent?.id, firstName: agent?.firstName, lastName: agent?.lastName, photoURL: null });
    expect(contact?.department).toBeNull();
  });

  it('purges what has been there more than 60 days: gone from the bin, and still gone from the lists', async () => {
    const api = await start();
    const [trashed] = api.advance(HOUR, { deleteTickets: 1 }).deletedTickets;
    api.clock.advance(60 * DAY);
    expect(ids((await api.get('/recycleBin')).json?.data as Json[])).toEqual([trashed]);
    api.clock.advance(1);
    expect((await api.get('/recycleBin')).json).toEqual({ data: [] });
    expect(api.advance(0, { restoreTickets: 1 }).restoredTickets).toEqual([]);
    expect(ids(await api.all('ticketSearch', '/tickets/search'))).not.toContain(trashed);
  });
});

describe('a trashed ticket', () => {
  it('vanishes from the list, the search and its count, the ticket count, and takes its children with it', async () => {
    const api = await start({ tickets: 100 });
    const before = await api.all('ticketSearch', '/tickets/search');
    const { portal } = api.running.sim;
    // Enough tickets that some of them have time entries, approvals, ratings and email failures.
    const trashed = new Set(api.advance(HOUR, { deleteTickets: 50 }).deletedTickets);
    const children = (list: Array<{ ticketId: string }>) => list.find((child) => trashed.has(child.ticketId))?.ticketId;
    const withEntries = children(portal.timeEntries);
    const withApprovals = children(portal.approvals);
    const withRating = portal.ratings.find((r) => trashed.has(r.ticketId));
    const withFailure = portal.emailFailures.find((f) => trashed.has(f.ticketId));
    expect([withEntries, withApprovals, withRating, withFailure]).not.toContain(undefined);

    const search = await api.get('/tickets/search', { limit: '100' });
    expect(search.json?.count).toBe(before.length - 50);
    expect(ids(search.json?.data as Json[])).toEqual(ids(before).filter((id) => !trashed.has(id)));
    expect(ids(await api.all('tickets', '/tickets')).some((id) => trashed.has(id))).toBe(false);
    expect((await api.get('/ticketsCount')).json).toEqual({ count: before.length - 50 });
    const some = [...trashed][0] as string;
    expect((await api.get(`/tickets/${some}/threads`)).status).toBe(404);
    expect((await api.get(`/tickets/${withEntries}/timeEntry`)).status).toBe(404);
    expect((await api.get(`/tickets/${withApprovals}/approvals`)).status).toBe(404);
    const ratings = await api.all('customerHappiness', '/customerHappiness', { department: withRating?.departmentId as string });
    expect(ids(ratings)).not.toContain(withRating?.id);
    const failures = await api.all('emailFailureAlerts', '/emailFailureAlerts', { department: withFailure?.departmentId as string });
    expect(failures.map((f) => f.ticketId)).not.toContain(withFailure?.ticketId);
    const owner = portal.timeEntries.find((e) => e.ticketId === withEntries)?.ownerId as string;
    const entries = await api.all('agentTimeEntries', `/agents/${owner}/timeEntry`);
    expect(entries.map((e) => e.requestId)).not.toContain(withEntries);
  });

  it.each([
    { restoreTouchesModifiedTime: false, modified: 'keeps the modifiedTime it had' },
    { restoreTouchesModifiedTime: true, modified: 'gets the restore time as modifiedTime' },
  ])(
    'comes back when restored, with the same id and its threads; with restoreTouchesModifiedTime $restoreTouchesModifiedTime it $modified',
    async ({ restoreTouchesModifiedTime }) => {
      const api = await start({ restoreTouchesModifiedTime });
      const before = await api.all('ticketSearch', '/tickets/search');
      const [older, newer] = [api.advance(HOUR, { deleteTickets: 1 }).deletedTickets[0], api.advance(HOUR, { deleteTickets: 1 }).deletedTickets[0]];
      const threads = (await api.get(`/tickets/${newer}/threads`)).status;
      const report = api.advance(HOUR, { restoreTickets: 1 });
      expect(report.restoredTickets).toEqual([newer]);
      expect(threads).toBe(404);
      expect((await api.get(`/tickets/${newer}/threads`)).status).toBe(200);
      expect(ids((await api.get('/recycleBin')).json?.data as Json[])).toEqual([older]);
      const after = await api.all('ticketSearch', '/tickets/search');
      expect(after).toHaveLength(before.length - 1);
      const restored = after.find((t) => t.id === newer);
      const original = before.find((t) => t.id === newer);
      expect(restored?.modifiedTime).toBe(restoreTouchesModifiedTime ? iso(api.clock) : original?.modifiedTime);
      expect({ ...restored, modifiedTime: null }).toEqual({ ...original, modifiedTime: null });
    },
  );

  it('deleted as spam is gone for good: never in the bin, and no restore brings it back', async () => {
    const api = await start();
    const before = await api.all('ticketSearch', '/tickets/search');
    const [spam] = api.advance(HOUR, { spamDeleteTickets: 1 }).spamDeletedTickets;
    expect((await api.get('/recycleBin')).json).toEqual({ data: [] });
    expect(api.advance(HOUR, { restoreTickets: 5 }).restoredTickets).toEqual([]);
    const after = await api.all('ticketSearch', '/tickets/search');
    expect(ids(after)).toEqual(ids(before).filter((id) => id !== spam));
    expect((await api.get(`/tickets/${spam}/threads`)).status).toBe(404);
  });
});

describe('custom fields', () => {
  it('are listed by /organizationFields per module, with the system fields, in the fieldsData shape', async () => {
    const api = await start();
    for (const module of ['tickets', 'contacts', 'accounts', 'calls']) {
      const fields = (await api.get('/organizationFields', { module })).json?.data as Json[];
      const custom = fields.filter((f) => f.isCustomField);
      expect(custom.length, module).toBeGreaterThanOrEqual(3);
      expect(custom.length, module).toBeLessThanOrEqual(5);
      expect(fields.length - custom.length, module).toBeGreaterThanOrEqual(3);
      expect(new Set(custom.map((f) => f.type)).size, module).toBe(custom.length);
      for (const field of fields) {
        expect(field, module).toMatchObject({
          id: expect.stringMatching(/^\d{19}$/),
          apiName: expect.any(String),
          displayLabel: expect.any(String),
          i18NLabel: expect.any(String),
          name: expect.any(String),
          type: expect.any(String),
          isCustomField: expect.any(Boolean),
          isMandatory: expect.any(Boolean),
          isEncryptedField: false,
          isTrackLastActivityTime: false,
          maxLength: expect.any(Number),
        });
        if (field.isCustomField) expect(field.apiName).toMatch(/^cf_[a-z_]+$/);
        if (field.type === 'Picklist') {
          expect((field.allowedValues as Json[]).length).toBeGreaterThan(1);
          for (const allowed of field.allowedValues as Json[]) expect(allowed.value).toEqual(expect.any(String));
        }
      }
    }
    const tickets = (await api.get('/organizationFields', { module: 'tickets' })).json?.data as Json[];
    expect(tickets.every((f) => typeof f.showToHelpCenter === 'boolean')).toBe(true);
    expect(tickets.find((f) => f.apiName === 'status')?.allowedValues).toContainEqual({ statusType: 'Closed', value: 'Closed' });
    expect((await api.get('/organizationFields', { module: 'tasks' })).json).toEqual({ data: [] });
    expect((await api.get('/organizationFields')).json?.errors).toEqual([expect.objectContaining({ fieldName: '/module', errorType: 'missing' })]);
    expect((await api.get('/organizationFields', { module: 'widgets' })).status).toBe(422);
    expect((await api.get('/organizationFields', { module: 'calls', limit: '10' })).status).toBe(422);
  });

  it('carry string-or-null values in the search shapes and calls, and none in the /tickets, /contacts, /accounts lists', async () => {
    const api = await start();
    const cases = [
      ['tickets', 'ticketSearch', '/tickets/search', 'tickets', '/tickets'],
      ['contacts', 'contactSearch', '/contacts/search', 'contacts', '/contacts'],
      ['accounts', 'accountSearch', '/accounts/search', 'accounts', '/accounts'],
      ['calls', 'callSearch', '/calls/search', 'calls', '/calls'],
    ] as const;
    for (const [module, searchKey, searchPath, listKey, listPath] of cases) {
      const fields = ((await api.get('/organizationFields', { module })).json?.data as Json[]).filter((f) => f.isCustomField);
      const found = await api.all(searchKey, searchPath);
      const listed = await api.all(listKey, listPath);
      expect(found.length, module).toBeGreaterThan(0);
      const values = found.flatMap((record) => {
        const cf = record.cf as Record<string, string | null>;
        expect(Object.keys(cf).sort(), module).toEqual(fields.map((f) => f.apiName).sort());
        return fields.map((f) => [f, cf[f.apiName as string]] as const);
      });
      const FORMATS: Record<string, RegExp> = {
        Number: /^\d+$/,
        Percent: /^\d{1,2}\.\d$/,
        Decimal: /^\d+\.\d$/,
        Currency: /^\d+\.\d\d$/,
        Date: /^\d{4}-\d\d-\d\d$/,
        Boolean: /^(true|false)$/,
      };
      for (const [field, value] of values) {
        if (value === null) continue;
        expect(typeof value).toBe('string');
        if (field.allowedValues) expect((field.allowedValues as Json[]).map((v) => v.value)).toContain(value);
        const format = FORMATS[field.type as string];
        if (format) expect(value, `${field.apiName}`).toMatch(format);
      }
      expect(
        values.some(([, value]) => value === null),
        module,
      ).toBe(true);
      expect(
        values.some(([, value]) => value !== null),
        module,
      ).toBe(true);
      expect(
        listed.every((record) => 'cf' in record),
        module,
      ).toBe(module === 'calls');
    }
  });

  it('are the same for the same seed', async () => {
    const first = await start({ seed: 5 });
    const a = (await first.all('ticketSearch', '/tickets/search')).map((t) => t.cf);
    await running?.stop();
    const second = await start({ seed: 5 });
    expect((await second.all('ticketSearch', '/tickets/search')).map((t) => t.cf)).toEqual(a);
    await running?.stop();
    const other = await start({ seed: 6 });
    expect((await other.all('ticketSearch', '/tickets/search')).map((t) => t.cf)).not.toEqual(a);
  });
});

describe('changes over simulated time', () => {
  it('closes open tickets and moves tickets to another department, bumping modifiedTime', async () => {
    const api = await start();
    const before = new Map((await api.all('ticketSearch', '/tickets/search')).map((t) => [t.id, t]));
    const report = api.advance(HOUR, { closeTickets: 2, moveTickets: 2 });
    const after = new Map((await api.all('ticketSearch', '/tickets/search')).map((t) => [t.id, t]));
    expect(report.closedTickets).toHaveLength(2);
    for (const id of report.closedTickets) {
      expect(before.get(id)?.statusType).not.toBe('Closed');
      expect(after.get(id)).toMatchObject({ status: 'Closed', statusType: 'Closed', closedTime: iso(api.clock), modifiedTime: iso(api.clock) });
    }
    expect(report.movedTickets).toHaveLength(2);
    for (const id of report.movedTickets) {
      expect(after.get(id)?.departmentId).not.toBe(before.get(id)?.departmentId);
      expect(after.get(id)).toMatchObject({ modifiedTime: iso(api.clock), department: { id: after.get(id)?.departmentId } });
    }
  });

  it('edits a custom field of tickets (modifiedTime bumped) and of contacts (found by their modifiedTime)', async () => {
    const api = await start();
    const since = new Date(api.clock.now() + 1).toISOString();
    const before = new Map((await api.all('ticketSearch', '/tickets/search')).map((t) => [t.id, t]));
    const contactsBefore = new Map((await api.all('contactSearch', '/contacts/search')).map((c) => [c.id, c]));
    const report = api.advance(HOUR, { editTicketFields: 3, editContacts: 2 });
    const after = new Map((await api.all('ticketSearch', '/tickets/search')).map((t) => [t.id, t]));
    expect(report.editedTickets).toHaveLength(3);
    for (const id of report.editedTickets) {
      const [was, now] = [before.get(id)?.cf as Json, after.get(id)?.cf as Json];
      expect(
        Object.keys(now).filter((key) => now[key] !== was[key]),
        id,
      ).toHaveLength(1);
      expect(after.get(id)?.modifiedTime).toBe(iso(api.clock));
    }
    const range = `${since},${iso(api.clock)}`;
    const edited = await api.all('contactSearch', '/contacts/search', { modifiedTimeRange: range });
    expect(ids(edited).sort()).toEqual([...report.editedContacts].sort());
    for (const contact of edited) expect(contact.cf).not.toEqual(contactsBefore.get(contact.id)?.cf);
  });

  it('deletes contacts, accounts, calls and time entries from their lists and searches', async () => {
    const api = await start();
    const report = api.advance(HOUR, { deleteContacts: 2, deleteAccounts: 2, deleteCalls: 2, deleteTimeEntries: 2 });
    const gone = (records: Json[], removed: string[]) => {
      expect(removed.length).toBe(2);
      expect(ids(records).filter((id) => removed.includes(id))).toEqual([]);
    };
    gone(await api.all('contacts', '/contacts'), report.deletedContacts);
    gone(await api.all('contactSearch', '/contacts/search'), report.deletedContacts);
    gone(await api.all('accounts', '/accounts'), report.deletedAccounts);
    gone(await api.all('accountSearch', '/accounts/search'), report.deletedAccounts);
    gone(await api.all('calls', '/calls'), report.deletedCalls);
    gone(await api.all('callSearch', '/calls/search'), report.deletedCalls);
    const { portal } = api.running.sim;
    for (const id of report.deletedTimeEntries) {
      const entry = portal.timeEntries.find((e) => e.id === id);
      gone(await api.all('ticketTimeEntries', `/tickets/${entry?.ticketId}/timeEntry`), report.deletedTimeEntries);
      gone(await api.all('agentTimeEntries', `/agents/${entry?.ownerId}/timeEntry`), report.deletedTimeEntries);
    }
  });

  it('deletes contacts no ticket or call refers to first, so those references stay good', async () => {
    const api = await start({ tickets: 200 });
    const { deletedContacts } = api.advance(HOUR, { deleteContacts: 3 });
    expect(deletedContacts).toHaveLength(3);
    const tickets = await api.all('tickets', '/tickets');
    const calls = await api.all('calls', '/calls');
    expect([...tickets, ...calls].filter((record) => deletedContacts.includes(record.contactId as string))).toEqual([]);
  });

  it('deletes tags, clears email failures, processes approvals and disables agents', async () => {
    const api = await start({ tickets: 200 });
    const { portal } = api.running.sim;
    const pendingBefore = portal.approvals.filter((a) => a.status === 'Pending').length;
    const report = api.advance(HOUR, { deleteTags: 2, clearEmailFailures: 1, processApprovals: 2, disableAgents: 1 });
    expect(report.deletedTags).toHaveLength(2);
    const tags = (await Promise.all(portal.departments.map((d) => api.all('ticketTags', '/ticketTags', { departmentId: d.id })))).flat();
    expect(ids(tags).filter((id) => report.deletedTags.includes(id))).toEqual([]);
    expect(tags).toHaveLength(portal.tags.length);

    expect(report.clearedEmailFailures).toHaveLength(1);
    const failures = (
      await Promise.all(portal.departments.map((d) => api.all('emailFailureAlerts', '/emailFailureAlerts', { department: d.id })))
    ).flat();
    expect(failures.map((f) => f.threadId)).not.toContain(report.clearedEmailFailures[0]);

    expect(report.processedApprovals).toHaveLength(2);
    expect(portal.approvals.filter((a) => a.status === 'Pending')).toHaveLength(pendingBefore - 2);
    for (const id of report.processedApprovals) {
      const ticketId = portal.approvals.find((a) => a.id === id)?.ticketId as string;
      const approvals = await api.all('ticketApprovals', `/tickets/${ticketId}/approvals`);
      expect(approvals.find((a) => a.id === id)).toMatchObject({
        status: expect.stringMatching(/^(Approved|Rejected)$/),
        processedTime: iso(api.clock),
      });
      const [ticket] = (await api.get('/tickets/search', { id: ticketId })).json?.data as Json[];
      expect(ticket?.modifiedTime).toBe(iso(api.clock));
    }

    expect(report.disabledAgents).toHaveLength(1);
    const disabled = await api.all('agents', '/agents', { status: 'DISABLED' });
    expect(ids(disabled)).toContain(report.disabledAgents[0]);
  });

  it('are the same for the same seed, and are taken through POST /_sim/advance', async () => {
    const changes: Changes = {
      deleteTickets: 3,
      spamDeleteTickets: 1,
      closeTickets: 2,
      moveTickets: 2,
      editTicketFields: 2,
      deleteCalls: 1,
      processApprovals: 1,
    };
    const first = await start({ seed: 9 });
    const a = first.advance(HOUR, changes);
    await running?.stop();
    const second = await start({ seed: 9 });
    const res = await fetch(`${second.running.url}/_sim/advance`, { method: 'POST', body: JSON.stringify({ advanceMs: HOUR, ...changes }) });
    expect(await res.json()).toEqual(a);
    expect(a.deletedTickets).toHaveLength(3);
    const bad = await fetch(`${second.running.url}/_sim/advance`, { method: 'POST', body: JSON.stringify({ deleteWidgets: 1 }) });
    expect(bad.status).toBe(400);
  });
});

describe('the truth for tests', () => {
  /** Each report read the way the pipeline reads it, over HTTP: every page of every parent. */
  async function served(api: Api, report: string): Promise<Array<{ record: Json; parentId?: string }>> {
    const under = async (parentIds: string[], read: (id: string) => Promise<Json[]>) =>
      (await Promise.all(parentIds.map(async (parentId) => (await read(parentId)).map((record) => ({ record, parentId }))))).flat();
    const plain = (records: Json[]) => records.map((record) => ({ record }));
    const tickets = async () => ids(await api.all('ticketSearch', '/tickets/search'));
    const agents = async () => ids(await api.all('agents', '/agents'));
    const departments = async () => ids(await api.all('departments', '/departments'));
    switch (report) {
      case 'accounts':
        // Read through its search (full reads and changes alike).
        return plain(await api.all('accountSearch', '/accounts/search', { sortBy: 'createdTime' }));
      case 'agents':
        return plain(await api.all('agents', '/agents'));
      case 'agent-time-entries':
        return under(await agents(), (id) => api.all('agentTimeEntries', `/agents/${id}/timeEntry`));
      case 'calls':
        // Read through its search (full reads and changes alike).
        return plain(await api.all('callSearch', '/calls/search', { sortBy: 'createdTime' }));
      case 'contacts':
        // Read through its search (full reads and changes alike).
        return plain(await api.all('contactSearch', '/contacts/search', { sortBy: 'createdTime' }));
      case 'customer-happiness':
        return under(await departments(), (id) => api.all('customerHappiness', '/customerHappiness', { department: id }));
      case 'departments':
        return plain(await api.all('departments', '/departments'));
      case 'email-failures':
        return under(await departments(), (id) => api.all('emailFailureAlerts', '/emailFailureAlerts', { department: id }));
      case 'pending-approvals':
        return (await under(await tickets(), (id) => api.all('ticketApprovals', `/tickets/${id}/approvals`))).filter(
          (r) => r.record.status === 'Pending',
        );
      case 'queue':
        return plain(await api.all('tickets', '/tickets', { status: 'Open', sortBy: 'createdTime' }));
      case 'threads':
        return under(await tickets(), (id) => api.all('ticketThreads', `/tickets/${id}/threads`, { sortBy: 'sendDateTime' }));
      case 'ticket-tags':
        return under(await departments(), (id) => api.all('ticketTags', '/ticketTags', { departmentId: id }));
      case 'ticket-time-entries':
        return under(await tickets(), (id) => api.all('ticketTimeEntries', `/tickets/${id}/timeEntry`));
      case 'tickets':
        return plain(await api.all('ticketSearch', '/tickets/search', { sortBy: 'modifiedTime' }));
      default:
        throw new Error(report);
    }
  }

  const REPORTS = [
    'accounts',
    'agents',
    'agent-time-entries',
    'calls',
    'contacts',
    'customer-happiness',
    'departments',
    'email-failures',
    'pending-approvals',
    'queue',
    'threads',
    'ticket-tags',
    'ticket-time-entries',
    'tickets',
  ];

  it('is, for every report, what its endpoints serve after deletes, restores and edits', async () => {
    const api = await start({ tickets: 120 });
    api.advance(HOUR, { deleteTickets: 10, spamDeleteTickets: 2, deleteContacts: 3, deleteAccounts: 2, deleteCalls: 3, deleteTimeEntries: 3 });
    const report = api.advance(HOUR, {
      restoreTickets: 3,
      newTickets: 2,
      newThreads: 3,
      closeTickets: 2,
      moveTickets: 2,
      editTicketFields: 2,
      deleteTags: 1,
      clearEmailFailures: 1,
      processApprovals: 1,
      disableAgents: 1,
    });
    const { sim } = api.running;
    // Parents may come in another order; each parent's records come in the order its endpoint serves them.
    const byParent = <T extends { parentId?: string }>(rows: T[]) => [...rows].sort((a, b) => (a.parentId ?? '').localeCompare(b.parentId ?? ''));
    for (const id of REPORTS) {
      const truth = sim.currentRecords(id);
      expect(byParent(truth), id).toEqual(byParent(await served(api, id)));
      expect(truth.length, id).toBeGreaterThan(0);
    }
    const hidden = [...sim.portal.hidden];
    expect(hidden).toHaveLength(10 + 2 + 3 + 2 + 3 + 3 - 3);
    const tickets = sim.currentRecords('tickets').map((r) => r.record.id);
    expect(tickets.filter((id) => hidden.includes(id as string))).toEqual([]);
    expect(tickets).toEqual(expect.arrayContaining(report.restoredTickets));
    expect(sim.currentRecords('threads').filter((r) => hidden.includes(r.parentId as string))).toEqual([]);
  });

  it('is served by GET /_sim/records too, and a report the edition lacks has no records', async () => {
    const api = await start({ edition: 'STANDARD' });
    api.advance(HOUR, { deleteTickets: 2 });
    const { sim, url } = api.running;
    const res = await fetch(`${url}/_sim/records?report=threads`);
    expect(await res.json()).toEqual(sim.currentRecords('threads'));
    expect(sim.currentRecords('threads').length).toBeGreaterThan(0);
    expect(sim.currentRecords('ticket-time-entries')).toEqual([]);
    expect(sim.currentRecords('queue')).toEqual([]);
    expect((await api.get('/tickets', { status: 'Open' })).status).toBe(403);
    expect((await fetch(`${url}/_sim/records?report=widgets`)).status).toBe(404);
  });
});
