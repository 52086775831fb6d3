import { b, j, ordered, s } from '../fields.js';
import { defineReport } from '../kit.js';

export const profiles = defineReport({
  id: 'profiles',
  current: 'snapshot',
  description: "the portal's agent profiles and their permissions",
  endpoint: 'profiles',
  fanOut: 'pages',
  edition: 'any',
  params: [],
  table: {
    // GET /profiles: Profile.json@83b5c18 getProfileListResponse; `permissions` is a tree of booleans
    fields: ordered([s('id'), s('name'), s('type'), s('description'), b('default'), b('isVisible')], [j('permissions')]),
  },
});
