import { attachmentFile, attachmentJson, ticketAttachments } from './attachments.js';
import { commentJson, ticketComments } from './comments.js';
import { ticketThreads, type Thread } from './dataset.js';
import { byTime, LISTS, list, TICKETS_READ, ticketFor } from './route-kit.js';
import { ticketHistory } from './history.js';
import { fullThreadJson, threadAttachmentFile, threadAttachments } from './thread-contents.js';
import type { RouteContext, RouteSpec } from './routes.js';

/**
 * The simulated Desk's routes of a ticket's records added with issue 16 (comments). Paging truths from the
 * OAS, as routes.ts's; a trashed ticket's records are hidden with it.
 */

type ChildRoute = 'ticketComments' | 'ticketAttachments' | 'attachmentContent' | 'ticketThread' | 'threadAttachmentContent' | 'ticketHistory';

/** A ticket's thread by the path's ids, unless it or its ticket is hidden. */
function threadFor(context: RouteContext): Thread | undefined {
  const ticket = ticketFor(context);
  return ticket && ticketThreads(context.portal, ticket).find((th) => th.id === context.params.threadId);
}

export const TICKET_CHILD_SPECS: Record<ChildRoute, RouteSpec> = {
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
  ticketAttachments: {
    // TicketAttachment.json@83b5c18: from minimum 0, limit 1-100; 204 when there are none.
    paging: { ...LISTS, base: 0 },
    scopes: TICKETS_READ,
    enums: { sortBy: ['createdTime', '-createdTime'] },
    produce: (context) => {
      const ticket = ticketFor(context);
      if (!ticket) return { kind: 'not-found', message: 'The requested ticket does not exist.' };
      const files = ticketAttachments(context.portal, ticket).sort(byTime((a) => a.createdTime, context.query.get('sortBy') === '-createdTime'));
      return list(files, (a) => attachmentJson(context.portal, a as never));
    },
  },
  attachmentContent: {
    // Not in the OAS: the `href` of its attachment examples. One file, its bytes as they are (inferred).
    paging: undefined,
    scopes: TICKETS_READ,
    weight: () => 1,
    produce: (context) => {
      const ticket = ticketFor(context);
      const file = ticket && ticketAttachments(context.portal, ticket).find((a) => a.id === context.params.attachmentId);
      if (!file) return { kind: 'not-found', message: 'The requested attachment does not exist.' };
      return { kind: 'file', ...attachmentFile(context.portal, file) };
    },
  },
  ticketThread: {
    // Thread.json@75e1ba5 getThread: one thread in full, a bare object; include=plainText adds `plainText`. A credit
    // a call (inferred: a single record's GET).
    paging: undefined,
    scopes: TICKETS_READ,
    weight: () => 1,
    enums: { include: ['plainText'] },
    produce: (context) => {
      const thread = threadFor(context);
      if (!thread) return { kind: 'not-found', message: 'The requested thread does not exist.' };
      return { kind: 'object', body: fullThreadJson(context.portal, thread, context.query.get('include') === 'plainText') };
    },
  },
  threadAttachmentContent: {
    // Thread.json@75e1ba5 getThreadAttachmentContent: the file of a thread's attachment.
    paging: undefined,
    scopes: TICKETS_READ,
    weight: () => 1,
    produce: (context) => {
      const thread = threadFor(context);
      const file = thread && threadAttachments(context.portal, thread).find((a) => a.id === context.params.attachmentId);
      if (!file) return { kind: 'not-found', message: 'The requested attachment does not exist.' };
      return { kind: 'file', ...threadAttachmentFile(context.portal, file) };
    },
  },
  ticketHistory: {
    // Not in the OAS (endpoints.ts): a ticket's history events, newest first; the lists' paging, at most 50 (inferred).
    paging: { ...LISTS, base: 1, maxLimit: 50, defaultLimit: 50 },
    scopes: TICKETS_READ,
    produce: (context) => {
      const ticket = ticketFor(context);
      if (!ticket) return { kind: 'not-found', message: 'The requested ticket does not exist.' };
      return list(ticketHistory(context.portal, ticket), (event) => event);
    },
  },
};
