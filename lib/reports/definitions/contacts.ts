import { s, i, b, t, j, ordered } from '../fields.js';
import { defineReport, changed, plain, WINDOW_PARAMS, CHANGES_PARAMS } from '../kit.js';

export const contacts = defineReport({
  id: 'contacts',
  binType: 'Contacts',
  description: 'contacts changed since the last complete run (all on the first, and at each reconcile)',
  endpoint: 'contacts',
  fanOut: 'pages',
  params: [...WINDOW_PARAMS, ...CHANGES_PARAMS],
  edition: 'any',
  ...changed('contactSearch', () => ({}), plain('contacts')),
  table: {
    // GET /contacts and /contacts/search: Contact.json@83b5c18 listViewObject, Search.json@83b5c18 searchContactResponseFields
    fields: ordered(
      [s('id'), s('firstName'), s('lastName'), s('email'), s('phone'), s('accountId'), s('ownerId'), b('isSpam'), t('createdTime')],
      [
        j('account'),
        i('accountCount'),
        j('cf'),
        s('city'),
        s('country'),
        j('customerHappiness'),
        j('customFields'),
        s('description'),
        s('facebook'),
        b('isAnonymous'),
        b('isEndUser'),
        s('layoutId'),
        s('mobile'),
        t('modifiedTime'),
        j('owner'),
        s('photoURL'),
        s('secondaryEmail'),
        s('state'),
        s('street'),
        s('title'),
        s('twitter'),
        s('type'),
        s('webUrl'),
        // a postcode: a label, though the spec types it int32
        s('zip'),
        j('zohoCRMContact'),
      ],
    ),
    versionedBy: 'modifiedTime',
    module: 'contacts',
  },
});
