import { createHash } from 'node:crypto';
import { InvalidMessageError } from '../errors.js';
import { ENDPOINTS, describeEndpoint, type DeskEndpoint } from '../zoho/endpoints.js';

/**
 * The generic "route" report: any Desk GET list route, as the original project promised ("all a user needs
 * to pass in is the route"). A route is a path under the Desk API base and nothing else.
 */

const SEGMENT = /^[A-Za-z0-9_-]{1,100}$/;
const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/** Zoho's general page size where an endpoint says nothing else */
const DEFAULT_ROUTE_LIMIT = 50;

/** Checks a route and returns it without the implied /api/v1. */
export function parseRoute(raw: unknown): string {
  if (typeof raw !== 'string' || raw === '') {
    throw new InvalidMessageError('route must be a path such as "/tickets/1329983000000425001/threads"');
  }
  if (raw.length > 512) throw new InvalidMessageError(`route is ${raw.length} characters long; the limit is 512`);
  if (/^[a-z][a-z0-9+.-]*:/i.test(raw) || raw.startsWith('//')) {
    throw new InvalidMessageError('route must be a path under the Desk API, not an absolute URL');
  }
  if (raw.includes('%')) throw new InvalidMessageError('route must not be percent-encoded (an encoded "/" or ".." could leave the API)');
  if (raw.includes('?') || raw.includes('#')) {
    throw new InvalidMessageError('route must not carry a query string: put query parameters in "params"');
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses
  if (raw.includes('\\') || /[\s\u0000-\u001f]/.test(raw))
    throw new InvalidMessageError('route must not contain backslashes, spaces or control characters');
  if (!raw.startsWith('/')) throw new InvalidMessageError('route must start with "/", e.g. "/tickets"');
  const segments = raw.slice(1).replace(/\/$/, '').split('/');
  if (segments.some((s) => s === '..' || s === '.')) throw new InvalidMessageError('route must not contain "." or ".." segments');
  let path = `/${segments.join('/')}`;
  if (segments[0] === 'api') {
    if (segments[1] !== 'v1' || segments.length < 3) {
      throw new InvalidMessageError('route is outside /api/v1, the Desk API base: give the path after it, e.g. "/tickets"');
    }
    path = `/${segments.slice(2).join('/')}`;
  }
  for (const segment of path.slice(1).split('/')) {
    if (!SEGMENT.test(segment)) throw new InvalidMessageError(`route segment "${segment.slice(0, 40)}" must be letters, digits, "_" or "-"`);
  }
  return path;
}

export interface RouteTarget {
  endpoint: DeskEndpoint;
  /** ids taken from the route, for endpoints in the table */
  path: Record<string, string> | undefined;
  /** the page size when params do not give one */
  defaultLimit: number;
}

/** The endpoint a route names: one from the table (its paging and parameters), or an ad-hoc list route. */
export function routeTarget(route: string, queryNames: readonly string[]): RouteTarget {
  for (const known of Object.values(ENDPOINTS)) {
    const names: string[] = [];
    const source = known.path.replace(/\{(\w+)\}/g, (_, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    const pattern = new RegExp(`^${source}$`);
    const match = pattern.exec(route);
    if (!match) continue;
    const path: Record<string, string> = {};
    names.forEach((name, i) => {
      const value = match[i + 1] as string;
      if (!/^\d{1,25}$/.test(value)) throw new InvalidMessageError(`route: ${name} must be the digits of a Zoho id, not "${value.slice(0, 40)}"`);
      path[name] = value;
    });
    return { endpoint: known, path: names.length ? path : undefined, defaultLimit: known.maxLimit };
  }
  // Not in the table: start at 0, so whatever its base, a page boundary can repeat a record but never skip one.
  const adHoc: DeskEndpoint = {
    key: 'route',
    path: route,
    paginated: true,
    fromBase: 0,
    baseConfirmed: false,
    minLimit: 1,
    maxLimit: 200,
    responseKey: '*',
    query: queryNames,
    required: [],
    scopes: [],
    needsOrgId: true,
    unconfirmed: false,
    fromMax: 4_999,
  };
  return { endpoint: adHoc, path: undefined, defaultLimit: DEFAULT_ROUTE_LIMIT };
}

/** Query parameters of a route message: strings; `limit` is the page size; `from` and `orgId` are ours. */
export function parseRouteParams(route: string, raw: unknown = {}): Record<string, string> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new InvalidMessageError('params must be an object of strings');
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    if (!PARAM_NAME.test(name)) throw new InvalidMessageError(`params: "${name.slice(0, 40)}" is not a parameter name`);
    if (name === 'from') throw new InvalidMessageError('params.from is set by the pipeline, page by page');
    if (name === 'orgId') throw new InvalidMessageError("params.orgId comes from the secret's org_id, not the message");
    if (typeof value === 'number') throw new InvalidMessageError(`params.${name} must be a string ("${value}"), not a number`);
    if (typeof value !== 'string' || value.length > 1000) throw new InvalidMessageError(`params.${name} must be a string of at most 1000 characters`);
    params[name] = value;
  }
  const { endpoint } = routeTarget(route, Object.keys(params));
  if (params.limit !== undefined) {
    const limit = Number(params.limit);
    if (!/^\d+$/.test(params.limit) || limit < endpoint.minLimit || limit > endpoint.maxLimit) {
      throw new InvalidMessageError(`params.limit must be a whole number from ${endpoint.minLimit} to ${endpoint.maxLimit}`);
    }
  }
  for (const name of Object.keys(params)) {
    if (name !== 'limit' && !endpoint.query.includes(name)) {
      throw new InvalidMessageError(
        `params.${name} is not accepted by ${describeEndpoint(endpoint)} (Zoho answers 422); it accepts ${endpoint.query.join(', ') || 'none'}`,
      );
    }
  }
  return params;
}

/**
 * A route folder longer than this is named by a readable prefix and a hash instead: file systems refuse names
 * over 255 bytes (ENAMETOOLONG), and a route may be 512 characters long.
 */
export const MAX_ROUTE_FOLDER = 160;
const ROUTE_PREFIX = 120;

/**
 * The folder of a route's pages: "route=tickets.1329983000000425001.threads/". A long route keeps its first
 * 120 characters and adds ".." and 16 hex digits of the SHA-256 of the whole route: short, the same for the
 * same route, different for routes that only differ further on. ".." never occurs in a short route's folder
 * (its segments are never empty), so the two kinds cannot collide.
 */
/**
 * The folder of a route export's query, under its route folder, so SQL can tell two exports of one route
 * apart: "params=status%3DOpen%26departmentId%3D1…/" (the sorted query, URL-encoded; `limit` is the page size,
 * not part of the question). None without parameters; a long query keeps a prefix and a hash, as long routes do.
 */
export function routeParamsScope(params: Readonly<Record<string, string>>): string {
  const entries = Object.entries(params)
    .filter(([name]) => name !== 'limit')
    .sort(([a], [b]) => a.localeCompare(b));
  if (!entries.length) return '';
  // Every character but letters, digits and - _ . is %-encoded, so the folder name is a safe key segment.
  const query = encodeURIComponent(new URLSearchParams(entries).toString()).replace(
    /[!'()*~]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  const folder = `params=${query}`;
  if (folder.length <= MAX_ROUTE_FOLDER) return `${folder}/`;
  const hash = createHash('sha256').update(query).digest('hex').slice(0, 16);
  return `params=${query.slice(0, ROUTE_PREFIX)}..${hash}/`;
}

export function routeScope(route: string): string {
  const flat = route.slice(1).replaceAll('/', '.');
  const folder = `route=${flat}`;
  if (folder.length <= MAX_ROUTE_FOLDER) return `${folder}/`;
  const hash = createHash('sha256').update(route).digest('hex').slice(0, 16);
  return `route=${flat.slice(0, ROUTE_PREFIX)}..${hash}/`;
}
