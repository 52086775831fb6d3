import { b, j, ordered, s, t } from '../fields.js';
import { defineReport } from '../kit.js';
import { LAYOUT_MODULES } from '../params.js';

export const layouts = defineReport({
  id: 'layouts',
  current: 'snapshot',
  description: 'the layouts (forms) of each module: tickets, contacts, accounts, calls, tasks, events, contracts, products, time entries',
  endpoint: 'layouts',
  fanOut: 'module',
  edition: 'any',
  parent: { param: 'module', scope: 'module', values: LAYOUT_MODULES },
  params: [{ name: 'module', kind: 'layout-module', description: "only this module's layouts", default: LAYOUT_MODULES.join(', ') }],
  request: (p) => ({ endpoint: 'layouts', query: { module: p.module } }),
  table: {
    // GET /layouts?module=: Layout.json@83b5c18 getLayouts (`module` is Zoho's name for it: Cases for tickets)
    fields: ordered(
      [
        s('id'),
        s('layoutName'),
        s('module'),
        s('status'),
        b('isDefaultLayout'),
        b('isStandardLayout'),
        s('departmentId'),
        t('createdTime'),
        t('modifiedTime'),
      ],
      [
        s('createdBy'),
        b('hasLogo'),
        s('layoutDesc'),
        s('layoutDisplayName'),
        j('layoutProfiles'),
        s('modifiedBy'),
        s('photoURL'),
        b('skipDeptAccessValidation'),
      ],
    ),
  },
});
