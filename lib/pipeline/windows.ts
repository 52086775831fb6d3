import { ZohoRejectedError } from '../errors.js';
import type { DeskClient } from '../zoho/desk-client.js';
import { ENDPOINTS } from '../zoho/endpoints.js';

/** A stretch of modifiedTime, both ends included, and how many tickets were modified in it. */
export interface TimeWindow {
  since: string;
  until: string;
  count: number;
}

/** Before any Zoho Desk portal: the start of a first run's history. */
export const HISTORY_START = '2000-01-01T00:00:00.000Z';

/**
 * How many tickets one window may hold: /tickets/search stops at its `from` cap, so a window must be read in
 * full before it. A tenth is kept free for tickets modified between counting and reading.
 */
export function windowCapacity(): number {
  return Math.floor((ENDPOINTS.ticketSearch.fromMax + 1) * 0.9);
}

/**
 * Splits [since, until] into windows whose ticket counts (GET /ticketsCount, which takes the same
 * modifiedTimeRange) stay under the capacity, halving a window until it does. Empty windows are dropped, so a
 * quiet portal costs one count call.
 */
export async function ticketWindows(desk: DeskClient, since: string, until: string, capacity = windowCapacity()): Promise<TimeWindow[]> {
  const count = (from: number, to: number) =>
    desk.count('ticketsCount', { query: { modifiedTimeRange: `${new Date(from).toISOString()},${new Date(to).toISOString()}` } });
  const split = async (from: number, to: number, tickets: number): Promise<TimeWindow[]> => {
    if (tickets === 0) return [];
    if (tickets <= capacity) return [{ since: new Date(from).toISOString(), until: new Date(to).toISOString(), count: tickets }];
    if (to - from < 2) {
      throw new ZohoRejectedError(
        `${tickets} tickets were modified at ${new Date(from).toISOString()}, more than /tickets/search can page through (${capacity}).`,
      );
    }
    const middle = Math.floor((from + to) / 2);
    const [left, right] = await Promise.all([count(from, middle), count(middle + 1, to)]);
    return [...(await split(from, middle, left)), ...(await split(middle + 1, to, right))];
  };
  const from = Date.parse(since);
  const to = Date.parse(until);
  return split(from, to, await count(from, to));
}

/** Every ticket modified in [since, until], oldest first, read window by window. */
export async function searchTickets(desk: DeskClient, since: string, until: string): Promise<Array<Record<string, unknown>>> {
  const tickets: Array<Record<string, unknown>> = [];
  for (const window of await ticketWindows(desk, since, until)) {
    tickets.push(...(await desk.all('ticketSearch', { query: { modifiedTimeRange: `${window.since},${window.until}`, sortBy: 'modifiedTime' } })));
  }
  return tickets;
}
