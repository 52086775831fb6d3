import { describe, expect, it } from 'vitest';
import type { HttpClient } from '../../lib/ports.js';
import { ZohoAccountsClient } from '../../lib/zoho/accounts-client.js';
import { resolveLocation } from '../../lib/zoho/data-centres.js';
import { rejection } from '../helpers/errors.js';
import { CLIENT_SECRET, PIECES } from '../helpers/secret-pieces.js';

describe('an unreadable secret: the message says where it breaks, never what it holds', () => {
  it("Zoho Accounts' error text, should it repeat what it was sent", async () => {
    // A stand-in for Zoho Accounts (the simulator never echoes what it was sent, nor can the real one run
    // here): an unknown error whose description quotes the client secret and the refresh token.
    const refreshToken = '1000.5f0e2d9c8b7a6f5e4d3c2b1a0f9e8d7c.0a1b2c3d4e5f60718293a4b5c6d7e8f9';
    const http: HttpClient = async () => ({
      status: 400,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        error: 'invalid_request',
        error_description: `client_secret ${CLIENT_SECRET} cannot refresh ${refreshToken.slice(0, 40)}`,
      }),
    });
    const accounts = new ZohoAccountsClient(http, resolveLocation({ ZOHO_ACCOUNTS_URL: 'http://127.0.0.1:9' }));
    const error = await rejection(accounts.refresh({ clientId: '1000.TESTCLIENT', clientSecret: CLIENT_SECRET }, refreshToken));
    for (const piece of [...PIECES, refreshToken.slice(5, 37), refreshToken.slice(0, 40)]) expect(error.message).not.toContain(piece);
    expect(error.message).toContain('Zoho Accounts refused the token request: invalid_request (client_secret [redacted] cannot refresh [redacted])');
  });
});
