import { EDITIONS, type Edition } from '../zoho/editions.js';

export { EDITION_LIMITS } from '../zoho/editions.js';

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
