import { ENDPOINTS } from './endpoints.js';
import { ConfigError } from '../errors.js';
import type { DeskClient } from './desk-client.js';
import { dailyCredits } from './editions.js';
import { describePortal, type Portal } from './portal.js';

/** The default: a fifth of the daily pool stays for the portal's other integrations and automations. */
export const DEFAULT_RESERVE = '20%';

/** "2000" credits, or "20%" of the portal's daily pool. */
export function parseReserve(value: string): { credits: number } | { percent: number } {
  const text = value.trim();
  const match = /^(\d+(?:\.\d+)?)(%?)$/.exec(text);
  if (!match || (match[2] === '%' && Number(match[1]) > 100)) {
    throw new ConfigError(`The credit reserve "${value}" must be a number of credits (2000) or a share of the daily pool (20%).`);
  }
  return match[2] === '%' ? { percent: Number(match[1]) } : { credits: Math.floor(Number(match[1])) };
}

/**
 * Sets the credits a run leaves unspent. A share is taken of the pool Zoho gives the portal's edition
 * (GET /organizations, and the agents for the per-agent credits); the pool is an estimate because Zoho
 * does not publish it per portal, only what is left.
 */
export async function applyCreditReserve(desk: DeskClient, value: string, known?: Portal): Promise<number> {
  const reserve = parseReserve(value);
  if ('credits' in reserve) {
    desk.credits.reserve = reserve.credits;
    return reserve.credits;
  }
  const portal = known ?? (await describePortal(desk));
  const agents = (await desk.all(ENDPOINTS.agents, { query: { status: 'ACTIVE' } })).length;
  desk.credits.pool = dailyCredits(portal.edition, agents);
  desk.credits.reserve = Math.floor((desk.credits.pool * reserve.percent) / 100);
  return desk.credits.reserve;
}
