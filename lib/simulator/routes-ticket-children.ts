import { commentJson, ticketComments } from './comments.js';
import { byTime, LISTS, list, TICKETS_READ, ticketFor } from './route-kit.js';
import type { RouteSpec } from './routes.js';

/**
 * The simulated Desk's routes of a ticket's records added with issue 16 (comments). Paging truths from the
 * OAS, as routes.ts's; a trashed ticket's records are hidden with it.
 */

export const TICKET_CHILD_SPECS: Record<'ticketComments', RouteSpec> = {
  ticketComments: {
    // TicketComment.json@3f7016e: from minimum 0, limit 1-100 (default 50); the depth cap of the lists is inferred.
    paging: { ...LISTS, base: 0, defaultLimit: 50 },
    scopes: TICKETS_READ,
    enums: { sortBy: ['commentedTime', '-commentedTime'] },
    produce: (context) => {
      const ticket = ticketFor(context);
      if (!ticket) return { kind: 'not-found', message: 'The requested ticket does not exist.' };
      // Ascending by commentedTime by default (the spec: "The default sorting order is ascending").
      const comments = ticketComments(context.portal, ticket).sort(byTime((c) => c.commentedTime, context.query.get('sortBy') === '-commentedTime'));
      return list(comments, (c) => commentJson(context.portal, c as never));
    },
  },
};
