import { j, ordered, s, t } from '../fields.js';
import { CALL, CHANGED_CALLS, callParam, COUNTED, defineReport } from '../kit.js';

export const callComments = defineReport({
  id: 'call-comments',
  current: 'per-parent',
  // The call says whether it has any (Call.json callListViewJson isCommented): one without is read as empty, no call.
  countedOnParent: 'isCommented',
  description: "comments on each call (agents' notes)",
  endpoint: 'callComments',
  // The calls changed since the last run, through /calls/search by modifiedTime. Whether a new comment bumps its
  // call's modifiedTime is not documented (inferred, as for a ticket's comments).
  fanOut: 'changed-parent',
  edition: 'any',
  parent: CALL,
  params: [callParam(CHANGED_CALLS), COUNTED],
  request: (p) => ({ endpoint: 'callComments', path: { callId: p.callId ?? '' }, query: { sortBy: 'commentedTime' } }),
  table: {
    // GET /calls/{entityId}/comments: CallComments.json@83b5c18 listCallComments (times epoch milliseconds in its
    // example, ISO strings from the simulator: a time column reads both). No isPublic, unlike a ticket's.
    fields: ordered(
      [s('id'), t('commentedTime'), t('modifiedTime'), s('commenterId'), s('contentType'), s('content')],
      [j('attachments'), j('commenter'), s('encodedContent'), j('impersonatedUser'), j('mention')],
    ),
  },
});
