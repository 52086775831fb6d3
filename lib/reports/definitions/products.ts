import { d, j, list, ordered, s, t } from '../fields.js';
import { CHANGES_PARAMS, changed, defineReport, plain, WINDOW_PARAMS } from '../kit.js';

export const products = defineReport({
  id: 'products',
  // The recycle bin's `type` of a product is not in the spec's examples: "Products" (inferred).
  binType: 'Products',
  description: 'products changed since the last complete run (all on the first, and at each reconcile)',
  endpoint: 'productSearch',
  fanOut: 'pages',
  edition: 'any',
  params: [...WINDOW_PARAMS, ...CHANGES_PARAMS],
  // Through /products/search alone: GET /products needs the id of a custom view of the portal's own.
  ...changed('productSearch', () => ({}), plain('productSearch')),
  table: {
    // GET /products/search: Search.json@83b5c18 searchProducts (the single product's fields)
    fields: ordered(
      [s('id'), s('productName'), s('productCode'), d('unitPrice'), s('ownerId'), t('createdTime'), t('modifiedTime')],
      [
        s('createdBy'),
        j('cf'),
        j('customFields'),
        list('departmentIds'),
        s('description'),
        s('layoutId'),
        s('manufacturer'),
        s('modifiedBy'),
        s('productCategory'),
      ],
    ),
    versionedBy: 'modifiedTime',
  },
});
