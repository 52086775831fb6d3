import { b, j, ordered, s, t } from '../fields.js';
import { CHANGED, COUNTED, defineReport, TICKET, ticketParam } from '../kit.js';

export const ticketComments = defineReport({
  id: 'ticket-comments',
  current: 'per-parent',
  // The search's ticket records carry commentCount (Search.json searchTicketResponseFields): pages planned up front.
  countedOnParent: 'commentCount',
  description: "comments on each ticket (agents' notes, public or private)",
  endpoint: 'ticketComments',
  fanOut: 'changed-parent',
  edition: 'any',
  parent: TICKET,
  params: [ticketParam(CHANGED), COUNTED],
  request: (p) => ({ endpoint: 'ticketComments', path: { ticketId: p.ticketId ?? '' }, query: { sortBy: 'commentedTime' } }),
  table: {
    // GET /tickets/{ticketId}/comments: TicketComment.json@3f7016e listOfComments (its example; the schema is
    // commentData). Times are epoch milliseconds in the example, ISO strings from the simulator: a time column reads both.
    fields: ordered(
      [s('id'), t('commentedTime'), t('modifiedTime'), s('commenterId'), b('isPublic'), s('contentType'), s('content')],
      [j('attachments'), j('commenter'), j('impersonatedUser'), j('mention'), s('plainText')],
    ),
  },
});
