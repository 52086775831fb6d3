import { eventJson, eventSearchJson, taskJson, taskSearchJson, type Activity } from './activities.js';
import { callCommentJson, callComments } from './call-comments.js';
import { byTime, LISTS, list, SEARCHES, searched, searchSorts } from './route-kit.js';
import type { RouteContext, RouteSpec } from './routes.js';

/**
 * The simulated Desk's tasks and events (Task.json and Event.json @83b5c18): a department's, `departmentId`
 * required; limit 1-99; the `from` base is not declared, so the lists' (1) is used, as for calls.
 */

const PAGING = { ...LISTS, base: 1 as const, maxLimit: 99 };

/** The activities of a kind a route can see: a trashed ticket's are hidden with it. */
const visibleActivities = ({ portal }: RouteContext, kind: Activity['kind']) =>
  portal.activities.filter((a) => a.kind === kind && !portal.hidden.has(a.id) && !(a.ticketId && portal.hidden.has(a.ticketId)));

/** A search's activities: of the department asked (every one when none), in the ranges asked, sorted as asked. */
function searchedActivities(context: RouteContext, kind: Activity['kind']): Activity[] {
  const department = context.query.get('departmentId');
  const items = visibleActivities(context, kind).filter((a) => !department || a.departmentId === department);
  return searched(items, context.query, (a) => a.modifiedTime);
}

/** A department's activities of a kind, sorted as asked (ascending unless `-`). */
function activities(context: RouteContext, kind: Activity['kind']): Activity[] {
  const { query } = context;
  const department = query.get('departmentId');
  const sortBy = query.get('sortBy') ?? 'createdTime';
  const field = sortBy.replace(/^-/, '');
  const time = (a: Activity) => (field === 'createdTime' ? a.createdTime : field === 'modifiedTime' ? a.modifiedTime : a.at);
  return visibleActivities(context, kind)
    .filter((a) => a.departmentId === department)
    .sort((a, b) => byTime(time, sortBy.startsWith('-'))(a, b) || (a.id < b.id ? -1 : 1));
}

export const ACTIVITY_SPECS: Record<'tasks' | 'events' | 'taskSearch' | 'eventSearch' | 'callComments', RouteSpec> = {
  tasks: {
    paging: PAGING,
    scopes: [['Desk.tasks.READ'], ['Desk.activities.tasks.READ']],
    enums: { sortBy: ['category', 'subject', 'dueDate', 'status', 'createdTime', 'modifiedTime', 'priority'].flatMap((f) => [f, `-${f}`]) },
    produce: (context) => list(activities(context, 'task'), (a) => taskJson(context.portal, a)),
  },
  events: {
    paging: PAGING,
    scopes: [['Desk.events.READ'], ['Desk.activities.events.READ']],
    enums: { sortBy: ['startTime', 'createdTime'].flatMap((f) => [f, `-${f}`]) },
    produce: (context) => list(activities(context, 'event'), (a) => eventJson(context.portal, a)),
  },
  taskSearch: {
    paging: SEARCHES,
    scopes: [
      ['Desk.tasks.READ', 'Desk.search.READ'],
      ['Desk.activities.tasks.READ', 'Desk.search.READ'],
    ],
    enums: searchSorts('modifiedTime', 'createdTime'),
    produce: (context) => list(searchedActivities(context, 'task'), (a) => taskSearchJson(context.portal, a), true),
  },
  eventSearch: {
    paging: SEARCHES,
    scopes: [
      ['Desk.events.READ', 'Desk.search.READ'],
      ['Desk.activities.events.READ', 'Desk.search.READ'],
    ],
    enums: searchSorts('modifiedTime', 'createdTime'),
    produce: (context) => list(searchedActivities(context, 'event'), (a) => eventSearchJson(context.portal, a), true),
  },
  callComments: {
    // CallComments.json@83b5c18: Desk.activities.calls.READ or Desk.tasks.READ; no bounds declared on from and
    // limit (the lists' kept); ascending by commentedTime unless `-`; no 204 declared, so none is `{data: []}`.
    paging: { ...LISTS, base: 1 },
    scopes: [['Desk.activities.calls.READ'], ['Desk.tasks.READ']],
    enums: { sortBy: ['commentedTime', '-commentedTime'] },
    produce: ({ portal, params, query }) => {
      const call = portal.calls.find((c) => c.id === params.callId && !portal.hidden.has(c.id));
      if (!call) return { kind: 'not-found', message: 'The requested call does not exist.' };
      const comments = callComments(portal, call).sort(byTime((c) => c.commentedTime, query.get('sortBy') === '-commentedTime'));
      return { ...list(comments, (c) => callCommentJson(portal, c)), emptyAsData: true };
    },
  },
};
