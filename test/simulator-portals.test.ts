import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FileSecretStore } from '../lib/adapters/file-secret-store.js';
import { ManualClock } from '../lib/clock.js';
import { startSimulator, type RunningSimulator, type StartOptions } from '../lib/simulator/server.js';
import type { Simulator } from '../lib/simulator/simulator.js';
import { cli } from './helpers/export.js';
import { tempDir } from './helpers/zoho.js';

// Several portals on one port (an EU and a US portal, an agency's clients), spoken to over HTTP with plain fetch.

type Json = Record<string, unknown>;

let running: RunningSimulator | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

async function start(options: StartOptions): Promise<RunningSimulator> {
  running = await startSimulator(options);
  return running;
}

async function post(url: string, body: URLSearchParams | Json = {}): Promise<{ status: number; json: Json }> {
  const res = await fetch(url, { method: 'POST', body: body instanceof URLSearchParams ? body : JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Json };
}

async function get(url: string): Promise<{ status: number; json: unknown }> {
  const res = await fetch(url);
  return { status: res.status, json: await res.json() };
}

/** A token exchange with the portal's own client, over HTTP: the access and refresh tokens. */
async function tokens(base: string, secret: { client_id: string; client_secret: string; code: string }) {
  const { json } = await post(`${base}/oauth/v2/token`, new URLSearchParams({ grant_type: 'authorization_code', ...secret }));
  return { access: json.access_token as string, refresh: json.refresh_token as string, error: json.error };
}

const secretOf = (sim: Simulator) => ({ client_id: sim.accounts.clientId, client_secret: sim.accounts.clientSecret, code: sim.issueGrantCode() });

async function desk(base: string, path: string, access: string, orgId?: string) {
  const headers: Record<string, string> = { authorization: `Zoho-oauthtoken ${access}`, ...(orgId !== undefined && { orgId }) };
  const res = await fetch(`${base}/api/v1${path}`, { headers });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Json) : undefined };
}

const ids = (records: unknown) => (records as Array<{ id?: string; record?: { id: string } }>).map((r) => r.id ?? r.record?.id).sort();

/** Portal A (Enterprise, 12 tickets) and portal B (Standard, 7 tickets, another seed) on one port. */
async function twoPortals(extra: StartOptions = {}) {
  const sim = await start({ seed: 3, tickets: 12, edition: 'ENTERPRISE', portals: [{ seed: 8, tickets: 7, edition: 'STANDARD' }], ...extra });
  const [a, b] = sim.sims as [Simulator, Simulator];
  return { sim, a, b, tokenA: await tokens(sim.url, secretOf(a)), tokenB: await tokens(sim.url, secretOf(b)) };
}

describe('several portals on one port', () => {
  it('answers each portal its own records, edition and org for its own org id and token', async () => {
    const { sim, a, b, tokenA, tokenB } = await twoPortals();
    expect(sim.sim).toBe(a);
    expect(a.orgId).not.toBe(b.orgId);
    expect(a.accounts.clientId).not.toBe(b.accounts.clientId);
    const search = '/tickets/search?sortBy=modifiedTime&limit=100';
    const aTickets = await desk(sim.url, search, tokenA.access, a.orgId);
    const bTickets = await desk(sim.url, search, tokenB.access, b.orgId);
    expect(ids(aTickets.json?.data)).toEqual(ids((await get(`${sim.url}/_sim/records?report=tickets&org=${a.orgId}`)).json));
    expect(ids(bTickets.json?.data)).toEqual(ids((await get(`${sim.url}/_sim/records?report=tickets&org=${b.orgId}`)).json));
    expect(ids(aTickets.json?.data)).toHaveLength(12);
    expect(ids(bTickets.json?.data)).toHaveLength(7);
    // Each portal's edition: time tracking is Professional and up.
    const agentOf = (s: Simulator) => s.portal.agents[0]?.id as string;
    expect((await desk(sim.url, `/agents/${agentOf(a)}/timeEntry`, tokenA.access, a.orgId)).status).not.toBe(403);
    expect((await desk(sim.url, `/agents/${agentOf(b)}/timeEntry`, tokenB.access, b.orgId)).json).toMatchObject({
      errorCode: 'LICENSE_ACCESS_LIMITED',
      editionType: 'STANDARD',
    });
    // Without an orgId, /organizations answers the token's own portal.
    const orgs = await desk(sim.url, '/organizations', tokenB.access);
    expect(orgs.json?.data).toEqual([expect.objectContaining({ id: b.orgId, edition: 'STANDARD' })]);
    expect((await get(`${sim.url}/_sim/portals`)).json).toEqual([
      { orgId: a.orgId, edition: 'ENTERPRISE', clientId: a.accounts.clientId, tickets: 12 },
      { orgId: b.orgId, edition: 'STANDARD', clientId: b.accounts.clientId, tickets: 7 },
    ]);
  });

  it("refuses one portal's token with another's org id, and keeps tokens, codes and clients apart", async () => {
    const { sim, a, b, tokenA, tokenB } = await twoPortals();
    for (const [access, orgId] of [
      [tokenA.access, b.orgId],
      [tokenB.access, a.orgId],
      [tokenA.access, '123456789'], // an org no portal has
    ] as const) {
      const refused = await desk(sim.url, '/departments', access, orgId);
      expect(refused.status, orgId).toBe(403);
      expect(refused.json).toMatchObject({ errorCode: 'OAUTH_ORG_MISMATCH' });
    }
    expect((await desk(sim.url, '/departments', 'not-a-token', b.orgId)).status).toBe(401);
    expect((await desk(sim.url, '/departments', tokenB.access)).status).toBe(422); // no orgId: as with one portal
    // A's grant code and refresh token mean nothing to B's client; an unknown client is refused as before.
    const code = a.issueGrantCode();
    const exchange = { grant_type: 'authorization_code', client_id: b.accounts.clientId, client_secret: b.accounts.clientSecret, code };
    expect((await post(`${sim.url}/oauth/v2/token`, new URLSearchParams(exchange))).json).toEqual({ error: 'invalid_code' });
    const refresh = { grant_type: 'refresh_token', client_id: b.accounts.clientId, client_secret: b.accounts.clientSecret };
    expect((await post(`${sim.url}/oauth/v2/token`, new URLSearchParams({ ...refresh, refresh_token: tokenA.refresh }))).json).toEqual({
      error: 'invalid_code',
    });
    expect((await post(`${sim.url}/oauth/v2/token`, new URLSearchParams({ ...refresh, refresh_token: tokenB.refresh }))).json).toHaveProperty(
      'access_token',
    );
    expect((await post(`${sim.url}/oauth/v2/token`, new URLSearchParams({ ...exchange, client_id: '1000.UNKNOWN' }))).json).toEqual({
      error: 'invalid_client',
    });
  });

  it('gives two portals generated from one seed distinct org ids, each serving its own', async () => {
    const sim = await start({
      seed: 5,
      tickets: 4,
      portals: [
        { seed: 5, tickets: 4 },
        { seed: 5, tickets: 4 },
      ],
    });
    const orgIds = sim.sims.map((s) => s.orgId);
    expect(new Set(orgIds).size).toBe(3);
    for (const s of sim.sims) {
      const { access } = await tokens(sim.url, secretOf(s));
      expect((await desk(sim.url, '/organizations', access, s.orgId)).json?.data).toEqual([expect.objectContaining({ id: s.orgId })]);
    }
  });

  it("counts each portal's concurrent calls against its own limit", async () => {
    // A allows 10 calls at once (Express), B 5 (Free): were the count shared, A's 10 would leave B none.
    const sim = await start({
      seed: 3,
      tickets: 5,
      edition: 'EXPRESS',
      faults: { latencyMs: 1_500 },
      portals: [{ seed: 8, tickets: 5, edition: 'FREE' }],
    });
    const [a, b] = sim.sims as [Simulator, Simulator];
    const [tokenA, tokenB] = [await tokens(sim.url, secretOf(a)), await tokens(sim.url, secretOf(b))];
    const slow = Array.from({ length: 10 }, () => desk(sim.url, '/departments', tokenA.access, a.orgId));
    await vi.waitFor(() => expect(a.inFlight).toBe(10), { timeout: 1_000, interval: 10 });
    expect((await desk(sim.url, '/departments', tokenB.access, b.orgId)).status).toBe(200);
    const turnedAway = await desk(sim.url, '/departments', tokenA.access, a.orgId);
    expect(turnedAway.status).toBe(429);
    expect(turnedAway.json).toMatchObject({ errorCode: 'TOO_MANY_REQUESTS' });
    expect((await Promise.all(slow)).map((answer) => answer.status)).toEqual(Array(10).fill(200));
    const stats = async (orgId: string) => (await get(`${sim.url}/_sim/stats?org=${orgId}`)).json;
    expect(await stats(a.orgId)).toMatchObject({ maxConcurrency: 10, concurrencyRejections: 1, deskCalls: 11 });
    expect(await stats(b.orgId)).toMatchObject({ maxConcurrency: 1, concurrencyRejections: 0, deskCalls: 1 });
  });
});

describe('simulator controls with ?org=', () => {
  it('read and change the portal they name, move the one shared clock, and name the org ids for an unknown one', async () => {
    const clock = new ManualClock('2026-11-20T10:00:00Z');
    const { sim, a, b, tokenA, tokenB } = await twoPortals({ clock });
    expect(b.clock).toBe(a.clock);
    await desk(sim.url, '/departments', tokenA.access, a.orgId);
    await desk(sim.url, '/departments', tokenA.access, a.orgId);
    await desk(sim.url, '/departments', tokenB.access, b.orgId);
    expect((await get(`${sim.url}/_sim/stats?org=${b.orgId}`)).json).toMatchObject({ deskCalls: 1, calls: { departments: 1 } });
    expect((await get(`${sim.url}/_sim/stats`)).json).toMatchObject({ deskCalls: 2 }); // the first portal by default

    await post(`${sim.url}/_sim/faults?org=${b.orgId}`, { serverErrorRate: 1 });
    await post(`${sim.url}/_sim/credits?org=${a.orgId}`, { remaining: 0 });
    expect((await desk(sim.url, '/departments', tokenB.access, b.orgId)).status).toBe(500);
    expect((await desk(sim.url, '/departments', tokenA.access, a.orgId)).json).toMatchObject({ errorCode: 'THRESHOLD_EXCEEDED' });

    const advanced = await post(`${sim.url}/_sim/advance?org=${b.orgId}`, { advanceMs: 3_600_000, newTickets: 3 });
    expect((advanced.json.created as string[]).every((id) => b.portal.ticketsById.has(id))).toBe(true);
    expect([a.portal.tickets.length, b.portal.tickets.length]).toEqual([12, 10]);
    expect(clock.now()).toBe(Date.parse('2026-11-20T11:00:00Z'));
    expect((await post(`${sim.url}/_sim/clock?org=${b.orgId}`, { advanceMs: 60_000 })).json).toEqual({ now: '2026-11-20T11:01:00.000Z' });
    expect(ids((await get(`${sim.url}/_sim/records?report=tickets&org=${b.orgId}`)).json)).toEqual(b.portal.tickets.map((t) => t.id).sort());

    for (const control of ['/_sim/stats?org=42', '/_sim/records?report=tickets&org=42', '/_sim/portal?org=']) {
      const unknown = await get(`${sim.url}${control}`);
      expect(unknown.status, control).toBe(404);
      expect((unknown.json as Json).error).toEqual(expect.stringContaining(`${a.orgId}, ${b.orgId}`));
    }
    expect((await post(`${sim.url}/_sim/advance?org=42`, { newTickets: 1 })).status).toBe(404);
    expect([a.portal.tickets.length, b.portal.tickets.length]).toEqual([12, 10]);
  });
});

describe('zoho-desk-reports simulator --portal', () => {
  const BIN = join(import.meta.dirname, '..', 'bin', 'zoho-desk-reports.js');

  it('serves a portal per flag and writes a secret per portal that a token exchange accepts', async () => {
    const dir = await tempDir();
    const secret = join(dir.path, 'sim.json');
    const args = ['simulator', '--port', '0', '--tickets', '6', '--portal', 'standard:4', '--portal', 'free:3', '--write-secret', secret];
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let banner = '';
      for await (const chunk of child.stdout) {
        banner += (chunk as Buffer).toString();
        if (banner.includes('/_sim/portals')) break;
      }
      const url = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(banner)?.[1] as string;
      const lines = [...banner.matchAll(/portal (\d+) \((\w+), (\d+) tickets, seed (\d+)\): secret (\S+)/g)];
      expect(lines.map(([, , edition, tickets, seed]) => [edition, tickets, seed])).toEqual([
        ['ENTERPRISE', '6', '42'],
        ['STANDARD', '4', '43'],
        ['FREE', '3', '44'],
      ]);
      const orgIds = lines.map((line) => line[1] as string);
      expect((await readdir(dir.path)).sort()).toEqual(['sim.json', `zoho_auth_${orgIds[1]}.json`, `zoho_auth_${orgIds[2]}.json`].sort());
      expect(lines.map((line) => line[5])).toEqual([secret, ...orgIds.slice(1).map((id) => join(dir.path, `zoho_auth_${id}.json`))]);
      for (const [n, orgId] of orgIds.entries()) {
        const stored = await new FileSecretStore(lines[n]?.[5] as string).read();
        expect(stored.org_id).toBe(orgId);
        const { access } = await tokens(url, stored as { client_id: string; client_secret: string; code: string });
        const tickets = await desk(url, '/tickets?limit=100', access, orgId);
        expect(tickets.status).toBe(200);
        expect(tickets.json?.data).toHaveLength([6, 4, 3][n] as number);
      }
    } finally {
      child.kill('SIGINT');
      await once(child, 'exit');
      await dir.remove();
    }
  });

  it('refuses a --portal value it cannot read, saying what to write', async () => {
    const edition = await cli(['simulator', '--port', '0', '--portal', 'gold:5']);
    expect(edition.code).toBe(2);
    expect(edition.stderr.join('\n')).toContain('unknown edition "gold": use one of FREE, EXPRESS, STANDARD, PROFESSIONAL, ENTERPRISE');
    for (const value of ['standard', 'standard:0', 'standard:1.5', 'standard:5:6']) {
      const bad = await cli(['simulator', '--port', '0', '--portal', value]);
      expect(bad.code, value).toBe(2);
      expect(bad.stderr.join('\n')).toContain('write <edition>:<tickets> with the tickets a whole number ≥ 1');
    }
  });
});
