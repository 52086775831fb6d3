import type { Portal } from './dataset.js';
import { makeId } from './dataset.js';

/**
 * The portal's teams, roles, profiles and layouts (Team.json, Role.json, Profile.json, Layout.json @83b5c18),
 * derived from its departments and first agents, which never change: the same answer every time.
 */

/** GET /teams items: a team a department, its first agent in it (teamListResponse, as its example). */
export function teamsJson(portal: Portal) {
  const role = portal.agents[0]?.roleId;
  return portal.departments.map((d, n) => ({
    id: makeId(portal.idPrefix, 'team', n + 1),
    name: `${d.name} team`,
    description: `The ${d.name.toLowerCase()} desk.`,
    departmentId: d.id,
    roles: role ? [role] : [],
    rolesWithSubordinates: [],
    subTeams: [],
    agents: portal.agents.slice(0, 1).map((a) => a.id),
    derivedAgents: [],
    logoUrl: null,
  }));
}

/** GET /roles items: the role every simulated agent has, and two below it (Role.json getRoles example). */
export function rolesJson(portal: Portal) {
  const top = portal.agents[0]?.roleId ?? makeId(portal.idPrefix, 'role', 1);
  const manager = makeId(portal.idPrefix, 'role', 1_001);
  const agent = makeId(portal.idPrefix, 'role', 1_002);
  const role = (id: string, name: string, reportsTo: string | null, subRoles: string[], isDefault: boolean) => ({
    id,
    name,
    description: `${name} role.`,
    reportsTo,
    immediateSubRoles: subRoles,
    shareDataWithPeers: true,
    isDefault,
    isVisible: true,
  });
  return [role(top, 'CEO', null, [manager], true), role(manager, 'Manager', top, [agent], false), role(agent, 'Agent', manager, [], false)];
}

/** GET /profiles items (Profile.json getProfileListResponse; permissions trimmed as the example). */
export function profilesJson(portal: Portal) {
  const admin = portal.agents[0]?.profileId ?? makeId(portal.idPrefix, 'profile', 1);
  const profile = (id: string, name: string, type: string, isDefault: boolean, edit: boolean) => ({
    id,
    name,
    description: `${name} profile.`,
    type,
    default: isDefault,
    isVisible: true,
    permissions: { tickets: { view: true, edit, create: edit, delete: edit }, comments: { edit, delete: edit } },
  });
  return [
    profile(admin, 'Administrator', 'Administrator', true, true),
    profile(makeId(portal.idPrefix, 'profile', 2), 'Agent', 'Standard', true, true),
    profile(makeId(portal.idPrefix, 'profile', 3), 'Light Agent', 'Light', true, false),
  ];
}

/** The modules GET /layouts takes (Layout.json getLayouts `module`), with the name its answer gives each. */
export const LAYOUT_MODULES: Readonly<Record<string, { name: string; layout: string }>> = {
  tickets: { name: 'Cases', layout: '74011' },
  tasks: { name: 'Tasks', layout: '74012' },
  events: { name: 'Events', layout: '74013' },
  contacts: { name: 'Contacts', layout: '74014' },
  accounts: { name: 'Accounts', layout: '74015' },
  calls: { name: 'Calls', layout: '74016' },
  contracts: { name: 'Contracts', layout: '74017' },
  products: { name: 'Products', layout: '74018' },
  timeEntry: { name: 'TimeEntry', layout: '74019' },
};

/** GET /layouts?module= items: the module's standard layout (Layout.json getLayouts example). */
export function layoutsJson(portal: Portal, module: string) {
  const known = LAYOUT_MODULES[module];
  if (!known) return [];
  const founder = portal.agents[0]?.id ?? null;
  return [
    {
      id: `${portal.idPrefix}0000000${known.layout}`,
      layoutName: `Standard ${known.name}`,
      layoutDisplayName: `Standard ${known.name}`,
      layoutDesc: null,
      module: known.name,
      status: 'active',
      isStandardLayout: true,
      isDefaultLayout: true,
      hasLogo: false,
      skipDeptAccessValidation: false,
      photoURL: null,
      layoutProfiles: [{ profileName: 'Administrator', isDefault: true, id: portal.agents[0]?.profileId ?? null, type: 'ADMIN' }],
      createdBy: founder,
      modifiedBy: founder,
      createdTime: new Date(portal.org.createdTime).toISOString(),
      modifiedTime: new Date(portal.org.createdTime).toISOString(),
    },
  ];
}
