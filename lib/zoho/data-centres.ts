import { ConfigError } from '../errors.js';

/**
 * Zoho's data centres: where to authorise (accounts server) and where the Desk API lives. From the fact
 * sheet §1.5. `api_domain` in token responses is NOT the Desk host (it says www.zohoapis.*), so the Desk
 * host always comes from this table. UK, SG and AE have no confirmed Desk host and are left out.
 */
export const DATA_CENTRES = {
  com: { region: 'United States', accounts: 'https://accounts.zoho.com', desk: 'https://desk.zoho.com' },
  eu: { region: 'Europe', accounts: 'https://accounts.zoho.eu', desk: 'https://desk.zoho.eu' },
  in: { region: 'India', accounts: 'https://accounts.zoho.in', desk: 'https://desk.zoho.in' },
  'com.au': { region: 'Australia', accounts: 'https://accounts.zoho.com.au', desk: 'https://desk.zoho.com.au' },
  jp: { region: 'Japan', accounts: 'https://accounts.zoho.jp', desk: 'https://desk.zoho.jp' },
  ca: { region: 'Canada', accounts: 'https://accounts.zohocloud.ca', desk: 'https://desk.zohocloud.ca' },
  'com.cn': { region: 'China', accounts: 'https://accounts.zoho.com.cn', desk: 'https://desk.zoho.com.cn' },
  sa: { region: 'Saudi Arabia', accounts: 'https://accounts.zoho.sa', desk: 'https://desk.zoho.sa' },
} as const;

export type DataCentreId = keyof typeof DATA_CENTRES;

export const DATA_CENTRE_IDS = Object.keys(DATA_CENTRES) as DataCentreId[];

// What people type instead of the domain suffix.
const ALIASES: Record<string, DataCentreId> = { us: 'com', au: 'com.au', cn: 'com.cn', ksa: 'sa' };

/** Where the Zoho endpoints in use came from, for error messages that tell the user what to change. */
export interface ZohoLocation {
  dc: DataCentreId;
  /** how `dc` was chosen: "ZOHO_DC", "the secret's \"dc\"", or "the default" */
  dcSource: string;
  accountsUrl: string;
  /** the Desk API base, ending in /api/v1 */
  deskApiUrl: string;
  accountsOverridden: boolean;
  deskOverridden: boolean;
}

export function parseDataCentre(value: string, source: string): DataCentreId {
  const key = value.trim().toLowerCase().replace(/^\./, '');
  if (key in DATA_CENTRES) return key as DataCentreId;
  const alias = ALIASES[key];
  if (alias) return alias;
  throw new ConfigError(
    `${source} is "${value}", which is not a Zoho data centre. Use one of: ${DATA_CENTRE_IDS.join(', ')} ` +
      '(the domain you sign in to Zoho Desk at: desk.zoho.eu means "eu").',
  );
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

function checkUrl(value: string, name: string): string {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(`${name} is not a URL ("${value}"): give a base such as https://desk.zoho.eu.`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new ConfigError(`${name} must be an http(s) URL, not "${parsed.protocol}".`);
  }
  if (parsed.search || parsed.hash) {
    throw new ConfigError(`${name} must not carry a query string or fragment.`);
  }
  return trimSlash(value);
}

/**
 * Chooses the data centre (ZOHO_DC, then the secret's `dc`, then com) and applies the URL overrides
 * (ZOHO_ACCOUNTS_URL, ZOHO_DESK_URL), which win over both.
 */
export function resolveLocation(env: Record<string, string | undefined>, secretDc?: string): ZohoLocation {
  let dc: DataCentreId = 'com';
  let dcSource = 'the default';
  if (env.ZOHO_DC?.trim()) {
    dc = parseDataCentre(env.ZOHO_DC, 'ZOHO_DC');
    dcSource = 'ZOHO_DC';
  } else if (secretDc?.trim()) {
    dc = parseDataCentre(secretDc, 'the secret\'s "dc"');
    dcSource = 'the secret\'s "dc"';
  }
  const table = DATA_CENTRES[dc];
  const accountsOverride = env.ZOHO_ACCOUNTS_URL?.trim();
  const deskOverride = env.ZOHO_DESK_URL?.trim();
  const accountsUrl = accountsOverride ? checkUrl(accountsOverride, 'ZOHO_ACCOUNTS_URL') : table.accounts;
  // ZOHO_DESK_URL may be given with or without /api/v1 (a dropped /api broke one connector's override).
  const deskBase = deskOverride ? checkUrl(deskOverride, 'ZOHO_DESK_URL') : table.desk;
  const deskApiUrl = deskBase.endsWith('/api/v1') ? deskBase : `${deskBase}/api/v1`;
  return {
    dc,
    dcSource,
    accountsUrl,
    deskApiUrl,
    accountsOverridden: Boolean(accountsOverride),
    deskOverridden: Boolean(deskOverride),
  };
}

/** The sentence every "wrong data centre" error ends with. */
export function dataCentreAdvice(location: ZohoLocation): string {
  const overrides = [
    location.accountsOverridden ? `ZOHO_ACCOUNTS_URL=${location.accountsUrl}` : '',
    location.deskOverridden ? `ZOHO_DESK_URL=${location.deskApiUrl}` : '',
  ].filter(Boolean);
  const inUse =
    `The data centre in use is "${location.dc}" (${DATA_CENTRES[location.dc].region}), chosen by ${location.dcSource}` +
    (overrides.length ? `, with ${overrides.join(' and ')} overriding it` : '') +
    '.';
  return (
    `${inUse} If your Zoho account lives elsewhere, set ZOHO_DC (or "dc" in the secret) to one of ` +
    `${DATA_CENTRE_IDS.join(', ')}: it is the domain you sign in to Zoho Desk at (desk.zoho.eu → eu).`
  );
}
