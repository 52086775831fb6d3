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

/** How long one answer of /organizations stands for a client: an edition changes seldom, and not mid-run. */
const DESCRIBED_FOR_MS = 3_600_000;
const described = new WeakMap<DeskClient, { at: number; portal: Promise<Portal> }>();

/**
 * The portal the secret's org_id names, from GET /organizations (one cheap call), asked once an hour per client:
 * the run's start-up, its credit reserve and its planning all want it.
 */
export function describePortal(desk: DeskClient, now: number = Date.now()): Promise<Portal> {
  const known = described.get(desk);
  if (known && now - known.at < DESCRIBED_FOR_MS) return known.portal;
  const portal = askPortal(desk);
  described.set(desk, { at: now, portal });
  portal.catch(() => {
    if (described.get(desk)?.portal === portal) described.delete(desk);
  });
  return portal;
}

async function askPortal(desk: DeskClient): Promise<Portal> {
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
