import { s, i, b, j, ordered } from '../fields.js';
import { defineReport } from '../kit.js';
import { FIELD_MODULES } from '../params.js';

export const organizationFields = defineReport({
  id: 'organization-fields',
  current: 'snapshot',
  description: 'field metadata (custom fields included) of tickets, contacts, accounts and calls',
  endpoint: 'organizationFields',
  fanOut: 'module',
  edition: 'any',
  parent: { param: 'module', scope: 'module', values: FIELD_MODULES },
  params: [{ name: 'module', kind: 'module', description: "only this module's fields", default: FIELD_MODULES.join(', ') }],
  request: (p) => ({ endpoint: 'organizationFields', query: { module: p.module } }),
  holdsFieldMetadata: true,
  table: {
    // GET /organizationFields?module=: Field.json@83b5c18 commonFieldResponse (+ per-type extras)
    fields: ordered(
      [s('id'), s('apiName'), s('displayLabel'), s('type'), b('isCustomField')],
      [
        j('allowedValues'),
        i('decimalPlaces'),
        s('defaultValue'),
        s('i18NLabel'),
        b('isEncryptedField'),
        b('isMandatory'),
        j('lookup'),
        b('isTrackLastActivityTime'),
        i('maxLength'),
        s('name'),
        s('roundingOption'),
        i('roundingPrecision'),
        b('showToHelpCenter'),
      ],
    ),
  },
});
