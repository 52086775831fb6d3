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

/** "ISO,ISO" → [from, to] in ms; undefined when absent; null when malformed. */
export function parseRange(value: string | null): [number, number] | undefined | null {
  if (value === null) return undefined;
  const [a, b, extra] = value.split(',');
  const from = Date.parse(a ?? '');
  const to = Date.parse(b ?? '');
  if (extra !== undefined || Number.isNaN(from) || Number.isNaN(to) || !/T.*Z$/.test(a ?? '') || !/T.*Z$/.test(b ?? '')) return null;
  return [from, to];
}

export const inRange = (value: number, range: [number, number] | undefined | null) => !range || (value >= range[0] && value <= range[1]);

/** A module search (OAS Search.json): from 0–999, limit 1–100 (default 10), answers with `count`. */
export const SEARCHES = { ...LISTS, base: 0 as const, fromMax: 999 };
export const searchSorts = (...fields: string[]) => ({ sortBy: ['relevance', ...fields].flatMap((f) => [f, `-${f}`]) });

/** Records of a search: in the created/modified ranges asked for, sorted by the field asked for (array order for relevance). */
export function searched<T extends { createdTime: number }>(items: readonly T[], query: URLSearchParams, modifiedOf: (item: T) => number): T[] {
  const created = parseRange(query.get('createdTimeRange'));
  const modified = parseRange(query.get('modifiedTimeRange'));
  const sortBy = query.get('sortBy') ?? 'relevance';
  const field = sortBy.replace(/^-/, '');
  const key = field === 'createdTime' ? (item: T) => item.createdTime : field === 'modifiedTime' ? modifiedOf : undefined;
  const found = items.filter((item) => inRange(item.createdTime, created) && inRange(modifiedOf(item), modified));
  // A stable sort: equal times keep the portal's order, so pages never trade places.
  return key ? found.sort(byTime(key, sortBy.startsWith('-'))) : found;
}
