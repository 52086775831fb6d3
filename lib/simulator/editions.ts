import type { Edition } from './dataset.js';
import { EDITIONS } from './dataset.js';

/**
 * Per-edition limits (fact sheet §4.2, from Zoho's credits pages): concurrent API calls, and the daily
 * credit pool = base + per agent (light agents excluded).
 */
export const EDITION_LIMITS: Record<Edition, { concurrency: number; baseCredits: number; creditsPerAgent: number }> = {
  FREE: { concurrency: 5, baseCredits: 5_000, creditsPerAgent: 0 },
  EXPRESS: { concurrency: 10, baseCredits: 25_000, creditsPerAgent: 100 },
  STANDARD: { concurrency: 10, baseCredits: 50_000, creditsPerAgent: 250 },
  PROFESSIONAL: { concurrency: 15, baseCredits: 75_000, creditsPerAgent: 500 },
  ENTERPRISE: { concurrency: 25, baseCredits: 100_000, creditsPerAgent: 1_000 },
};

export function editionAtLeast(edition: Edition, minimum: Edition): boolean {
  return EDITIONS.indexOf(edition) >= EDITIONS.indexOf(minimum);
}

export function parseEdition(value: string): Edition {
  const upper = value.trim().toUpperCase();
  if ((EDITIONS as readonly string[]).includes(upper)) return upper as Edition;
  throw new Error(`unknown edition "${value}": use one of ${EDITIONS.join(', ')}`);
}

/**
 * Credits per call by `from` depth (third-party quote of Zoho's "Credit Consumption Model"): deeper pages
 * cost more. Lists and searches start at 3; a count or a single record costs 1.
 */
export function listWeight(from: number): number {
  if (from <= 2_000) return 3;
  if (from <= 10_000) return 5;
  if (from <= 50_000) return 10;
  if (from <= 100_000) return 50;
  return 100;
}
