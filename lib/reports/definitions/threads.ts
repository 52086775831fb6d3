import { s, i, b, t, j, list, person, ordered } from '../fields.js';
import { CHANGED, COUNTED, defineReport, TICKET, ticketParam } from '../kit.js';

// GET /tickets/{ticketId}/threads: Thread.json@83b5c18 getThreadsdata, oneOf threadKeys | facebookThreadKeys |
// twitterThreadKeys | forumThreadKeys | emailThreadKeys
export const THREAD_FIRST = [
  s('id'),
  s('channel'),
  s('direction'),
  s('status'),
  s('summary'),
  b('isDescriptionThread'),
  t('createdTime'),
  person('author', ['id', 'name', 'type']),
];

export const THREAD_REST = [
  j('actions'),
  list('aspects'),
  i('attachmentCount'),
  list('attachmentIds'),
  s('bcc'),
  b('canReply'),
  s('cc'),
  j('channelRelatedInfo'),
  s('contentType'),
  s('facebookProfile'),
  s('fromEmailAddress'),
  s('fullContentURL'),
  b('hasAttach'),
  j('impersonatedUser'),
  b('isContentTruncated'),
  b('isForward'),
  list('keyWords'),
  s('lastRatingIconURL'),
  j('readReceipts'),
  s('replyTo'),
  // "00:05:14": a duration as text
  s('respondedIn'),
  // in the spec's list example only
  s('responderId'),
  s('sentiment'),
  j('source'),
  s('to'),
  s('twitterProfile'),
  s('visibility'),
];

export const threads = defineReport({
  id: 'threads',
  current: 'per-parent',
  countedOnParent: 'threadCount',
  description: 'conversation threads of each ticket',
  endpoint: 'ticketThreads',
  fanOut: 'changed-parent',
  edition: 'any',
  parent: TICKET,
  params: [ticketParam(CHANGED), COUNTED],
  request: (p) => ({ endpoint: 'ticketThreads', path: { ticketId: p.ticketId ?? '' }, query: { sortBy: 'sendDateTime' } }),
  table: {
    fields: ordered(THREAD_FIRST, THREAD_REST),
  },
});
