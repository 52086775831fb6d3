import { fieldsJson, FIELD_MODULES, type FieldModule } from './custom-fields.js';
import type { RouteSpec } from './routes.js';

/**
 * The simulated Desk's settings endpoints (scope Desk.settings.READ): the modules' fields.
 * Their paging truths, like routes.ts's, are set here on their own.
 */

export const SETTINGS_SPECS: Record<'organizationFields', RouteSpec> = {
  organizationFields: {
    // One answer, no paging declared; it weighs what a single record does (inferred).
    paging: undefined, scopes: [['Desk.settings.READ']], weight: () => 1,
    enums: { module: ['tickets', 'contacts', 'accounts', 'tasks', 'calls', 'events', 'contracts', 'products'] },
    produce: ({ portal, query }) => {
      const module = query.get('module') ?? '';
      // The same fields in every department; modules the simulated portal has no records of list none (inferred).
      const modelled = (FIELD_MODULES as readonly string[]).includes(module);
      return { kind: 'object', body: { data: modelled ? fieldsJson(portal, module as FieldModule) : [] } };
    },
  },
};
