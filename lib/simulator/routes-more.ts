import { articleJson, contractJson, productJson } from './catalogue.js';
import { layoutsJson, profilesJson, rolesJson, teamsJson } from './organization.js';
import { LISTS, list, SEARCHES, searched, searchSorts } from './route-kit.js';
import type { RouteResult, RouteSpec } from './routes.js';

/**
 * The simulated Desk's organization (teams, roles, profiles, layouts) and catalogue (contracts, products,
 * knowledge-base articles), with the paging and sorting their OAS files declare (@83b5c18).
 */

const BASIC_OR_SETTINGS = [['Desk.basic.READ'], ['Desk.settings.READ']] as const;
/** One answer with every record, as rendered; `emptyAsData` where the spec declares no 204. */
const whole = (items: readonly unknown[], emptyAsData = false): RouteResult => ({
  kind: 'list',
  items,
  render: ((item: unknown) => item) as (item: never) => unknown,
  emptyAsData,
});

export const MORE_SPECS: Record<
  'teams' | 'roles' | 'profiles' | 'layouts' | 'contracts' | 'productSearch' | 'articles' | 'articleSearch',
  RouteSpec
> = {
  teams: { paging: undefined, scopes: BASIC_OR_SETTINGS, weight: () => 1, produce: ({ portal }) => whole(teamsJson(portal), true) },
  roles: {
    paging: { ...LISTS, base: 0, maxLimit: 500, defaultLimit: 15 },
    scopes: BASIC_OR_SETTINGS,
    produce: ({ portal }) => whole(rolesJson(portal)),
  },
  profiles: { paging: undefined, scopes: BASIC_OR_SETTINGS, weight: () => 1, produce: ({ portal }) => whole(profilesJson(portal), true) },
  layouts: {
    paging: undefined,
    scopes: [['Desk.basic.READ']],
    weight: () => 1,
    enums: { module: ['tickets', 'contacts', 'contracts', 'accounts', 'products', 'calls', 'tasks', 'events', 'timeEntry'] },
    produce: ({ portal, query }) => whole(layoutsJson(portal, query.get('module') ?? '')),
  },
  contracts: {
    paging: { ...LISTS, base: 1 },
    scopes: [['Desk.settings.READ']],
    enums: {
      sortBy: ['accountName', 'contractName', 'contractEndDate', 'contractStartDate', 'createdTime', 'modifiedTime'].flatMap((f) => [f, `-${f}`]),
    },
    // In the order of their ids, which is the order they were made (the record carries no createdTime).
    produce: ({ portal }) => list(portal.catalogue.contracts, contractJson),
  },
  productSearch: {
    paging: SEARCHES,
    scopes: [
      ['Desk.settings.READ', 'Desk.search.READ'],
      ['Desk.products.READ', 'Desk.search.READ'],
    ],
    enums: searchSorts('modifiedTime', 'createdTime', 'productName'),
    produce: ({ portal, query }) =>
      list(
        searched(portal.catalogue.products, query, (p) => p.modifiedTime),
        (p) => productJson(portal, p),
        true,
      ),
  },
  articles: {
    // from minimum 1, limit 1-50; no 204 declared (an empty list answers {data: []}, inferred).
    paging: { ...LISTS, base: 1, maxLimit: 50 },
    scopes: [['Desk.articles.READ']],
    enums: { sortBy: ['createdTime', 'modifiedTime', 'likeCount', 'viewCount', 'feedbackCount', 'dislikeCount'].flatMap((f) => [f, `-${f}`]) },
    produce: ({ portal, query }) => ({
      ...list(
        searched(portal.catalogue.articles, query, (a) => a.modifiedTime),
        (a) => articleJson(portal, a),
      ),
      emptyAsData: true,
    }),
  },
  articleSearch: {
    paging: SEARCHES,
    scopes: [['Desk.articles.READ', 'Desk.search.READ']],
    enums: searchSorts('modifiedTime', 'createdTime'),
    produce: ({ portal, query }) =>
      list(
        searched(portal.catalogue.articles, query, (a) => a.modifiedTime),
        (a) => articleJson(portal, a),
        true,
      ),
  },
};
