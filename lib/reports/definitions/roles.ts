import { b, list, ordered, s } from '../fields.js';
import { defineReport } from '../kit.js';

export const roles = defineReport({
  id: 'roles',
  current: 'snapshot',
  description: "the portal's roles and whom each reports to",
  endpoint: 'roles',
  fanOut: 'pages',
  edition: 'any',
  params: [],
  table: {
    // GET /roles: Role.json@83b5c18 getRoles (reportsTo a string in the list's example, a number in the single role's)
    fields: ordered(
      [s('id'), s('name'), s('description'), s('reportsTo'), b('isDefault'), b('isVisible')],
      [list('immediateSubRoles'), b('shareDataWithPeers')],
    ),
  },
});
