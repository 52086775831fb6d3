import { fieldsJson, FIELD_MODULES, type FieldModule } from './custom-fields.js';
import type { BinItem } from './dataset.js';
import type { RouteSpec } from './routes.js';
import { binJson } from './shapes.js';
import { binItems, purgeBin } from './trash.js';

/**
 * The simulated Desk's settings endpoints (scope Desk.settings.READ): the recycle bin and the modules' fields.
 * Their paging truths, like routes.ts's, are set here on their own.
 */

const BIN_SORTS = ['name', 'type', 'department', 'deletedBy', 'deletedTime'].flatMap((f) => [f, `-${f}`]);

export const SETTINGS_SPECS: Record<'recycleBin' | 'organizationFields', RouteSpec> = {
  recycleBin: {
    // from 0-based (default 0, 3f7016e/bc1833e); limit 1-50 (83b5c18); the depth cap of the lists is inferred.
    paging: { base: 0, minLimit: 1, maxLimit: 50, defaultLimit: 10, fromMax: 4_999 },
    scopes: [['Desk.settings.READ']],
    enums: {
      sortBy: BIN_SORTS,
      module: ['accounts', 'contacts', 'tickets', 'tasks', 'timeEntry', 'calls', 'events', 'contracts', 'products', 'topics', 'solutions'],
    },
    produce: ({ portal, query, now }) => {
      purgeBin(portal, now);
      // `include` is a comma list of deletedBy and department; other values are ignored (inferred).
      const include = new Set((query.get('include') ?? '').split(',').map((v) => v.trim()));
      // No 204 is declared for this endpoint: an empty bin (or a page past its end) answers {data: []} (inferred).
      return {
        kind: 'list',
        items: binItems(portal, query),
        render: ((item: BinItem) => binJson(portal, item, include)) as (item: never) => unknown,
        emptyAsData: true,
      };
    },
  },
  organizationFields: {
    // One answer, no paging declared; it weighs what a single record does (inferred).
    paging: undefined,
    scopes: [['Desk.settings.READ']],
    weight: () => 1,
    enums: { module: ['tickets', 'contacts', 'accounts', 'tasks', 'calls', 'events', 'contracts', 'products'] },
    produce: ({ portal, query }) => {
      const module = query.get('module') ?? '';
      // The same fields in every department; modules the simulated portal has no records of list none (inferred).
      const modelled = (FIELD_MODULES as readonly string[]).includes(module);
      return { kind: 'object', body: { data: modelled ? fieldsJson(portal, module as FieldModule) : [] } };
    },
  },
};
