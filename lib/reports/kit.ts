import type { EndpointKey } from '../zoho/endpoints.js';
import type { Parent, ReportDefinition } from './definition.js';
import type { ParamSpec } from './params.js';

/** The pieces report definitions share: windowed and changed reads, parents, common parameters. */

/** Where a page of a window starts, set by the page before it (keyset paging). */
export const AFTER: ParamSpec = {
  name: 'after',
  kind: 'time',
  description: 'where a page of a window starts (from the page before it)',
  internal: true,
};

/** The parameters of one window of a deep read, set by the planner on page messages. */
export const WINDOW_PARAMS: readonly ParamSpec[] = [
  { name: 'createdFrom', kind: 'time', description: 'start of a createdTime window (deep reads)', internal: true },
  { name: 'createdTo', kind: 'time', description: 'end of that window', internal: true },
  { name: 'window', kind: 'number', description: 'which window of the run', internal: true },
  AFTER,
];

export const windowScope = (p: Record<string, string>) => (p.window ? `window=${p.window.padStart(4, '0')}/` : '');

/** A page of a deep read goes to the search, oldest first within its window; any other page to the list. */
export function deep(
  search: EndpointKey,
  filters: (p: Record<string, string>) => Record<string, string | undefined>,
  list: ReportDefinition['request'],
) {
  return (p: Record<string, string>) =>
    p.createdFrom
      ? {
          endpoint: search,
          query: { ...filters(p), createdTimeRange: `${p.after ?? p.createdFrom},${p.createdTo ?? p.createdFrom}`, sortBy: 'createdTime' },
        }
      : list(p);
}

export const seekCreated = (p: Record<string, string>) =>
  p.createdFrom ? { field: 'createdTime' as const, after: p.after ?? p.createdFrom } : undefined;

/** The parameters of a read of changes, set by the planner on page messages. */
export const CHANGES_PARAMS: readonly ParamSpec[] = [
  { name: 'since', kind: 'time', description: 'only records modified since then (a read of changes)', internal: true },
  { name: 'until', kind: 'time', description: 'end of the since-window', internal: true },
];

/**
 * A report read by change through its search (`changesSearch`): a page of changes is the search by
 * modifiedTime, a page of a full read the search by createdTime window; a page of neither (a portal that refused
 * the search when planned) the list.
 */
export function changed(
  search: EndpointKey,
  filters: (p: Record<string, string>) => Record<string, string | undefined>,
  list: ReportDefinition['request'],
): Pick<ReportDefinition, 'changesSearch' | 'deepRead' | 'request' | 'seek' | 'scope' | 'current'> {
  return {
    current: 'changes',
    changesSearch: search,
    deepRead: { endpoint: search, filters },
    request: (p) =>
      p.since
        ? {
            endpoint: search,
            query: { ...filters(p), modifiedTimeRange: `${p.after ?? p.since},${p.until ?? p.since}`, sortBy: 'modifiedTime' },
          }
        : deep(search, filters, list)(p),
    // Search.json (75e1ba5) declares modifiedTime on every search item; an answer whose records lack it anyway
    // pages on by offset (`lenient`) rather than failing. A record edited again while its window is read may then
    // push one past a page; the reconcile's full read (by createdTime) finds it.
    seek: (p) => (p.since ? { field: 'modifiedTime', after: p.after ?? p.since, lenient: true } : seekCreated(p)),
    scope: windowScope,
  };
}

export const AGENT: Parent = { param: 'agentId', scope: 'agent', listedBy: 'agents' };
export const DEPARTMENT: Parent = { param: 'departmentId', scope: 'department', listedBy: 'departments' };
export const TICKET: Parent = { param: 'ticketId', scope: 'ticket', changedBy: 'ticketSearch' };
// A call's comments leave with the call in the latest views once it is tombstoned (the recycle bin, a reconcile).
export const CALL: Parent = { param: 'callId', scope: 'call', changedBy: 'callSearch', deletedWith: 'calls' };

export const departmentParam = (what: string, defaultValue = 'every department'): ParamSpec => ({
  name: 'departmentId',
  kind: 'id',
  description: `only this department's ${what}`,
  default: defaultValue,
});
/**
 * On a report counted on its parent (countedOnParent): set to 0 when the parent counts none, so the page is read
 * as empty without a call. Its per-parent read is still complete: a record it held before leaves.
 */
export const COUNTED: ParamSpec = {
  name: 'counted',
  kind: 'number',
  description: 'the records the parent counts (0: none, no call)',
  internal: true,
};

export const ticketParam = (defaultValue: string): ParamSpec => ({
  name: 'ticketId',
  kind: 'id',
  description: 'only this ticket',
  default: defaultValue,
});
export const CHANGED = 'tickets changed since the last successful run (all on the first)';

export const callParam = (defaultValue: string): ParamSpec => ({ name: 'callId', kind: 'id', description: 'only this call', default: defaultValue });
export const CHANGED_CALLS = 'calls changed since the last successful run (all on the first)';

/** Key parts that are not record fields: the parent's id, and a hash of the whole record (definition.ts `key`). */
export const KEY_PARENT = '$parent';
export const KEY_CONTENT = '$content';

export const plain = (endpoint: EndpointKey) => () => ({ endpoint });

/** A report's definition, its parent and its call defaulting to none and a plain GET of its endpoint. */
export function defineReport(
  d: Omit<ReportDefinition, 'parent' | 'request'> & Partial<Pick<ReportDefinition, 'parent' | 'request'>>,
): ReportDefinition {
  return { ...d, parent: d.parent, request: d.request ?? plain(d.endpoint) };
}
