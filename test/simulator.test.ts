import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../lib/clock.js';
import { startSimulator, type RunningSimulator, type StartOptions } from '../lib/simulator/server.js';

// The simulator over real HTTP, spoken to with plain fetch: what any client would meet.

let running: RunningSimulator | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

async function start(options: StartOptions = {}): Promise<RunningSimulator> {
  running = await startSimulator(options);
  return running;
}

async function token(sim: RunningSimulator, scopes?: string[]): Promise<{ access: string; refresh: string }> {
  const form = new URLSearchParams({
    grant_type: 'authorization_code',
    client_id: sim.sim.accounts.clientId,
    client_secret: sim.sim.accounts.clientSecret,
    code: sim.sim.issueGrantCode(scopes),
  });
  const res = await fetch(`${sim.url}/oauth/v2/token`, { method: 'POST', body: form });
  const body = (await res.json()) as Record<string, string>;
  return { access: body.access_token as string, refresh: body.refresh_token as string };
}

async function desk(sim: RunningSimulator, path: string, access: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${sim.url}/api/v1${path}`, {
    headers: { authorization: `Zoho-oauthtoken ${access}`, orgId: sim.sim.orgId, ...headers },
  });
  const text = await res.text();
  const isJson = text !== '' && (res.headers.get('content-type') ?? '').includes('json');
  return { status: res.status, headers: res.headers, text, json: isJson ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

describe('simulated portal data', () => {
  it('has 19-digit string ids above 2^53 and Zoho field names', async () => {
    const sim = await start({ tickets: 30 });
    const { access } = await token(sim);
    const tickets = await desk(sim, '/tickets?from=1&limit=5', access);
    const first = (tickets.json?.data as Array<Record<string, unknown>>)[0] as Record<string, unknown>;
    expect(first.id).toMatch(/^\d{19}$/);
    expect(BigInt(first.id as string)).toBeGreaterThan(BigInt(Number.MAX_SAFE_INTEGER));
    expect(first).toMatchObject({ ticketNumber: expect.stringMatching(/^\d+$/), threadCount: expect.stringMatching(/^\d+$/) });
    expect(first.createdTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(first).not.toHaveProperty('modifiedTime'); // the list view lacks it, as on real portals
  });
});

describe('Zoho behaviour', () => {
  it('answers an empty page with 204, a JSON content-type and no body', async () => {
    const sim = await start({ tickets: 10 });
    const { access } = await token(sim);
    const res = await desk(sim, '/tickets?from=500&limit=10', access);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(res.headers.get('content-type')).toContain('application/json');
  });

  it('reads from=0 as 1 on 1-based lists and from=0 as the first record on 0-based search', async () => {
    const sim = await start({ tickets: 10 });
    const { access } = await token(sim);
    const ids = async (path: string) => ((await desk(sim, path, access)).json?.data as Array<{ id: string }>).map((t) => t.id);
    expect(await ids('/tickets?from=0&limit=3')).toEqual(await ids('/tickets?from=1&limit=3'));
    const search0 = await ids('/tickets/search?from=0&limit=3&sortBy=createdTime');
    const search1 = await ids('/tickets/search?from=1&limit=3&sortBy=createdTime');
    expect(search1.slice(0, 2)).toEqual(search0.slice(1));
  });

  it("rejects undeclared parameters, limits out of range and the depth cap with 422 and Zoho's error body", async () => {
    const sim = await start({ tickets: 10 });
    const { access } = await token(sim);
    const extra = await desk(sim, '/tickets?sortOrder=asc', access);
    expect(extra.status).toBe(422);
    expect(extra.json).toMatchObject({ errorCode: 'UNPROCESSABLE_ENTITY', message: "Extra query parameter 'sortOrder' is present in the input." });
    const limit = await desk(sim, '/accounts?limit=100', access);
    expect(limit.status).toBe(422);
    expect(limit.json?.errors).toEqual([expect.objectContaining({ fieldName: '/limit', errorType: 'invalid' })]);
    const deep = await desk(sim, '/tickets/search?from=1000&limit=10', access);
    expect(deep.status).toBe(422);
    expect(String(deep.json?.message)).toContain("exceeds the range of '0-999'");
    const missing = await desk(sim, '/ticketTags', access);
    expect(missing.status).toBe(422);
    expect(missing.json?.errors).toEqual([expect.objectContaining({ fieldName: '/departmentId', errorType: 'missing' })]);
  });

  it('requires orgId (but not on /organizations) and refuses another org', async () => {
    const sim = await start({ tickets: 5 });
    const { access } = await token(sim);
    const res = await fetch(`${sim.url}/api/v1/departments`, { headers: { authorization: `Zoho-oauthtoken ${access}` } });
    expect(res.status).toBe(422);
    expect((await desk(sim, '/departments', access, { orgId: '123' })).json).toMatchObject({ errorCode: 'OAUTH_ORG_MISMATCH' });
    const orgs = await fetch(`${sim.url}/api/v1/organizations`, { headers: { authorization: `Zoho-oauthtoken ${access}` } });
    expect(orgs.status).toBe(200);
  });

  it('expires access tokens after an hour of its clock', async () => {
    const clock = new ManualClock('2026-11-20T10:00:00Z');
    const sim = await start({ tickets: 5, clock });
    const { access } = await token(sim);
    expect((await desk(sim, '/departments', access)).status).toBe(200);
    clock.advance(3_599_000);
    expect((await desk(sim, '/departments', access)).status).toBe(200);
    clock.advance(1_000);
    const expired = await desk(sim, '/departments', access);
    expect(expired.status).toBe(401);
    expect(expired.json).toMatchObject({ errorCode: 'INVALID_OAUTH' });
  });

  it('answers the 11th mint in 10 minutes with HTTP 200 "Access Denied", until the window passes', async () => {
    const clock = new ManualClock('2026-11-20T10:00:00Z');
    const sim = await start({ tickets: 5, clock });
    const { refresh } = await token(sim);
    const mint = async () => {
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: refresh,
        client_id: sim.sim.accounts.clientId,
        client_secret: sim.sim.accounts.clientSecret,
      });
      const res = await fetch(`${sim.url}/oauth/v2/token`, { method: 'POST', body: form });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    for (let i = 0; i < 10; i += 1) {
      expect((await mint()).body.access_token).toBeTypeOf('string');
      clock.advance(1_000);
    }
    const denied = await mint();
    expect(denied.status).toBe(200);
    expect(denied.body.error).toBe('Access Denied');
    clock.advance(10 * 60_000);
    expect((await mint()).body.access_token).toBeTypeOf('string');
    expect(sim.sim.stats().tokensMinted).toBe(11);
  });

  it("limits concurrent calls to the edition's figure with 429 TOO_MANY_REQUESTS and reports the highest concurrency", async () => {
    const sim = await start({ tickets: 5, edition: 'FREE', faults: { latencyMs: 600 } });
    const { access } = await token(sim);
    const answers = await Promise.all(Array.from({ length: 8 }, () => desk(sim, '/departments', access)));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    expect(answers.filter((a) => a.status === 429).map((a) => a.json?.errorCode)).toEqual([
      'TOO_MANY_REQUESTS',
      'TOO_MANY_REQUESTS',
      'TOO_MANY_REQUESTS',
    ]);
    expect(sim.sim.stats()).toMatchObject({ maxConcurrency: 5, concurrencyRejections: 3 });
  });

  it('meters credits with the real headers and answers THRESHOLD_EXCEEDED with Retry-After when the pool is spent', async () => {
    const sim = await start({ tickets: 5, dailyCredits: 10 });
    const { access } = await token(sim);
    const first = await desk(sim, '/departments', access);
    expect(first.headers.get('x-rate-limit-request-weight-v3')).toBe('3');
    expect(first.headers.get('x-rate-limit-remaining-v3')).toBe('7');
    await desk(sim, '/departments', access);
    await desk(sim, '/departments', access);
    const spent = await desk(sim, '/departments', access);
    expect(spent.status).toBe(429);
    expect(spent.json).toMatchObject({ errorCode: 'THRESHOLD_EXCEEDED' });
    expect(Number(spent.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(sim.sim.stats()).toMatchObject({ creditsSpent: 9, creditsRemaining: 1 });
  });

  it('gates Professional features with 403 LICENSE_ACCESS_LIMITED on lower editions', async () => {
    const sim = await start({ tickets: 20, edition: 'STANDARD' });
    const { access } = await token(sim);
    const agent = sim.sim.portal.agents[0]?.id as string;
    const res = await desk(sim, `/agents/${agent}/timeEntry`, access);
    expect(res.status).toBe(403);
    expect(res.json).toMatchObject({ errorCode: 'LICENSE_ACCESS_LIMITED', editionType: 'STANDARD', feature: 'TimeTracking' });
    expect((await desk(sim, '/tickets?status=Open', access)).status).toBe(403);
    expect((await desk(sim, '/tickets', access)).status).toBe(200);
  });

  it('refuses a token without the needed scope with SCOPE_MISMATCH', async () => {
    const sim = await start({ tickets: 5 });
    const { access } = await token(sim, ['Desk.tickets.READ']);
    expect((await desk(sim, '/tickets', access)).status).toBe(200);
    expect((await desk(sim, '/tickets/search', access)).json).toMatchObject({ errorCode: 'SCOPE_MISMATCH' });
  });

  it('serves an HTML 404 page outside the API, like a wrong host', async () => {
    const sim = await start({ tickets: 5 });
    const res = await fetch(`${sim.url}/elsewhere/api/v1/tickets`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('text/html');
    const inside = await fetch(`${sim.url}/api/v1/nothing`);
    expect(((await inside.json()) as Record<string, unknown>).errorCode).toBe('URL_NOT_FOUND');
  });
});

describe('fault injection and introspection', () => {
  it('applies faults set at run time through /_sim/faults and counts them', async () => {
    const sim = await start({ tickets: 5 });
    const { access } = await token(sim);
    const set = (faults: Record<string, unknown>) => fetch(`${sim.url}/_sim/faults`, { method: 'POST', body: JSON.stringify(faults) });
    await set({ serverErrorRate: 1 });
    expect((await desk(sim, '/departments', access)).json).toMatchObject({ errorCode: 'INTERNAL_SERVER_ERROR' });
    await set({ serverErrorRate: 0, tooManyRequestsRate: 1 });
    expect((await desk(sim, '/departments', access)).json).toMatchObject({ errorCode: 'TOO_MANY_REQUESTS' });
    await set({ tooManyRequestsRate: 0, outage: true });
    const outage = await desk(sim, '/departments', access);
    expect(outage.status).toBe(503);
    await set({ outage: false, resetRate: 1 });
    await expect(desk(sim, '/departments', access)).rejects.toThrow();
    await set({ resetRate: 0, slowRate: 1, slowMs: 300 });
    const started = Date.now();
    expect((await desk(sim, '/departments', access)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    const bad = await set({ serverErrorRate: 2 });
    expect(bad.status).toBe(400);
    const stats = (await (await fetch(`${sim.url}/_sim/stats`)).json()) as Record<string, unknown>;
    expect(stats.faults).toEqual({ reset: 1, outage: 1, 'server-error': 1, 'too-many-requests': 1, slow: 1 });
    expect(stats).toMatchObject({ codesExchanged: 1, deskCalls: 5, calls: { departments: 5 } });
  });

  it('honours outage windows on its clock and throttles the token endpoint on demand', async () => {
    const clock = new ManualClock('2026-11-20T10:00:00Z');
    const sim = await start({ tickets: 5, clock, faults: { outageWindows: [{ from: '2026-11-20T10:30:00Z', to: '2026-11-20T11:00:00Z' }] } });
    const { access } = await token(sim);
    expect((await desk(sim, '/departments', access)).status).toBe(200);
    clock.advance(30 * 60_000);
    expect((await desk(sim, '/departments', access)).status).toBe(503);
    clock.advance(29 * 60_000);
    sim.sim.setFaults({ tokenThrottle: true });
    const form = new URLSearchParams({
      grant_type: 'authorization_code',
      code: sim.sim.issueGrantCode(),
      client_id: sim.sim.accounts.clientId,
      client_secret: sim.sim.accounts.clientSecret,
    });
    const throttled = await fetch(`${sim.url}/oauth/v2/token`, { method: 'POST', body: form });
    expect(throttled.status).toBe(200);
    expect(((await throttled.json()) as Record<string, unknown>).error).toBe('Access Denied');
  });

  it('changes its data over simulated time: new and modified tickets and new threads', async () => {
    const clock = new ManualClock('2026-11-20T10:00:00Z');
    const sim = await start({ tickets: 40, clock });
    const { access } = await token(sim);
    const before = new Date(clock.now() + 1).toISOString(); // generated history ends at the start time
    const report = sim.sim.advance(4 * 3_600_000, { newTickets: 3, modifiedTickets: 2, newThreads: 2 });
    const { access: fresh } = await token(sim);
    void access;
    const range = `${before},${new Date(clock.now()).toISOString()}`;
    const changed = await desk(sim, `/tickets/search?modifiedTimeRange=${range}&sortBy=modifiedTime&limit=100`, fresh);
    const ids = (changed.json?.data as Array<{ id: string }>).map((t) => t.id).sort();
    expect(ids).toEqual([...new Set([...report.created, ...report.modified, ...report.threaded])].sort());
    expect(changed.json?.count).toBe(ids.length);
    const threaded = report.threaded[0] as string;
    const threads = await desk(sim, `/tickets/${threaded}/threads`, fresh);
    expect((threads.json?.data as Array<{ createdTime: string }>)[0]?.createdTime).toBe(new Date(clock.now()).toISOString());
    expect(sim.sim.portal.tickets).toHaveLength(43);
  });
});
