import { s, i, b, t, j, ordered } from '../fields.js';
import { defineReport, changed, departmentParam, WINDOW_PARAMS, CHANGES_PARAMS } from '../kit.js';

export const calls = defineReport({
  id: 'calls',
  binType: 'Calls',
  description: 'call activities changed since the last complete run (all on the first, and at each reconcile)',
  endpoint: 'calls',
  fanOut: 'pages',
  edition: 'any',
  params: [departmentParam('calls', 'all calls'), ...WINDOW_PARAMS, ...CHANGES_PARAMS],
  ...changed(
    'callSearch',
    (p) => ({ departmentId: p.departmentId }),
    (p) => ({ endpoint: 'calls', query: { departmentId: p.departmentId } }),
  ),
  table: {
    // GET /calls and /calls/search: Call.json@83b5c18 callListViewJson (+ include objects), Search.json@83b5c18 searchCallResponseFields
    fields: ordered(
      [
        s('id'),
        s('subject'),
        s('departmentId'),
        s('contactId'),
        s('ticketId'),
        s('ownerId'),
        s('direction'),
        s('status'),
        i('duration'),
        // isCompleted: a filter of GET /calls, not a record field in the spec; the simulator serves it
        b('isCompleted'),
        t('startTime'),
        t('createdTime'),
        t('modifiedTime'),
      ],
      [
        // activityTime: typed int64 in the spec, epoch milliseconds
        t('activityTime'),
        s('activityType'),
        j('assignee'),
        s('callId'),
        s('category'),
        j('cf'),
        t('completedTime'),
        j('contact'),
        s('creatorId'),
        j('customFields'),
        j('department'),
        s('description'),
        t('dueDate'),
        b('isCommented'),
        b('isSpam'),
        b('isTrashed'),
        s('layoutId'),
        j('modifiedBy'),
        s('priority'),
        j('reminder'),
        s('statusType'),
        j('team'),
        j('ticket'),
        s('webUrl'),
      ],
    ),
    versionedBy: 'modifiedTime',
    module: 'calls',
  },
});
