import { iso } from './times.js';
import type { Portal } from './dataset.js';
import { makeId } from './dataset.js';
import { Random } from './random.js';
import { SUBJECTS } from './words.js';

/**
 * Tasks and events (GET /tasks, GET /events: Task.json and Event.json @83b5c18), generated once with the portal
 * from a stream of the seed of their own, so the older data's draws are not moved. About one task for every five
 * tickets and one event for every ten, each in a department, half of them on a ticket (hidden with it when it is
 * trashed, inferred: the spec does not say).
 */

export interface Activity {
  kind: 'task' | 'event';
  id: string;
  subject: string;
  departmentId: string;
  ticketId: string | null;
  contactId: string | null;
  ownerId: string;
  creatorId: string;
  priority: 'High' | 'Normal' | 'Low';
  status: string;
  /** a task's due date, an event's start */
  at: number;
  /** an event's length in seconds */
  duration: number;
  createdTime: number;
  modifiedTime: number;
  completedTime: number | null;
}

const TASK_STATUSES = ['Not Started', 'In Progress', 'Completed'] as const;
const EVENT_STATUSES = ['Scheduled', 'Completed'] as const;

export function generateActivities(portal: Portal, now: number): Activity[] {
  const rnd = Random.derive(portal.seed, 21);
  const tickets = portal.tickets;
  const agents = portal.agents;
  const out: Activity[] = [];
  const make = (kind: Activity['kind'], count: number) => {
    for (let n = 0; n < count; n += 1) {
      const ticket = tickets.length && rnd.chance(0.5) ? rnd.pick(tickets) : undefined;
      const createdTime = ticket ? ticket.createdTime + rnd.int(60, 48 * 3600) * 1000 : now - rnd.int(1, 300) * 86_400_000;
      const modifiedTime = Math.min(now, createdTime + rnd.int(0, 72 * 3600) * 1000);
      const statuses = kind === 'task' ? TASK_STATUSES : EVENT_STATUSES;
      const status = rnd.pick(statuses);
      const done = status === 'Completed';
      out.push({
        kind,
        id: makeId(portal.idPrefix, kind, n + 1),
        subject: `${kind === 'task' ? 'Follow up' : 'Call back'}: ${rnd.pick(SUBJECTS)}`,
        departmentId: ticket?.departmentId ?? rnd.pick(portal.departments).id,
        ticketId: ticket?.id ?? null,
        contactId: ticket?.contactId ?? null,
        ownerId: rnd.pick(agents).id,
        creatorId: rnd.pick(agents).id,
        priority: rnd.pick(['High', 'Normal', 'Low'] as const),
        status,
        at: createdTime + rnd.int(1, 14) * 86_400_000,
        duration: rnd.int(1, 8) * 900,
        createdTime,
        modifiedTime,
        completedTime: done ? modifiedTime : null,
      });
    }
  };
  make('task', Math.ceil(tickets.length / 5));
  make('event', Math.ceil(tickets.length / 10));
  return out;
}

/** The fields a task and an event share in their list views (taskListViewJson, eventListViewJson). */
function activityJson(portal: Portal, a: Activity, kind: 'Tasks' | 'Events') {
  const owner = portal.agentsById.get(a.ownerId);
  return {
    id: a.id,
    subject: a.subject,
    departmentId: a.departmentId,
    ticketId: a.ticketId,
    contactId: a.contactId,
    ownerId: a.ownerId,
    creatorId: a.creatorId,
    priority: a.priority,
    status: a.status,
    statusType: a.completedTime === null ? 'Open' : 'Closed',
    category: null,
    completedTime: iso(a.completedTime),
    createdTime: iso(a.createdTime),
    modifiedTime: iso(a.modifiedTime),
    // typed int64 in the spec: epoch milliseconds
    activityTime: a.modifiedTime,
    activityType: kind,
    layoutId: `${portal.idPrefix}00000007401${kind === 'Tasks' ? 2 : 3}`,
    isTrashed: false,
    isCommented: false,
    isSpam: false,
    assignee: owner ? { firstName: owner.firstName, lastName: owner.lastName, photoURL: null, id: owner.id } : null,
    webUrl: `https://desk.zoho.com/support/${portal.org.portalName}/ShowHomePage.do#${kind}/dv/${a.id}`,
  };
}

/** A task as Task.json@83b5c18's list example shows it (dueDate; no startTime of its own). */
export function taskJson(portal: Portal, a: Activity) {
  return { ...activityJson(portal, a, 'Tasks'), dueDate: iso(a.at) };
}

/** An event as Event.json@83b5c18's list example shows it (startTime). */
export function eventJson(portal: Portal, a: Activity) {
  return { ...activityJson(portal, a, 'Events'), startTime: iso(a.at), dueDate: null };
}

/** A task as Search.json@83b5c18's searchTasks example shows it: the list's fields, department, cf and description. */
export function taskSearchJson(portal: Portal, a: Activity) {
  return { ...taskJson(portal, a), ...searchExtras(portal, a) };
}

/** An event as Search.json@83b5c18's searchEvents example shows it (duration as a string of seconds). */
export function eventSearchJson(portal: Portal, a: Activity) {
  return { ...eventJson(portal, a), ...searchExtras(portal, a), duration: String(a.duration) };
}

function searchExtras(portal: Portal, a: Activity) {
  const department = portal.departmentsById.get(a.departmentId);
  return { department: department ? { name: department.name, id: department.id } : null, cf: {}, description: null };
}
