import { ConfigError } from '../errors.js';
import type { DeskClient, DeskRecord } from './desk-client.js';
import { editionConcurrency, readEdition, type Edition } from './editions.js';

export interface Portal {
  orgId: string;
  name: string;
  /** as Zoho names it in /organizations */
  editionName: string;
  edition: Edition | undefined;
  /** concurrent calls its edition allows */
  concurrency: number;
}

/** The portal the secret's org_id names, from GET /organizations (one cheap call). */
export async function describePortal(desk: DeskClient): Promise<Portal> {
  const organizations: DeskRecord[] = (await desk.page('organizations')).records;
  const org = organizations.find((o) => String(o.id) === desk.orgId);
  if (!org) {
    const listed = organizations.map((o) => `${String(o.id)} (${String(o.companyName ?? o.portalName ?? 'unnamed')})`).join(', ') || 'none';
    throw new ConfigError(
      `The secret's org_id ${desk.orgId ?? '(none)'} is not a portal this token reaches (${listed}): run \`zoho-desk-reports auth init\`.`,
    );
  }
  const edition = readEdition(org.edition);
  return {
    orgId: String(org.id),
    name: String(org.companyName ?? org.portalName ?? ''),
    editionName: String(org.edition ?? 'unknown'),
    edition,
    concurrency: editionConcurrency(edition),
  };
}
