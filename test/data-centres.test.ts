import { describe, expect, it } from 'vitest';
import { ConfigError } from '../lib/errors.js';
import { fixtures } from './helpers/zoho.js';
import { rejection } from './helpers/errors.js';

describe('an HTML answer where JSON was expected (a wrong data centre)', () => {
  const open = fixtures();

  it('from the Desk API is an error naming the data centre in use and how to change it', async () => {
    const fixture = await open({ secret: { dc: 'eu' } });
    // Desk calls go to a path the simulator answers with its HTML 404 page, as a wrong host does.
    const zoho = await fixture.connect({
      env: { ZOHO_ACCOUNTS_URL: fixture.env.ZOHO_ACCOUNTS_URL, ZOHO_DESK_URL: `${fixture.running.url}/wrong-dc` },
    });
    const error = await rejection(zoho.desk.page('departments'));
    // Every call would fail alike: a configuration error that stops the run.
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain('HTML page (HTTP 404)');
    expect(error.message).toContain('The data centre in use is "eu" (Europe), chosen by the secret\'s "dc"');
    expect(error.message).toContain('set ZOHO_DC');
    expect(error.message).toContain('com, eu, in, com.au, jp, ca, com.cn, sa');
  });

  it('from Zoho Accounts is the same kind of error, before any token is stored', async () => {
    const fixture = await open();
    const zoho = await fixture.connect({ env: { ZOHO_ACCOUNTS_URL: `${fixture.running.url}/wrong-dc`, ZOHO_DESK_URL: fixture.env.ZOHO_DESK_URL } });
    const error = await rejection(zoho.desk.page('departments'));
    // Every call would fail alike: a configuration error that stops the run.
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain('Zoho Accounts');
    expect(error.message).toContain('The data centre in use is "com" (United States), chosen by the default');
    expect((await fixture.store.read()).refresh_token).toBeUndefined();
    expect(fixture.running.sim.stats().tokenRequests).toBe(0);
  });
});
