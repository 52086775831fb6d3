import { describe, expect, it } from 'vitest';
import { ManualClock } from '../lib/clock.js';
import { ReauthorizeError, RetryLaterError } from '../lib/errors.js';
import { fixtures, type Fixture } from './helpers/zoho.js';
import { rejection } from './helpers/errors.js';

const open = fixtures();
let fixture: Fixture;

describe('access tokens are cached, shared and minted one at a time', () => {
  it('500 concurrent page fetches across a token expiry mint exactly one new token (client sees the expiry)', async () => {
    const clock = new ManualClock('2026-11-20T10:00:00Z');
    fixture = await open({ simulator: { clock, tickets: 50 }, clock });
    const zoho = await fixture.connect({ maxConcurrency: 25 });
    await zoho.desk.page('tickets'); // first token, from the grant code
    clock.advance(3_600_000);
    const pages = await Promise.all(Array.from({ length: 500 }, (_, i) => zoho.desk.page('tickets', { from: 1 + (i % 50), limit: 1 })));
    expect(pages.every((p) => p.records.length === 1)).toBe(true);
    expect(fixture.running.sim.stats()).toMatchObject({ codesExchanged: 1, tokensMinted: 1, concurrencyRejections: 0 });
    expect(zoho.tokens.stats).toEqual({ mints: 1, exchanges: 1 });
  });

  it('500 concurrent page fetches whose token Zoho expires early refresh once and retry (INVALID_OAUTH path)', async () => {
    const serverClock = new ManualClock('2026-11-20T10:00:00Z');
    fixture = await open({ simulator: { clock: serverClock, tickets: 50 } }); // the client keeps real time
    const zoho = await fixture.connect({ maxConcurrency: 25 });
    await zoho.desk.page('tickets');
    serverClock.advance(3_600_000); // Zoho considers the token expired; the client still thinks it is fresh
    const pages = await Promise.all(Array.from({ length: 500 }, () => zoho.desk.page('tickets', { limit: 1 })));
    expect(pages).toHaveLength(500);
    expect(fixture.running.sim.stats().tokensMinted).toBe(1);
    expect(fixture.running.sim.stats().statuses['401']).toBeGreaterThan(0);
  });

  it('a second worker on the same secret uses the token the first one stored instead of minting', async () => {
    fixture = await open();
    await (await fixture.connect()).desk.page('departments');
    const second = await fixture.connect();
    await second.desk.page('departments');
    expect(second.tokens.stats).toEqual({ mints: 0, exchanges: 0 });
    expect(fixture.running.sim.stats()).toMatchObject({ tokenRequests: 1 });
  });

  it('a first start with only a code and many workers at once exchanges it exactly once; all use its token', async () => {
    fixture = await open();
    const workers = await Promise.all(Array.from({ length: 6 }, () => fixture.connect()));
    const pages = await Promise.all(workers.map((w) => w.desk.page('departments')));
    expect(pages.every((p) => p.records.length > 0)).toBe(true);
    expect(fixture.running.sim.stats()).toMatchObject({ codesExchanged: 1 });
    expect(workers.reduce((sum, w) => sum + w.tokens.stats.exchanges, 0)).toBe(1);
  });

  it('refuses an 11th mint inside 10 minutes without asking Zoho, saying when to retry', async () => {
    const clock = new ManualClock('2026-11-20T10:00:00Z');
    fixture = await open({ simulator: { clock }, clock });
    await (await fixture.connect()).desk.page('departments');
    // Ten mints in the last ten seconds (by other workers), and no usable access token left.
    const tenMints = Array.from({ length: 10 }, (_, i) => clock.now() - i * 1000);
    await fixture.store.write({ ...(await fixture.store.read()), token_mints: tenMints, access_token: undefined });
    const worker = await fixture.connect();
    const before = fixture.running.sim.stats().tokenRequests;
    const error = await rejection(worker.desk.page('departments'));
    expect(error).toBeInstanceOf(RetryLaterError);
    expect((error as RetryLaterError).retryAfterSeconds).toBe(591);
    expect(error.message).toContain('Zoho allows 10 per refresh token in 10 minutes');
    expect(fixture.running.sim.stats().tokenRequests).toBe(before);
  });

  it('waits for the mint window when allowed to, instead of failing', async () => {
    const clock = new ManualClock('2026-11-20T10:00:00Z');
    fixture = await open({ simulator: { clock }, clock });
    await (await fixture.connect()).desk.page('departments');
    await fixture.store.write({
      ...(await fixture.store.read()),
      token_mints: Array.from({ length: 10 }, (_, i) => clock.now() - i * 1000),
      access_token: undefined,
    });
    const patient = await fixture.connect({ tokens: { maxMintWaitMs: 15 * 60_000 } });
    const started = clock.now();
    await patient.desk.page('departments');
    expect(clock.now() - started).toBe(10 * 60_000 - 9_000);
    expect(patient.tokens.stats.mints).toBe(1);
  });
});

describe('a revoked refresh token', () => {
  it('stops at once with one message to generate a new grant code, and asks Zoho only once', async () => {
    const clock = new ManualClock('2026-11-20T10:00:00Z');
    fixture = await open({ simulator: { clock }, clock });
    const zoho = await fixture.connect({ maxConcurrency: 10 });
    await zoho.desk.page('departments');
    fixture.running.sim.accounts.revokeAllRefreshTokens();
    const before = fixture.running.sim.stats().tokenRequests;
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => zoho.desk.page('departments')));
    const reasons = results.map((r) => (r.status === 'rejected' ? (r.reason as Error) : undefined));
    expect(reasons.every((e) => e instanceof ReauthorizeError)).toBe(true);
    expect(new Set(reasons.map((e) => e?.message)).size).toBe(1);
    expect(reasons[0]?.message).toContain('refresh token was rejected');
    expect(reasons[0]?.message).toContain('zoho-desk-reports auth init');
    expect(fixture.running.sim.stats().tokenRequests - before).toBe(1);

    // Still failing a minute later without a new call, until the secret changes.
    clock.advance(2 * 60_000);
    expect(await rejection(zoho.desk.page('departments'))).toBeInstanceOf(ReauthorizeError);
    expect(fixture.running.sim.stats().tokenRequests - before).toBe(1);
    await fixture.store.write({
      ...(await fixture.store.read()),
      refresh_token: undefined,
      access_token: undefined,
      code: fixture.running.sim.issueGrantCode(),
    });
    clock.advance(61_000); // a fatal failure is re-checked against the secret once a minute
    await zoho.desk.page('departments');
    expect(zoho.tokens.stats.exchanges).toBe(2);
  });
});
