import * as z from 'zod';
import { addTicket, MAX_THREADS_PER_TICKET, threadCount, threadId, type Portal } from './dataset.js';
import type { Random } from './random.js';

/** Changes to apply at the simulator's current time, for testing incremental sync. */
export const changesSchema = z
  .object({
    newTickets: z.number().int().min(0).default(0),
    modifiedTickets: z.number().int().min(0).default(0),
    newThreads: z.number().int().min(0).default(0),
  })
  .strict();

export type Changes = z.input<typeof changesSchema>;

export interface ChangeReport {
  created: string[];
  modified: string[];
  threaded: string[];
}

const NEXT_STATUS: Record<string, [string, 'Open' | 'On Hold' | 'Closed']> = {
  Open: ['On Hold', 'On Hold'],
  'On Hold': ['Closed', 'Closed'],
  Escalated: ['Open', 'Open'],
  Closed: ['Open', 'Open'],
};

/**
 * Moves the portal forward: new tickets, modified tickets (status moves on, modifiedTime bumped), and new
 * threads. A new thread also bumps its ticket's modifiedTime — whether real Zoho does is UNCONFIRMED; the
 * incremental sync must not depend on it for threads it already knows to fetch.
 */
export function applyChanges(portal: Portal, random: Random, now: number, input: Changes): ChangeReport {
  const changes = changesSchema.parse(input);
  const report: ChangeReport = { created: [], modified: [], threaded: [] };
  for (let i = 0; i < changes.newTickets; i += 1) {
    report.created.push(addTicket(portal, random, now - random.int(0, 59) * 1000, now).id);
  }
  const existing = portal.tickets;
  if (existing.length === 0) return report;
  for (let i = 0; i < changes.modifiedTickets; i += 1) {
    const ticket = random.pick(existing);
    const [status, statusType] = NEXT_STATUS[ticket.status] ?? ['Open', 'Open'];
    ticket.status = status;
    ticket.statusType = statusType;
    ticket.closedTime = statusType === 'Closed' ? now : null;
    ticket.modifiedTime = Math.max(ticket.modifiedTime, now);
    report.modified.push(ticket.id);
  }
  for (let i = 0; i < changes.newThreads; i += 1) {
    const ticket = random.pick(existing);
    const n = threadCount(portal, ticket) + 1;
    if (n >= MAX_THREADS_PER_TICKET) continue; // thread ids are derived from the ticket and n
    const added = portal.addedThreads.get(ticket.id) ?? [];
    const outgoing = ticket.assigneeId !== null && random.chance(0.5);
    added.push({
      id: threadId(portal, ticket, n), ticketId: ticket.id, direction: outgoing ? 'out' : 'in', channel: ticket.channel.toUpperCase(),
      authorId: outgoing && ticket.assigneeId ? ticket.assigneeId : ticket.contactId, authorType: outgoing ? 'AGENT' : 'END_USER',
      createdTime: now, summary: outgoing ? 'We are looking into it.' : 'Any news on this?', isDescriptionThread: false,
    });
    portal.addedThreads.set(ticket.id, added);
    ticket.modifiedTime = Math.max(ticket.modifiedTime, now);
    report.threaded.push(ticket.id);
  }
  return report;
}
