import { ticketThreads, type Portal, type Ticket } from './dataset.js';

/**
 * A ticket's history (GET /tickets/{ticketId}/History: not in the OAS, inferred), in the shape of
 * TicketHistory.json@3f7016e's newTicketHistoryRespns: events `{actor, eventInfo, eventTime, eventName, source,
 * actorInfo}`, newest first, with no id of their own. Drawn from the ticket as it is: its creation, each thread
 * after the first, and its last update (which moves on when the ticket is edited again, so an earlier one leaves
 * the history here, where Zoho's would keep it: the mirror of a ticket read again follows either way).
 */

// TicketHistory.json's `source` enum names channels so; Phone has none (null).
const SOURCES: Record<string, string | null> = { Email: 'Email', Web: 'WebForm', Phone: null, Chat: 'Chat', Twitter: 'Twitter' };

const text = (propertyName: string, propertyValue: unknown) => ({ propertyName, propertyType: 'Text', systemProperty: true, propertyValue });

export function ticketHistory(portal: Portal, ticket: Ticket) {
  const contact = portal.contactsById.get(ticket.contactId);
  // authorWithName: {name, id, type}; the system's own changes have no id.
  const person = (id: string, type: 'Agent' | 'Contact'): { name: string | null; id: string | null; type: string } => {
    const who = type === 'Agent' ? portal.agentsById.get(id) : portal.contactsById.get(id);
    return { name: who ? `${who.firstName} ${who.lastName}`.trim() : null, id, type };
  };
  const system = { name: 'System', id: null, type: 'System' };
  const department = portal.departments.find((d) => d.id === ticket.departmentId);
  const source = SOURCES[ticket.channel] ?? null;
  const events = [
    {
      actor: contact ? person(contact.id, 'Contact') : system,
      eventInfo: [
        {
          propertyName: 'Department',
          propertyType: 'Entity',
          systemProperty: true,
          propertyValue: { name: department?.name ?? null, id: ticket.departmentId, type: 'Department' },
        },
        text('Subject', ticket.subject),
        text('Status', 'Open'),
      ],
      eventTime: new Date(ticket.createdTime).toISOString(),
      eventName: 'TicketCreated',
      source,
      actorInfo: [],
    },
    ...ticketThreads(portal, ticket)
      .slice(1)
      .map((th) => ({
        actor: person(th.authorId, th.authorType === 'AGENT' ? 'Agent' : 'Contact'),
        // Which thread: two threads at one time are two events (the property's name is inferred).
        eventInfo: [text('Thread', th.id), text('Direction', th.direction), text('Channel', th.channel)],
        eventTime: new Date(th.createdTime).toISOString(),
        eventName: 'ThreadAdded',
        source: th.direction === 'in' ? source : null,
        actorInfo: [],
      })),
  ];
  if (ticket.modifiedTime > ticket.createdTime) {
    events.push({
      actor: ticket.assigneeId ? person(ticket.assigneeId, 'Agent') : system,
      eventInfo: [text('Status', ticket.status)],
      eventTime: new Date(ticket.modifiedTime).toISOString(),
      eventName: 'TicketUpdated',
      source: null,
      actorInfo: [],
    });
  }
  // Newest first (inferred), ties in the order made.
  return events
    .map((event, n) => ({ event, n }))
    .sort((a, b) => b.event.eventTime.localeCompare(a.event.eventTime) || a.n - b.n)
    .map((x) => x.event);
}
