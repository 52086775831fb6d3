import { s, d, t, j, ordered } from '../fields.js';
import { defineReport, changed, plain, WINDOW_PARAMS, CHANGES_PARAMS } from '../kit.js';

export const accounts = defineReport({
  id: 'accounts',
  binType: 'Accounts',
  description: 'customer accounts changed since the last complete run (all on the first, and at each reconcile)',
  endpoint: 'accounts',
  fanOut: 'pages',
  params: [...WINDOW_PARAMS, ...CHANGES_PARAMS],
  edition: 'any',
  ...changed('accountSearch', () => ({}), plain('accounts')),
  table: {
    // GET /accounts and /accounts/search: Account.json@83b5c18 accountListViewObject, Search.json@83b5c18 searchAccountResponseFields
    fields: ordered(
      [s('id'), s('accountName'), s('website'), s('email'), s('phone'), s('ownerId'), t('createdTime'), t('modifiedTime')],
      [
        d('annualrevenue'),
        j('cf'),
        s('city'),
        s('code'),
        s('country'),
        j('customerHappiness'),
        j('customFields'),
        s('description'),
        s('fax'),
        s('industry'),
        s('layoutId'),
        j('owner'),
        s('state'),
        s('street'),
        s('webUrl'),
        j('zohoCRMAccount'),
      ],
    ),
    versionedBy: 'modifiedTime',
    module: 'accounts',
  },
});
