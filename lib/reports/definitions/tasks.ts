import { activityFields, t } from '../fields.js';
import { CHANGES_PARAMS, changed, defineReport, departmentParam, WINDOW_PARAMS } from '../kit.js';

export const tasks = defineReport({
  id: 'tasks',
  // The recycle bin's `type` of a task is not in the spec's examples: "Tasks", as calls are "Calls" (inferred).
  binType: 'Tasks',
  ticketField: 'ticketId',
  description: 'tasks changed since the last complete run (all on the first, and at each reconcile)',
  endpoint: 'tasks',
  fanOut: 'pages',
  edition: 'any',
  params: [departmentParam('tasks', 'all departments'), ...WINDOW_PARAMS, ...CHANGES_PARAMS],
  // Read through /tasks/search (every department at once, by modifiedTime); GET /tasks, which needs a department,
  // only when a portal refused the search while the run was planned.
  ...changed(
    'taskSearch',
    (p) => ({ departmentId: p.departmentId }),
    (p) => ({ endpoint: 'tasks', query: { departmentId: p.departmentId, sortBy: 'createdTime' } }),
  ),
  table: { fields: activityFields([t('dueDate'), t('startTime')]), versionedBy: 'modifiedTime' },
});
