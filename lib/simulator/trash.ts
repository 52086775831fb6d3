import { makeId, type BinItem, type BinType, type Portal } from './dataset.js';

/**
 * The recycle bin (Recyclebin.json, OAS 83b5c18 / 3f7016e / bc1833e). A trashed record is listed by
 * GET /recycleBin under its own id and hidden from every other route, with its children (a ticket's threads,
 * time entries, approvals, ratings and email failures: inferred, the spec never lists a module's children);
 * a restore puts it back with the same id. A record deleted for good (spam, a purge) stays hidden and leaves the bin.
 * Calls that name a trashed ticket stay: a call is a record of its own module (inferred).
 */

/** "Deleted tickets remain in the Recycle Bin for 60 days" (Ticket.json @3f7016e moveToTrash); every module alike: inferred. */
export const BIN_RETENTION_MS = 60 * 86_400_000;

/** The bin's `module` filter (declared at 3f7016e/bc1833e), for the modules the simulated portal trashes. */
export const BIN_MODULES: Readonly<Record<string, BinType>> = {
  accounts: 'Accounts',
  contacts: 'Contacts',
  tickets: 'Tickets',
  timeEntry: 'Time Entry',
  calls: 'Calls',
};
const BIN_TYPES: readonly BinType[] = ['Tickets', 'Contacts', 'Accounts', 'Calls', 'Time Entry'];

/** The simulated id of a module, for the bin's `moduleId` filter (Zoho's module ids are not in the spec: inferred). */
export function moduleId(portal: Portal, type: BinType): string {
  return makeId(portal.idPrefix, 'module', BIN_TYPES.indexOf(type) + 1);
}

/** Portal.hidden changes only through the functions below, which count the changes: visible() caches by that count. */
const versions = new WeakMap<Portal, number>();
const changed = (portal: Portal) => versions.set(portal, (versions.get(portal) ?? 0) + 1);

export function moveToBin(portal: Portal, item: BinItem): void {
  changed(portal);
  portal.hidden.add(item.id);
  portal.bin.push(item);
}

/** Gone for good, never in the bin: "Deleted [spam] tickets cannot be restored from the Recycle Bin" (Ticket.json @3f7016e deleteSpam). */
export function deleteForGood(portal: Portal, id: string): void {
  changed(portal);
  portal.hidden.add(id);
}

/** Drops what has been in the bin longer than the retention: those records are deleted for good. */
export function purgeBin(portal: Portal, now: number): void {
  if (portal.bin.some((item) => now - item.deletedTime > BIN_RETENTION_MS)) {
    portal.bin = portal.bin.filter((item) => now - item.deletedTime <= BIN_RETENTION_MS);
  }
}

/** Takes the record out of the bin and shows it again (same id, children too). */
export function restoreFromBin(portal: Portal, id: string): BinItem | undefined {
  const at = portal.bin.findIndex((item) => item.id === id);
  if (at < 0) return undefined;
  const [item] = portal.bin.splice(at, 1);
  changed(portal);
  portal.hidden.delete(id);
  return item;
}

const shown = new WeakMap<readonly object[], { version: number; length: number; items: readonly object[] }>();

/**
 * The records of a module the routes serve: the array itself while nothing is hidden, else a copy kept until the
 * hidden records or the array's length change, so a big list is not copied on every request.
 */
export function visible<T extends { id: string }>(portal: Portal, items: readonly T[]): readonly T[] {
  if (portal.hidden.size === 0) return items;
  const version = versions.get(portal) ?? 0;
  const cached = shown.get(items);
  if (cached?.version === version && cached.length === items.length) return cached.items as readonly T[];
  const result = items.filter((item) => !portal.hidden.has(item.id));
  shown.set(items, { version, length: items.length, items: result });
  return result;
}

/** The bin as GET /recycleBin lists it: filtered, and sorted by `sortBy` (ascending; "-" descending), else in the order of deletion. */
export function binItems(portal: Portal, query: URLSearchParams): BinItem[] {
  const module = query.get('module');
  const type = module === null ? undefined : BIN_MODULES[module];
  const moduleFilter = query.get('moduleId');
  const department = query.get('departmentId');
  const items = portal.bin.filter(
    (item) =>
      (module === null || item.type === type) &&
      (moduleFilter === null || moduleId(portal, item.type) === moduleFilter) &&
      (department === null || item.departmentId === department),
  );
  const sortBy = query.get('sortBy');
  if (!sortBy) return items;
  const field = sortBy.replace(/^-/, '');
  const sign = sortBy.startsWith('-') ? -1 : 1;
  const key = (item: BinItem): string | number => {
    if (field === 'deletedTime') return item.deletedTime;
    if (field === 'type') return item.type;
    if (field === 'department') return (item.departmentId && portal.departmentsById.get(item.departmentId)?.name) || '';
    if (field === 'deletedBy') {
      const agent = portal.agentsById.get(item.deletedById);
      return agent ? `${agent.firstName} ${agent.lastName}` : '';
    }
    return item.displayName;
  };
  // A stable sort: equal keys keep the order of deletion.
  return items.sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    return x < y ? -sign : x > y ? sign : 0;
  });
}
