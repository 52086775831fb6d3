import { s, b, t, ordered } from '../fields.js';
import { defineReport } from '../kit.js';

export const departments = defineReport({
  id: 'departments',
  current: 'snapshot',
  description: 'all departments',
  endpoint: 'departments',
  fanOut: 'pages',
  params: [],
  edition: 'any',
  table: {
    // GET /departments: Department.json@83b5c18 commonDepartmentResponse
    fields: ordered(
      [s('id'), s('name'), b('isEnabled'), b('isDefault'), t('createdTime')],
      [
        s('chatStatus'),
        s('creatorId'),
        s('description'),
        b('hasLogo'),
        b('isAssignToTeamEnabled'),
        b('isVisibleInCustomerPortal'),
        s('nameInCustomerPortal'),
        s('sanitizedName'),
      ],
    ),
  },
});
