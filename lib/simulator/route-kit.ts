import type { Ticket } from './dataset.js';
import type { RouteContext, RouteResult } from './routes.js';

/** Pieces the simulated routes share (routes.ts and the route files beside it). */

/** The lists' paging truths: limit 1-100 (default 10), `from` up to 4999 (the depth cap, UNCONFIRMED). */
export const LISTS = { minLimit: 1, maxLimit: 100, defaultLimit: 10, fromMax: 4_999 };

export const TICKETS_READ = [['Desk.tickets.READ']] as const;

export const byTime =
  <T>(field: (item: T) => number, descending: boolean) =>
  (a: T, b: T) =>
    descending ? field(b) - field(a) : field(a) - field(b);

export const list = <T>(items: readonly T[], render: (item: T) => unknown, withCount = false): RouteResult => ({
  kind: 'list',
  items,
  render: render as (item: never) => unknown,
  withCount,
});

/** The ticket of a child route; a trashed ticket's children are hidden with it (inferred: the spec does not say). */
export function ticketFor(context: RouteContext): Ticket | undefined {
  const id = context.params.ticketId ?? '';
  return context.portal.hidden.has(id) ? undefined : context.portal.ticketsById.get(id);
}
