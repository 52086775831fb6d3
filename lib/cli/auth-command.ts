import { ConfigError } from '../errors.js';
import type { SecretStore } from '../ports.js';
import { connectZoho } from '../zoho/connect.js';
import { DATA_CENTRES } from '../zoho/data-centres.js';
import type { DeskRecord } from '../zoho/desk-client.js';
import { localSecretStore, type CliContext } from './context.js';

export interface AuthInitOptions {
  secret?: string;
  /** exchange the secret's code even though a refresh token is stored */
  replace?: boolean;
}

export interface AuthInitResult {
  orgId: string;
  companyName: string;
  edition: string;
  exchanged: boolean;
}

function describeOrg(org: DeskRecord): string {
  return `${String(org.id)} (${String(org.companyName ?? org.portalName ?? 'unnamed')})`;
}

/**
 * `auth init`: exchange the grant code for a refresh token (stored back, code removed), then prove it with
 * GET /organizations and settle org_id. With a refresh token already stored, no exchange happens.
 */
export async function authInit(
  options: AuthInitOptions,
  context: CliContext,
  store: SecretStore = localSecretStore(context, options.secret),
): Promise<AuthInitResult> {
  const { out } = context;
  const zoho = await connectZoho({
    env: context.env,
    store,
    // One process on one machine: nobody else can be exchanging this code at the same moment.
    tokens: { codeRaceWaitMs: 0 },
    ...(context.http && { http: context.http }),
    ...(context.clock && { clock: context.clock }),
  });
  const outcome = await zoho.tokens.exchangeGrantCode(options.replace ?? false);
  if (outcome === 'exchanged') {
    out.line(`Exchanged the grant code: the refresh token is stored in the ${store.description} and the used code removed.`);
  } else if (zoho.secret.code) {
    out.line('A refresh token is already stored, so the grant code was not used (run with --replace to exchange it instead).');
  } else {
    out.line(`Using the refresh token stored in the ${store.description}.`);
  }

  const organizations = (await zoho.desk.page('organizations')).records;
  let orgId = zoho.secret.org_id;
  const listed = organizations.map(describeOrg).join(', ') || 'none';
  if (orgId === undefined) {
    if (organizations.length !== 1) {
      throw new ConfigError(
        `This token reaches ${organizations.length} Zoho Desk portals: ${listed}. Put the one to export in the secret's "org_id".`,
      );
    }
    orgId = String(organizations[0]?.id);
    const current = await store.read();
    await store.write({ ...current, org_id: orgId });
    out.line(`Stored org_id ${orgId}, the only portal this token reaches.`);
  }
  const org = organizations.find((candidate) => String(candidate.id) === orgId);
  if (!org) {
    throw new ConfigError(
      `The secret's org_id ${orgId} is not a portal this token reaches (${listed}). Put one of those in "org_id", or ` +
        'generate a new grant code choosing the intended portal.',
    );
  }
  const result = {
    orgId,
    companyName: String(org.companyName ?? org.portalName ?? ''),
    edition: String(org.edition ?? 'unknown'),
    exchanged: outcome === 'exchanged',
  };
  const dc = zoho.location;
  out.line(
    `Connected to ${result.companyName} (org ${orgId}, edition ${result.edition}) in data centre ${dc.dc} ` +
      `(${DATA_CENTRES[dc.dc].region}${dc.deskOverridden ? `, Desk at ${dc.deskApiUrl}` : ''}).`,
  );
  return result;
}
