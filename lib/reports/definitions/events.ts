import { activityFields, i, t } from '../fields.js';
import { CHANGES_PARAMS, changed, defineReport, departmentParam, WINDOW_PARAMS } from '../kit.js';

export const events = defineReport({
  id: 'events',
  // The recycle bin's `type` of an event is not in the spec's examples: "Events", as calls are "Calls" (inferred).
  binType: 'Events',
  ticketField: 'ticketId',
  description: 'events (meetings, appointments) changed since the last complete run (all on the first, and at each reconcile)',
  endpoint: 'events',
  fanOut: 'pages',
  edition: 'any',
  params: [departmentParam('events', 'all departments'), ...WINDOW_PARAMS, ...CHANGES_PARAMS],
  // Through /events/search, as tasks through theirs.
  ...changed(
    'eventSearch',
    (p) => ({ departmentId: p.departmentId }),
    (p) => ({ endpoint: 'events', query: { departmentId: p.departmentId, sortBy: 'createdTime' } }),
  ),
  // duration: seconds, a string in the search's example
  table: { fields: activityFields([t('startTime'), t('dueDate'), i('duration')]), versionedBy: 'modifiedTime' },
});
