import { j, ordered, s, t } from '../fields.js';
import { defineReport } from '../kit.js';

export const contracts = defineReport({
  // No search and no modifiedTime on the list's records (Contract.json@83b5c18): read in full, as few as they are.
  id: 'contracts',
  current: 'snapshot',
  description: 'support contracts of accounts',
  endpoint: 'contracts',
  fanOut: 'pages',
  edition: 'any',
  params: [],
  request: () => ({ endpoint: 'contracts', query: { sortBy: 'createdTime' } }),
  table: {
    // GET /contracts: Contract.json@83b5c18 listAllContractData (start and end dates as epoch ms in its example)
    fields: ordered(
      [
        s('id'),
        s('contractName'),
        s('contractStatus'),
        s('accountId'),
        s('productId'),
        s('departmentId'),
        s('ownerId'),
        t('startDate'),
        t('endDate'),
      ],
      [s('associatedSLAId'), s('associatedSupportPlanId'), j('supportPlan')],
    ),
  },
});
