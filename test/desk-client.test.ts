import { describe, expect, it } from 'vitest';
import { ConfigError, CreditsExhaustedError, ReauthorizeError, ReportUnavailableError, RetryLaterError, ZohoRejectedError } from '../lib/errors.js';
import { ticketThreads } from '../lib/simulator/dataset.js';
import { CreditMeter } from '../lib/zoho/credits.js';
import type { DeskRecord } from '../lib/zoho/desk-client.js';
import { RECOMMENDED_SCOPES } from '../lib/zoho/endpoints.js';
import { parseJsonKeepingIds } from '../lib/zoho/json.js';
import { recordingHttp, fixtures, type Fixture } from './helpers/zoho.js';
import { rejection } from './helpers/errors.js';

const open = fixtures();
let fixture: Fixture;

const ids = (records: DeskRecord[]) => records.map((r) => r.id as string).sort();

describe('every Desk request', () => {
  it('sends Authorization: Zoho-oauthtoken and orgId (but no orgId to /organizations)', async () => {
    fixture = await open();
    const spy = recordingHttp();
    const zoho = await fixture.connect({ http: spy.http });
    await zoho.desk.page('departments');
    await zoho.desk.page('organizations');
    const [departments, organizations] = spy.calls.filter((c) => c.request.url.includes('/api/v1/'));
    expect(departments?.request.headers.authorization).toMatch(/^Zoho-oauthtoken 1000\./);
    expect(departments?.request.headers.orgId).toBe(fixture.running.sim.orgId);
    expect(organizations?.request.headers).not.toHaveProperty('orgId');
  });

  it('keeps ids as strings end to end, even when Zoho sends one as a bare large number', async () => {
    expect(parseJsonKeepingIds('{"data":[{"id":1329983000000425001,"count":3,"ratio":0.5}]}')).toEqual({
      data: [{ id: '1329983000000425001', count: 3, ratio: 0.5 }],
    });
    expect(parseJsonKeepingIds('{"id":"1329983000000425001"}')).toEqual({ id: '1329983000000425001' });
    fixture = await open({ simulator: { tickets: 20 } });
    const tickets = await (await fixture.connect()).desk.all('tickets');
    expect(tickets.every((t) => typeof t.id === 'string' && typeof t.departmentId === 'string')).toBe(true);
    expect(ids(tickets)).toEqual(fixture.running.sim.portal.tickets.map((t) => t.id).sort());
  });

  it('refuses, before sending anything, a query parameter the endpoint does not declare', async () => {
    fixture = await open();
    const spy = recordingHttp();
    const zoho = await fixture.connect({ http: spy.http });
    const error = await rejection(zoho.desk.page('tickets', { query: { modifiedTimeRange: '2026-01-01T00:00:00.000Z,2026-02-01T00:00:00.000Z' } }));
    // A request Zoho would refuse: that one page is set aside (reject), the run goes on.
    expect(error).toMatchObject({ action: 'reject' });
    expect(error.message).toContain('GET /tickets does not accept the query parameter "modifiedTimeRange"');
    expect(await rejection(zoho.desk.page('ticketTags'))).toMatchObject({ action: 'reject' }); // departmentId is required
    expect(await rejection(zoho.desk.page('accounts', { limit: 100 }))).toMatchObject({ action: 'reject' }); // 1–99
    expect(await rejection(zoho.desk.page('ticketThreads', { path: { ticketId: '12e5' } }))).toMatchObject({ action: 'reject' });
    expect(spy.calls).toHaveLength(0);
  });

  it('needs org_id for everything but /organizations, and says where to find it', async () => {
    fixture = await open({ secret: { org_id: undefined } });
    const zoho = await fixture.connect();
    expect((await zoho.desk.page('organizations')).records).toHaveLength(1);
    const error = await rejection(zoho.desk.page('departments'));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain('auth init');
  });
});

describe('pagination, from the single endpoint table', () => {
  it('reads every record of every paged endpoint, no more and no fewer, against the simulator', async () => {
    fixture = await open({ simulator: { tickets: 450 } });
    const { portal } = fixture.running.sim;
    const { desk } = await fixture.connect({ maxConcurrency: 10 });
    expect(ids(await desk.all('accounts'))).toEqual(portal.accounts.map((a) => a.id).sort());
    expect(ids(await desk.all('contacts'))).toEqual(portal.contacts.map((c) => c.id).sort());
    expect(ids(await desk.all('calls'))).toEqual(portal.calls.map((c) => c.id).sort());
    expect(ids(await desk.all('agents'))).toEqual(portal.agents.map((a) => a.id).sort());
    expect(ids(await desk.all('departments'))).toEqual(portal.departments.map((d) => d.id).sort());
    expect(ids(await desk.all('tickets'))).toEqual(portal.tickets.map((t) => t.id).sort());
    expect(ids(await desk.all('ticketSearch', { query: { sortBy: 'modifiedTime' } }))).toEqual(portal.tickets.map((t) => t.id).sort());
    expect(ids(await desk.all('customerHappiness', { limit: 7 }))).toEqual(portal.ratings.map((r) => r.id).sort());
    expect((await desk.all('emailFailureAlerts', { query: { department: 'allDepartment' }, limit: 3 })).length).toBe(portal.emailFailures.length);
    for (const department of portal.departments) {
      const tags = await desk.all('ticketTags', { query: { departmentId: department.id }, limit: 3 });
      expect(ids(tags)).toEqual(
        portal.tags
          .filter((t) => t.departmentId === department.id)
          .map((t) => t.id)
          .sort(),
      );
    }
    for (const agent of portal.agents) {
      const entries = await desk.all('agentTimeEntries', { path: { agentId: agent.id }, limit: 2 });
      expect(ids(entries)).toEqual(
        portal.timeEntries
          .filter((e) => e.ownerId === agent.id)
          .map((e) => e.id)
          .sort(),
      );
    }
    const busy = portal.tickets.filter((t) => t.baseThreads >= 4).slice(0, 5);
    for (const ticket of busy) {
      const threads = await desk.all('ticketThreads', { path: { ticketId: ticket.id }, limit: 2 });
      expect(ids(threads)).toEqual(
        ticketThreads(portal, ticket)
          .map((th) => th.id)
          .sort(),
      );
    }
    const withEntries = portal.timeEntries[0]?.ticketId as string;
    const ticketEntries = await desk.all('ticketTimeEntries', { path: { ticketId: withEntries }, limit: 1 });
    expect(ids(ticketEntries)).toEqual(
      portal.timeEntries
        .filter((e) => e.ticketId === withEntries)
        .map((e) => e.id)
        .sort(),
    );
    const withApprovals = portal.approvals[0]?.ticketId as string;
    const approvals = await desk.all('ticketApprovals', { path: { ticketId: withApprovals } });
    expect(ids(approvals)).toEqual(
      portal.approvals
        .filter((a) => a.ticketId === withApprovals)
        .map((a) => a.id)
        .sort(),
    );
  });

  it('ends on a short page without another call, and on HTTP 204 when the last page was full', async () => {
    fixture = await open({ simulator: { tickets: 450 } });
    const spy = recordingHttp();
    const { desk } = await fixture.connect({ http: spy.http });
    const pages = [];
    for await (const page of desk.pages('tickets')) pages.push(page);
    expect(pages.map((p) => [p.from, p.records.length, p.status])).toEqual([
      [1, 100, 200],
      [101, 100, 200],
      [201, 100, 200],
      [301, 100, 200],
      [401, 50, 200],
    ]);

    const exact = await open({ simulator: { tickets: 400 } });
    const again = await exact.connect();
    const full = [];
    for await (const page of again.desk.pages('tickets')) full.push(page);
    expect(full.map((p) => p.status)).toEqual([200, 200, 200, 200, 204]);
    expect(full.at(-1)?.last).toBe(true);
  });

  it('pages 0-based search from 0 and stops at its count', async () => {
    fixture = await open({ simulator: { tickets: 150 } });
    const spy = recordingHttp();
    const { desk } = await fixture.connect({ http: spy.http });
    const records = await desk.all('ticketSearch', { query: { sortBy: 'createdTime' } });
    expect(records).toHaveLength(150);
    const froms = spy.calls.filter((c) => c.request.url.includes('/tickets/search')).map((c) => new URL(c.request.url).searchParams.get('from'));
    expect(froms).toEqual(['0', '100']);
  });

  it('drops a record repeated at a page boundary, so a wrong guess of an endpoint base costs a duplicate, never a gap', async () => {
    fixture = await open({ simulator: { tickets: 250 } });
    const { desk } = await fixture.connect();
    // Starting /tickets (1-based) at 0 makes every boundary repeat one record.
    const records = await desk.all('tickets', { from: 0 });
    expect(records).toHaveLength(250);
    expect(new Set(ids(records)).size).toBe(250);
  });
});

describe('errors are typed by what the caller must do', () => {
  it('retry later: 5xx, dropped connections, timeouts and TOO_MANY_REQUESTS', async () => {
    fixture = await open();
    const { sim } = fixture.running;
    const zoho = await fixture.connect({ timeoutMs: 200 });
    await zoho.desk.page('departments');
    sim.setFaults({ serverErrorRate: 1 });
    expect(await rejection(zoho.desk.page('departments'))).toMatchObject({ action: 'retry', status: 500 });
    sim.setFaults({ serverErrorRate: 0, resetRate: 1 });
    const reset = await rejection(zoho.desk.page('departments'));
    expect(reset).toBeInstanceOf(RetryLaterError);
    expect(reset.message).toContain('did not answer');
    sim.setFaults({ resetRate: 0, slowRate: 1, slowMs: 600 });
    expect((await rejection(zoho.desk.page('departments'))).message).toContain('no answer within 200 ms');
    sim.setFaults({ slowRate: 0, tooManyRequestsRate: 1 });
    expect(await rejection(zoho.desk.page('departments'))).toMatchObject({ action: 'retry', errorCode: 'TOO_MANY_REQUESTS' });
    sim.setFaults({ tooManyRequestsRate: 0, outage: true });
    expect(await rejection(zoho.desk.page('departments'))).toMatchObject({ action: 'retry', status: 503 });
  });

  it("bounds its own concurrency so the portal's limit is never hit", async () => {
    fixture = await open({ simulator: { concurrencyLimit: 2, faults: { latencyMs: 300 } } });
    const unbounded = await fixture.connect({ retry: { retries: 0, minDelayMs: 0, maxDelayMs: 0 } });
    await unbounded.desk.page('departments');
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => unbounded.desk.page('departments')));
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.errorCode)).toContain('TOO_MANY_REQUESTS');
    fixture.running.sim.resetStats();
    const bounded = await fixture.connect({ maxConcurrency: 2 });
    await Promise.all(Array.from({ length: 6 }, () => bounded.desk.page('departments')));
    expect(fixture.running.sim.stats()).toMatchObject({ maxConcurrency: 2, concurrencyRejections: 0 });
  });

  it('stop for the day: THRESHOLD_EXCEEDED, honouring Retry-After', async () => {
    fixture = await open();
    const zoho = await fixture.connect();
    await zoho.desk.page('departments');
    fixture.running.sim.credits.setRemaining(2);
    const error = await rejection(zoho.desk.page('departments'));
    expect(error).toBeInstanceOf(CreditsExhaustedError);
    expect((error as CreditsExhaustedError).retryAfterSeconds).toBeGreaterThan(0);
    expect(error.message).toContain('daily API credits');
  });

  it('refresh once then fail: INVALID_OAUTH for a freshly minted token is a reauthorize error after exactly one refresh', async () => {
    fixture = await open({ simulator: { accessTokenLifetimeMs: 1 } });
    const zoho = await fixture.connect();
    const error = await rejection(zoho.desk.page('departments'));
    expect(error).toBeInstanceOf(ReauthorizeError);
    expect(error.message).toContain('freshly issued access token');
    expect(fixture.running.sim.stats()).toMatchObject({ codesExchanged: 1, tokensMinted: 1 });
  });

  it("reject: 422 with Zoho's message, URL_NOT_FOUND, SCOPE_MISMATCH naming the scopes; fix: OAUTH_ORG_MISMATCH", async () => {
    fixture = await open({ simulator: { tickets: 20 } });
    const zoho = await fixture.connect();
    const deep = await rejection(zoho.desk.page('ticketSearch', { from: 1000 }));
    expect(deep).toBeInstanceOf(ZohoRejectedError);
    expect(deep.message).toContain("exceeds the range of '0-999'");
    const missing = await rejection(zoho.desk.page('ticketThreads', { path: { ticketId: '1234567890123456789' } }));
    expect(missing).toMatchObject({ action: 'reject', status: 404 });

    const narrow = await open({ scopes: ['Desk.tickets.READ', 'Desk.basic.READ'] });
    const scope = await rejection((await narrow.connect()).desk.page('ticketSearch'));
    expect(scope).toMatchObject({ action: 'reject' });
    expect(scope.message).toContain('needs Desk.tickets.READ and Desk.search.READ');
    expect(scope.message).toContain(RECOMMENDED_SCOPES.join(','));
    const wrongOrg = await open({ secret: { org_id: '123456789' } });
    const org = await rejection((await wrongOrg.connect()).desk.page('departments'));
    // Every call of the portal would fail alike: the run stops (fix) rather than set each page aside.
    expect(org).toMatchObject({ action: 'fix', errorCode: 'OAUTH_ORG_MISMATCH' });
    expect(org.message).toContain('org_id 123456789');
  });

  it('unavailable: LICENSE_ACCESS_LIMITED on a lower edition, and a 422 from the unconfirmed customer happiness endpoint', async () => {
    fixture = await open({ simulator: { edition: 'FREE', tickets: 20 } });
    const zoho = await fixture.connect();
    const agent = fixture.running.sim.portal.agents[0]?.id as string;
    const gated = await rejection(zoho.desk.page('agentTimeEntries', { path: { agentId: agent } }));
    expect(gated).toBeInstanceOf(ReportUnavailableError);
    expect(gated).toMatchObject({ editionType: 'FREE', feature: 'TimeTracking', action: 'unavailable' });
    const paid = await open();
    const unconfirmed = await rejection((await paid.connect()).desk.page('customerHappiness', { query: { department: 'all' } }));
    expect(unconfirmed).toBeInstanceOf(ReportUnavailableError);
    expect(unconfirmed.message).toContain("not in Zoho's published API");
  });
});

describe('credits', () => {
  it("records each call's weight and the credits left from Zoho's headers", async () => {
    fixture = await open({ simulator: { tickets: 250, dailyCredits: 1_000 } });
    const { desk } = await fixture.connect();
    await desk.all('tickets');
    expect(await desk.count('ticketsCount')).toBe(250);
    expect(desk.credits.spent).toBe(10);
    expect(desk.credits.remaining).toBe(990);
    expect(desk.credits.byRequest.get('GET /tickets')).toEqual({ calls: 3, credits: 9 });
    expect(desk.credits.byRequest.get('GET /ticketsCount')).toEqual({ calls: 1, credits: 1 });
    expect(fixture.running.sim.stats().creditsSpent).toBe(10);
  });

  it('stops before a call that would spend below the reserve, without making it', async () => {
    fixture = await open({ simulator: { dailyCredits: 20 } });
    const { desk } = await fixture.connect({ credits: new CreditMeter({ reserve: 12 }) });
    await desk.page('departments'); // 17 left
    await desk.page('departments'); // 14 left
    const error = await rejection(desk.page('departments'));
    expect(error).toBeInstanceOf(CreditsExhaustedError);
    expect(error.message).toContain('14 API credits left today and the reserve is 12');
    expect(fixture.running.sim.stats().deskCalls).toBe(2);
  });
});
