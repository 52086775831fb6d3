import { list, ordered, s } from '../fields.js';
import { defineReport } from '../kit.js';

export const teams = defineReport({
  id: 'teams',
  current: 'snapshot',
  description: 'the teams of every department, with their agents and roles',
  endpoint: 'teams',
  fanOut: 'pages',
  edition: 'any',
  params: [],
  table: {
    // GET /teams: Team.json@83b5c18 teamListResponse (under `teams`)
    fields: ordered(
      [s('id'), s('name'), s('departmentId'), s('description')],
      [list('agents'), list('derivedAgents'), s('logoUrl'), list('roles'), list('rolesWithSubordinates'), list('subTeams')],
    ),
  },
});
