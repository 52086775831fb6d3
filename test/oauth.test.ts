import { describe, expect, it } from 'vitest';
import { ManualClock } from '../lib/clock.js';
import { ConfigError, ReauthorizeError, RetryLaterError } from '../lib/errors.js';
import { readExpiresInMs } from '../lib/zoho/accounts-client.js';
import { recordingHttp, fixtures, type Fixture } from './helpers/zoho.js';
import { rejection } from './helpers/errors.js';

const open = fixtures();
let fixture: Fixture;

describe('grant-code exchange', () => {
  it('posts a form-encoded body (never a query string) and sends redirect_uri only when the secret has one', async () => {
    fixture = await open({ secret: { redirect_uri: 'https://example.com/callback' } });
    const spy = recordingHttp();
    const zoho = await fixture.connect({ http: spy.http });
    await zoho.desk.page('departments');
    const tokenCall = spy.calls.find((c) => c.request.url.endsWith('/oauth/v2/token'));
    expect(tokenCall?.request.method).toBe('POST');
    expect(new URL(tokenCall?.request.url ?? '').search).toBe('');
    expect(tokenCall?.request.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const form = new URLSearchParams(tokenCall?.request.body);
    expect(form.get('grant_type')).toBe('authorization_code');
    expect(form.get('redirect_uri')).toBe('https://example.com/callback');
    expect(fixture.running.sim.accounts.stats.lastRequestFields).toEqual(['client_id', 'client_secret', 'code', 'grant_type', 'redirect_uri']);

    const other = await open();
    await (await other.connect()).desk.page('departments');
    expect(other.running.sim.accounts.stats.lastRequestFields).toEqual(['client_id', 'client_secret', 'code', 'grant_type']);
  });

  it('stores the refresh token back, removes the used code, and never exchanges again on a later start', async () => {
    fixture = await open();
    const first = await fixture.connect();
    await first.desk.page('departments');
    const stored = await fixture.store.read();
    expect(stored.refresh_token).toMatch(/^1000\./);
    expect(stored).not.toHaveProperty('code');
    expect(stored.client_id).toBe(fixture.running.sim.accounts.clientId);

    // A later start, with its own token cache, and even with a fresh (unused) code put back in the secret.
    await fixture.store.write({ ...stored, code: fixture.running.sim.issueGrantCode(), access_token: undefined });
    const later = await fixture.connect();
    await later.desk.page('departments');
    expect(fixture.running.sim.stats().codesExchanged).toBe(1);
    expect(later.tokens.stats).toEqual({ mints: 1, exchanges: 0 });
    expect((await fixture.store.read()).code).toBeDefined();
  });

  it('reads expires_in defensively: seconds, or the old milliseconds form', async () => {
    expect(readExpiresInMs({ expires_in: 3600 })).toBe(3_600_000);
    expect(readExpiresInMs({ expires_in: 3_600_000 })).toBe(3_600_000);
    expect(readExpiresInMs({ expires_in: 3_600_000, expires_in_sec: 3600 })).toBe(3_600_000);
    expect(readExpiresInMs({ expires_in: 'soon' })).toBe(3_600_000);
    expect(readExpiresInMs({})).toBe(3_600_000);

    const clock = new ManualClock('2026-11-20T10:00:00Z');
    fixture = await open({ simulator: { legacyExpiresIn: true, clock }, clock });
    await (await fixture.connect()).desk.page('departments');
    expect((await fixture.store.read()).access_token_expires_at).toBe('2026-11-20T11:00:00.000Z');
  });
});

describe('token endpoint errors in an HTTP 200 body', () => {
  it('an expired or used code asks for a new grant code and run auth init', async () => {
    const clock = new ManualClock('2026-11-20T10:00:00Z');
    fixture = await open({ simulator: { clock }, clock });
    clock.advance(4 * 60_000); // codes live three minutes
    const zoho = await fixture.connect({ tokens: { codeRaceWaitMs: 0 } });
    const error = await rejection(zoho.desk.page('departments'));
    expect(error).toBeInstanceOf(ReauthorizeError);
    expect(error.message).toContain('grant code was rejected');
    expect(error.message).toContain('auth init');
  });

  it('a wrong client secret is a configuration error naming the fields, never their values', async () => {
    fixture = await open({ secret: { client_secret: 'not-the-secret-0123456789' } });
    const error = await rejection((await fixture.connect()).desk.page('departments'));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain('client_id/client_secret');
    expect(error.message).not.toContain('not-the-secret-0123456789');
  });

  it('"Access Denied" throttling is retry-later, recorded in the secret so no worker asks again inside the window', async () => {
    const clock = new ManualClock('2026-11-20T10:00:00Z');
    fixture = await open({ simulator: { clock }, clock });
    const zoho = await fixture.connect();
    await zoho.desk.page('departments');
    clock.advance(3_600_000); // the access token expires
    fixture.running.sim.setFaults({ tokenThrottle: true });
    const error = await rejection(zoho.desk.page('departments'));
    expect(error).toBeInstanceOf(RetryLaterError);
    expect((error as RetryLaterError).retryAfterSeconds).toBe(600);
    expect((await fixture.store.read()).token_mint_blocked_until).toBe('2026-11-20T11:10:00.000Z');

    const requestsSoFar = fixture.running.sim.stats().tokenRequests;
    const otherWorker = await fixture.connect();
    expect(await rejection(otherWorker.desk.page('departments'))).toBeInstanceOf(RetryLaterError);
    expect(fixture.running.sim.stats().tokenRequests).toBe(requestsSoFar);

    fixture.running.sim.setFaults({ tokenThrottle: false });
    clock.advance(10 * 60_000);
    await otherWorker.desk.page('departments');
    expect((await fixture.store.read()).token_mint_blocked_until).toBeUndefined();
  });
});
