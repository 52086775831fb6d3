/**
 * Zoho Desk editions and their API limits (fact sheet §4.2, Zoho's credits pages): concurrent API calls
 * per portal, and the daily credit pool = base + per agent (light agents excluded).
 */
export const EDITIONS = ['FREE', 'EXPRESS', 'STANDARD', 'PROFESSIONAL', 'ENTERPRISE'] as const;
export type Edition = (typeof EDITIONS)[number];

export const EDITION_LIMITS: Record<Edition, { concurrency: number; baseCredits: number; creditsPerAgent: number }> = {
  FREE: { concurrency: 5, baseCredits: 5_000, creditsPerAgent: 0 },
  EXPRESS: { concurrency: 10, baseCredits: 25_000, creditsPerAgent: 100 },
  STANDARD: { concurrency: 10, baseCredits: 50_000, creditsPerAgent: 250 },
  PROFESSIONAL: { concurrency: 15, baseCredits: 75_000, creditsPerAgent: 500 },
  ENTERPRISE: { concurrency: 25, baseCredits: 100_000, creditsPerAgent: 1_000 },
};

/** The edition named in /organizations, if it is one we know (Zoho One and CRM Plus count as Enterprise). */
export function readEdition(value: unknown): Edition | undefined {
  const upper = String(value ?? '')
    .trim()
    .toUpperCase()
    .replace(/[\s_-]+/g, '');
  if (upper === 'ZOHOONE' || upper === 'CRMPLUS') return 'ENTERPRISE';
  if (upper === 'TRIAL') return 'FREE';
  return (EDITIONS as readonly string[]).includes(upper) ? (upper as Edition) : undefined;
}

/** Concurrent calls to allow: the edition's limit, or Free's when the edition is unknown. */
export function editionConcurrency(edition: Edition | undefined): number {
  return EDITION_LIMITS[edition ?? 'FREE'].concurrency;
}

/** The portal's daily credit pool: the edition's base plus its per-agent credits (light agents are not counted). */
export function dailyCredits(edition: Edition | undefined, agents: number): number {
  const limits = EDITION_LIMITS[edition ?? 'FREE'];
  return limits.baseCredits + limits.creditsPerAgent * agents;
}
