import { callCommentId, callComments, MAX_COMMENTS_PER_CALL } from './call-comments.js';
import * as z from 'zod';
import { ticketComments } from './comments.js';
import { editCustomField } from './custom-fields.js';
import { addTicket, MAX_THREADS_PER_TICKET, threadCount, threadId, type BinItem, type Portal, type Ticket } from './dataset.js';
import type { Random } from './random.js';
import { deleteForGood, moveToBin, purgeBin, restoreFromBin } from './trash.js';

const count = () => z.number().int().min(0).default(0);

/** Changes to apply at the simulator's current time, for testing incremental sync; each is a number of records. */
export const changesSchema = z
  .object({
    newTickets: count(),
    modifiedTickets: count(),
    newThreads: count(),
    /** tickets moved to the recycle bin */
    deleteTickets: count(),
    /** tickets deleted as spam: gone for good, never in the bin */
    spamDeleteTickets: count(),
    /** the tickets most recently moved to the bin, restored */
    restoreTickets: count(),
    deleteContacts: count(),
    deleteAccounts: count(),
    deleteCalls: count(),
    /** calls given one comment more (the call's modifiedTime bumped: inferred, UNCONFIRMED) */
    commentCalls: count(),
    /** calls' last comments deleted (the call's modifiedTime bumped: inferred, UNCONFIRMED) */
    deleteCallComments: count(),
    deleteTimeEntries: count(),
    /** open tickets closed */
    closeTickets: count(),
    /** tickets moved to another department */
    moveTickets: count(),
    /** tickets with one custom field changed */
    editTicketFields: count(),
    /** contacts with one custom field changed */
    editContacts: count(),
    /** department tags deleted */
    deleteTags: count(),
    /** tickets' last comments deleted (the ticket's modifiedTime bumped: inferred, UNCONFIRMED) */
    deleteComments: count(),
    /** email failure alerts cleared */
    clearEmailFailures: count(),
    /** pending approvals approved or rejected */
    processApprovals: count(),
    /** active agents disabled */
    disableAgents: count(),
  })
  .strict();

export type Changes = z.input<typeof changesSchema>;

export interface EvolveOptions {
  /** a restore bumps the ticket's modifiedTime — UNCONFIRMED for real Zoho, so tests cover both (default false) */
  restoreTouchesModifiedTime?: boolean;
  /** processing an approval bumps its ticket's modifiedTime — inferred, UNCONFIRMED, so tests cover both (default true) */
  approvalTouchesTicket?: boolean;
}

/** The ids each kind of change touched (email failures, which have no id of their own, by their threadId). */
export interface ChangeReport {
  created: string[];
  modified: string[];
  threaded: string[];
  deletedTickets: string[];
  spamDeletedTickets: string[];
  restoredTickets: string[];
  deletedContacts: string[];
  deletedAccounts: string[];
  deletedCalls: string[];
  commentedCalls: string[];
  deletedCallComments: string[];
  deletedTimeEntries: string[];
  closedTickets: string[];
  movedTickets: string[];
  editedTickets: string[];
  editedContacts: string[];
  deletedTags: string[];
  deletedComments: string[];
  clearedEmailFailures: string[];
  processedApprovals: string[];
  disabledAgents: string[];
}

const NEXT_STATUS: Record<string, [string, 'Open' | 'On Hold' | 'Closed']> = {
  Open: ['On Hold', 'On Hold'],
  'On Hold': ['Closed', 'Closed'],
  Escalated: ['Open', 'Open'],
  Closed: ['Open', 'Open'],
};

/** A random item that passes `ok`: the same draws as a plain pick while the first one passes, then a scan. */
function pickWhere<T>(random: Random, items: readonly T[], ok: (item: T) => boolean): T | undefined {
  for (let tries = 0; tries < 20 && items.length > 0; tries += 1) {
    const item = random.pick(items);
    if (ok(item)) return item;
  }
  const left = items.filter(ok);
  return left.length ? random.pick(left) : undefined;
}

/** Up to `n` distinct items that pass `ok`, each handed to `apply` before the next is picked. */
function each<T>(n: number, random: Random, items: () => readonly T[], ok: (item: T) => boolean, apply: (item: T) => string): string[] {
  const done = new Set<T>();
  const ids: string[] = [];
  for (let i = 0; i < n; i += 1) {
    const item = pickWhere(random, items(), (candidate) => !done.has(candidate) && ok(candidate));
    if (item === undefined) break;
    done.add(item);
    ids.push(apply(item));
  }
  return ids;
}

const touch = (ticket: Ticket, now: number) => {
  ticket.modifiedTime = Math.max(ticket.modifiedTime, now);
};

/**
 * Moves the portal forward. New tickets; modified tickets (status moves on, modifiedTime bumped); new threads.
 * A new thread also bumps its ticket's modifiedTime — whether real Zoho does is UNCONFIRMED; the incremental sync
 * must not depend on it for threads it already knows to fetch. Then deletes, restores and edits (the comments of
 * applyRemovalsAndEdits say which effects are inferred). Every choice is drawn from `random`: the same seed, the same changes.
 */
export function applyChanges(portal: Portal, random: Random, now: number, input: Changes, options: EvolveOptions = {}): ChangeReport {
  const changes = changesSchema.parse(input);
  purgeBin(portal, now);
  const report: ChangeReport = {
    created: [],
    modified: [],
    threaded: [],
    deletedTickets: [],
    spamDeletedTickets: [],
    restoredTickets: [],
    deletedContacts: [],
    deletedAccounts: [],
    deletedCalls: [],
    commentedCalls: [],
    deletedCallComments: [],
    deletedTimeEntries: [],
    closedTickets: [],
    movedTickets: [],
    editedTickets: [],
    editedContacts: [],
    deletedTags: [],
    deletedComments: [],
    clearedEmailFailures: [],
    processedApprovals: [],
    disabledAgents: [],
  };
  for (let i = 0; i < changes.newTickets; i += 1) {
    report.created.push(addTicket(portal, random, now - random.int(0, 59) * 1000, now).id);
  }
  const shown = (record: { id: string }) => !portal.hidden.has(record.id);
  for (let i = 0; i < changes.modifiedTickets; i += 1) {
    const ticket = pickWhere(random, portal.tickets, shown);
    if (!ticket) break;
    const [status, statusType] = NEXT_STATUS[ticket.status] ?? ['Open', 'Open'];
    ticket.status = status;
    ticket.statusType = statusType;
    ticket.closedTime = statusType === 'Closed' ? now : null;
    touch(ticket, now);
    report.modified.push(ticket.id);
  }
  for (let i = 0; i < changes.newThreads; i += 1) {
    const ticket = pickWhere(random, portal.tickets, shown);
    if (!ticket) break;
    const n = threadCount(portal, ticket) + 1;
    if (n >= MAX_THREADS_PER_TICKET) continue; // thread ids are derived from the ticket and n
    const added = portal.addedThreads.get(ticket.id) ?? [];
    const outgoing = ticket.assigneeId !== null && random.chance(0.5);
    added.push({
      id: threadId(portal, ticket, n),
      ticketId: ticket.id,
      direction: outgoing ? 'out' : 'in',
      channel: ticket.channel.toUpperCase(),
      authorId: outgoing && ticket.assigneeId ? ticket.assigneeId : ticket.contactId,
      authorType: outgoing ? 'AGENT' : 'END_USER',
      createdTime: now,
      summary: outgoing ? 'We are looking into it.' : 'Any news on this?',
      isDescriptionThread: false,
    });
    portal.addedThreads.set(ticket.id, added);
    touch(ticket, now);
    report.threaded.push(ticket.id);
  }
  return { ...report, ...applyRemovalsAndEdits(portal, random, now, changes, options, shown) };
}

type Parsed = z.output<typeof changesSchema>;

/** Deletes, restores and edits: the kinds of change a mirror must notice without a newer modifiedTime to tell it. */
function applyRemovalsAndEdits(
  portal: Portal,
  random: Random,
  now: number,
  changes: Parsed,
  options: EvolveOptions,
  shown: (record: { id: string }) => boolean,
): Partial<ChangeReport> {
  const active = portal.agents.filter((a) => a.status === 'ACTIVE');
  const deleter = () => random.pick(active.length ? active : portal.agents).id;
  const trash = (item: Omit<BinItem, 'deletedTime' | 'deletedById'>) => {
    moveToBin(portal, { ...item, deletedTime: now, deletedById: deleter() });
    return item.id;
  };
  const tickets = () => portal.tickets;
  const ticketShown = (id: string) => !portal.hidden.has(id) && portal.ticketsById.has(id);
  return {
    deletedTickets: each(changes.deleteTickets, random, tickets, shown, (t) =>
      trash({ id: t.id, type: 'Tickets', displayName: t.subject, departmentId: t.departmentId }),
    ),
    spamDeletedTickets: each(changes.spamDeleteTickets, random, tickets, shown, (t) => {
      deleteForGood(portal, t.id);
      return t.id;
    }),
    restoredTickets: restoreLatestTickets(portal, changes.restoreTickets, now, options),
    deletedContacts: deleteUnreferenced(
      changes.deleteContacts,
      random,
      () => portal.contacts,
      shown,
      referencedContacts,
      portal,
      (c) => trash({ id: c.id, type: 'Contacts', displayName: `${c.firstName} ${c.lastName}`, departmentId: null }),
    ),
    deletedAccounts: deleteUnreferenced(
      changes.deleteAccounts,
      random,
      () => portal.accounts,
      shown,
      referencedAccounts,
      portal,
      (a) => trash({ id: a.id, type: 'Accounts', displayName: a.accountName, departmentId: null }),
    ),
    deletedCalls: each(
      changes.deleteCalls,
      random,
      () => portal.calls,
      shown,
      (c) => trash({ id: c.id, type: 'Calls', displayName: c.subject, departmentId: c.departmentId }),
    ),
    commentedCalls: each(
      changes.commentCalls,
      random,
      () => portal.calls,
      shown,
      (call) => {
        const added = portal.addedCallComments.get(call.id) ?? [];
        // Numbered after the generated ones (at most 2), each added one its own number, deleted or not.
        const n = 50 + added.length + 1;
        if (n < MAX_COMMENTS_PER_CALL) {
          const id = callCommentId(portal, call, n);
          added.push({ id, callId: call.id, commenterId: call.ownerId, commentedTime: now, content: 'Followed up by email.' });
        }
        portal.addedCallComments.set(call.id, added);
        call.modifiedTime = Math.max(call.modifiedTime, now);
        return call.id;
      },
    ),
    deletedCallComments: each(
      changes.deleteCallComments,
      random,
      () => portal.calls,
      (call) => shown(call) && callComments(portal, call).length > 0,
      (call) => {
        portal.hidden.add((callComments(portal, call).at(-1) as { id: string }).id);
        call.modifiedTime = Math.max(call.modifiedTime, now);
        return call.id;
      },
    ),
    // A time entry's displayName in the bin is not in the spec: its ticket's subject here (inferred).
    deletedTimeEntries: each(
      changes.deleteTimeEntries,
      random,
      () => portal.timeEntries,
      (e) => shown(e) && ticketShown(e.ticketId),
      (e) =>
        trash({
          id: e.id,
          type: 'Time Entry',
          displayName: portal.ticketsById.get(e.ticketId)?.subject ?? 'Time Entry',
          departmentId: e.departmentId,
        }),
    ),
    closedTickets: each(
      changes.closeTickets,
      random,
      tickets,
      (t) => shown(t) && t.statusType !== 'Closed',
      (t) => {
        t.status = 'Closed';
        t.statusType = 'Closed';
        t.closedTime = now;
        touch(t, now);
        return t.id;
      },
    ),
    // A move is an update, so it bumps modifiedTime (inferred: Ticket.json says nothing). The ticket's time entries,
    // ratings and alerts keep the department they were recorded in, and its assignee stays (UNCONFIRMED).
    movedTickets: each(
      changes.moveTickets,
      random,
      tickets,
      (t) => shown(t) && portal.departments.length > 1,
      (t) => {
        t.departmentId = random.pick(portal.departments.filter((d) => d.id !== t.departmentId)).id;
        touch(t, now);
        return t.id;
      },
    ),
    editedTickets: each(changes.editTicketFields, random, tickets, shown, (t) => {
      editCustomField(portal, 'tickets', t, random, now);
      touch(t, now);
      return t.id;
    }),
    editedContacts: each(
      changes.editContacts,
      random,
      () => portal.contacts,
      shown,
      (c) => {
        editCustomField(portal, 'contacts', c, random, now);
        c.modifiedTime = Math.max(c.modifiedTime ?? c.createdTime, now);
        return c.id;
      },
    ),
    deletedComments: each(
      changes.deleteComments,
      random,
      () => portal.tickets,
      (ticket) => !portal.hidden.has(ticket.id) && ticketComments(portal, ticket).length > 0,
      (ticket) => {
        const last = ticketComments(portal, ticket).at(-1) as { id: string };
        portal.hidden.add(last.id);
        touch(ticket, now);
        return last.id;
      },
    ),
    deletedTags: each(
      changes.deleteTags,
      random,
      () => portal.tags,
      () => true,
      (tag) => {
        portal.tags.splice(portal.tags.indexOf(tag), 1);
        return tag.id;
      },
    ),
    clearedEmailFailures: each(
      changes.clearEmailFailures,
      random,
      () => portal.emailFailures,
      () => true,
      (f) => {
        portal.emailFailures.splice(portal.emailFailures.indexOf(f), 1);
        return f.threadId;
      },
    ),
    // Processing an approval bumps its ticket's modifiedTime (inferred: TicketApprovals.json says nothing), unless
    // the option says otherwise: what the daily re-read of pending approvals is for.
    processedApprovals: each(
      changes.processApprovals,
      random,
      () => portal.approvals,
      (a) => a.status === 'Pending' && ticketShown(a.ticketId),
      (a) => {
        a.status = random.chance(0.7) ? 'Approved' : 'Rejected';
        a.processedTime = now;
        const ticket = portal.ticketsById.get(a.ticketId);
        if (ticket && options.approvalTouchesTicket !== false) touch(ticket, now);
        return a.id;
      },
    ),
    disabledAgents: each(
      changes.disableAgents,
      random,
      () => portal.agents,
      (a) => a.status === 'ACTIVE',
      (a) => {
        a.status = 'DISABLED';
        return a.id;
      },
    ),
  };
}

/** The tickets most recently moved to the bin, back with the same ids (and children, hidden with them). */
function restoreLatestTickets(portal: Portal, n: number, now: number, options: EvolveOptions): string[] {
  if (n === 0) return [];
  const latest = portal.bin
    .filter((item) => item.type === 'Tickets')
    .slice(-n)
    .reverse();
  for (const item of latest) {
    restoreFromBin(portal, item.id);
    const ticket = portal.ticketsById.get(item.id);
    if (ticket && options.restoreTouchesModifiedTime) touch(ticket, now);
  }
  return latest.map((item) => item.id);
}

/**
 * Contacts and accounts no shown record refers to are deleted first, so the simulator need not decide what Zoho
 * does with a deleted contact's tickets (UNCONFIRMED); when every one is referenced, the references stay as they were.
 */
function deleteUnreferenced<T extends { id: string }>(
  n: number,
  random: Random,
  items: () => readonly T[],
  shown: (record: { id: string }) => boolean,
  references: (portal: Portal) => Set<string>,
  portal: Portal,
  apply: (item: T) => string,
): string[] {
  if (n === 0) return [];
  const referenced = references(portal);
  const free = each(n, random, items, (item) => shown(item) && !referenced.has(item.id), apply);
  return free.concat(each(n - free.length, random, items, shown, apply));
}

function referencedContacts(portal: Portal): Set<string> {
  const ids = new Set<string>();
  for (const t of portal.tickets) if (!portal.hidden.has(t.id)) ids.add(t.contactId);
  for (const c of portal.calls) if (!portal.hidden.has(c.id)) ids.add(c.contactId);
  return ids;
}

function referencedAccounts(portal: Portal): Set<string> {
  const ids = new Set<string>();
  for (const c of portal.contacts) if (c.accountId && !portal.hidden.has(c.id)) ids.add(c.accountId);
  for (const t of portal.tickets) if (t.accountId && !portal.hidden.has(t.id)) ids.add(t.accountId);
  return ids;
}
