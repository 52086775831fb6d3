import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../lib/errors.js';
import { DATA_CENTRE_IDS, resolveLocation } from '../../lib/zoho/data-centres.js';
import { thrown } from '../helpers/errors.js';

describe('data centres', () => {
  it.each([
    ['com', 'https://accounts.zoho.com', 'https://desk.zoho.com/api/v1'],
    ['eu', 'https://accounts.zoho.eu', 'https://desk.zoho.eu/api/v1'],
    ['in', 'https://accounts.zoho.in', 'https://desk.zoho.in/api/v1'],
    ['com.au', 'https://accounts.zoho.com.au', 'https://desk.zoho.com.au/api/v1'],
    ['jp', 'https://accounts.zoho.jp', 'https://desk.zoho.jp/api/v1'],
    ['ca', 'https://accounts.zohocloud.ca', 'https://desk.zohocloud.ca/api/v1'],
    ['com.cn', 'https://accounts.zoho.com.cn', 'https://desk.zoho.com.cn/api/v1'],
    ['sa', 'https://accounts.zoho.sa', 'https://desk.zoho.sa/api/v1'],
  ])('%s: accounts server %s, Desk API %s', (dc, accounts, desk) => {
    expect(resolveLocation({ ZOHO_DC: dc })).toMatchObject({ dc, dcSource: 'ZOHO_DC', accountsUrl: accounts, deskApiUrl: desk });
    expect(resolveLocation({}, dc)).toMatchObject({ dc, accountsUrl: accounts, deskApiUrl: desk });
  });

  it('has exactly the eight data centres of the fact sheet', () => {
    expect(DATA_CENTRE_IDS).toEqual(['com', 'eu', 'in', 'com.au', 'jp', 'ca', 'com.cn', 'sa']);
  });

  it('prefers ZOHO_DC over the secret and the secret over the default, and accepts common aliases', () => {
    expect(resolveLocation({ ZOHO_DC: 'eu' }, 'in')).toMatchObject({ dc: 'eu', dcSource: 'ZOHO_DC' });
    expect(resolveLocation({}, 'in')).toMatchObject({ dc: 'in', dcSource: 'the secret\'s "dc"' });
    expect(resolveLocation({})).toMatchObject({ dc: 'com', dcSource: 'the default' });
    expect(resolveLocation({ ZOHO_DC: 'AU' }).dc).toBe('com.au');
    expect(resolveLocation({ ZOHO_DC: 'us' }).dc).toBe('com');
  });

  it('lets ZOHO_ACCOUNTS_URL and ZOHO_DESK_URL override both, with or without /api/v1', () => {
    const a = resolveLocation({ ZOHO_DC: 'eu', ZOHO_ACCOUNTS_URL: 'http://127.0.0.1:9/', ZOHO_DESK_URL: 'http://127.0.0.1:9' });
    expect(a).toMatchObject({ dc: 'eu', accountsUrl: 'http://127.0.0.1:9', deskApiUrl: 'http://127.0.0.1:9/api/v1', deskOverridden: true });
    expect(resolveLocation({ ZOHO_DESK_URL: 'https://proxy.example/api/v1' }).deskApiUrl).toBe('https://proxy.example/api/v1');
  });

  it('rejects an unknown data centre or a malformed URL with the fix', () => {
    const unknown = thrown(() => resolveLocation({ ZOHO_DC: 'uk' }));
    expect(unknown).toBeInstanceOf(ConfigError);
    expect(unknown.message).toContain('ZOHO_DC is "uk"');
    expect(unknown.message).toContain('com, eu, in, com.au, jp, ca, com.cn, sa');
    expect(() => resolveLocation({ ZOHO_DESK_URL: 'desk.zoho.eu' })).toThrow(/ZOHO_DESK_URL is not a URL/);
    expect(() => resolveLocation({ ZOHO_DESK_URL: 'ftp://desk.zoho.eu' })).toThrow(/http\(s\)/);
  });
});
