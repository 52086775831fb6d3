import { s, b, j, list, ordered } from '../fields.js';
import { defineReport } from '../kit.js';

export const agents = defineReport({
  id: 'agents',
  current: 'snapshot',
  description: 'all agents',
  endpoint: 'agents',
  fanOut: 'pages',
  edition: 'any',
  params: [{ name: 'status', kind: 'agent-status', description: 'ACTIVE or DISABLED', default: 'both' }],
  request: (p) => ({ endpoint: 'agents', query: { status: p.status } }),
  depthAdvice: 'Read them in two parts: `--param status=ACTIVE`, then `--param status=DISABLED`',
  table: {
    // GET /agents: Agent.json@83b5c18 agentListArray example, typed by agentIdsResponse (cf: its custom-field variant)
    fields: ordered(
      [
        s('id'),
        s('name'),
        s('firstName'),
        s('lastName'),
        s('emailId'),
        s('status'),
        s('roleId'),
        s('profileId'),
        b('isConfirmed'),
        list('associatedDepartmentIds'),
      ],
      [
        s('aboutInfo'),
        list('associatedChatDepartmentIds'),
        j('cf'),
        list('channelExpert'),
        s('countryCode'),
        s('extn'),
        b('isZiaAgent'),
        s('langCode'),
        s('mobile'),
        s('phone'),
        s('photoURL'),
        s('rolePermissionType'),
        s('timeZone'),
        // the agent's Zoho user id: an id, though the spec types it int32
        s('zuid'),
      ],
    ),
  },
});
