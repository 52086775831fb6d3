import { s, t, j, ordered } from '../fields.js';
import { defineReport } from '../kit.js';

export const recycleBin = defineReport({
  id: 'recycle-bin',
  current: 'changes',
  deletionFeed: true,
  newestFirst: 'deletedTime',
  description: 'records deleted in Zoho Desk (its recycle bin, newest first): tickets, contacts, accounts, calls, time entries',
  endpoint: 'recycleBin',
  fanOut: 'pages',
  edition: 'any',
  params: [
    {
      name: 'since',
      kind: 'time',
      description: 'only records deleted since then',
      default: 'since the last complete run (all on the first)',
      internal: true,
    },
  ],
  // `-deletedTime` (declared in Recyclebin.json from commit 3f7016e on): new deletions come first.
  request: () => ({ endpoint: 'recycleBin', query: { sortBy: '-deletedTime' } }),
  table: {
    // GET /recycleBin: Recyclebin.json@83b5c18 recycleBinKeys (+ include=department,deletedBy). Later versions of
    // the spec (@3f7016e, @bc1833e) show `type` as an array (["Tickets"]) in their example; the schema says string.
    fields: ordered([s('id')], [j('deletedBy'), s('deletedById'), t('deletedTime'), j('department'), s('departmentId'), s('displayName'), s('type')]),
  },
});
