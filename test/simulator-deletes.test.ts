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
    grant_type: 'authorization_code', client_id: sim.sim.accounts.clientId, client_secret: sim.sim.accounts.clientSecret, code: sim.sim.issueGrantCode(),
  });
  const access = ((await (await fetch(`${sim.url}/oauth/v2/token`, { method: 'POST', body: form })).json()) as Record<string, string>).access_token;
  const get: Api['get'] = async (path, query = {}) => {
    const search = new URLSearchParams(query).toString();
    const res = await fetch(`${sim.url}/api/v1${path}${search ? `?${search}` : ''}`, { headers: { authorization: `Zoho-oauthtoken ${access}`, orgId: sim.sim.orgId } });
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
          id: expect.stringMatching(/^\d{19}$/), apiName: expect.any(String), displayLabel: expect.any(String), i18NLabel: expect.any(String),
          name: expect.any(String), type: expect.any(String), isCustomField: expect.any(Boolean), isMandatory: expect.any(Boolean),
          isEncryptedField: false, isTrackLastActivityTime: false, maxLength: expect.any(Number),
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
        Number: /^\d+$/, Percent: /^\d{1,2}\.\d$/, Decimal: /^\d+\.\d$/, Currency: /^\d+\.\d\d$/, Date: /^\d{4}-\d\d-\d\d$/, Boolean: /^(true|false)$/,
      };
      for (const [field, value] of values) {
        if (value === null) continue;
        expect(typeof value).toBe('string');
        if (field.allowedValues) expect((field.allowedValues as Json[]).map((v) => v.value)).toContain(value);
        const format = FORMATS[field.type as string];
        if (format) expect(value, `${field.apiName}`).toMatch(format);
      }
      expect(values.some(([, value]) => value === null), module).toBe(true);
      expect(values.some(([, value]) => value !== null), module).toBe(true);
      expect(listed.every((record) => 'cf' in record), module).toBe(module === 'calls');
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
