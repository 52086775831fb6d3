import { ZohoRejectedError } from '../errors.js';
import type { PageRequest } from './desk-client.js';
import { describeEndpoint, type DeskEndpoint } from './endpoints.js';

const ID = /^\d{1,25}$/;

/**
 * The URL of one Desk call: ids checked into the path, and only the query parameters the endpoint declares
 * (Zoho answers 422 "Extra query parameter" for any other), so a request Zoho would refuse is refused here,
 * before it costs a credit.
 */
export function deskUrl(baseUrl: string, target: DeskEndpoint, request: Pick<PageRequest, 'path' | 'query'>, from: number, limit: number): string {
  const name = describeEndpoint(target);
  const given = { ...request.path };
  const path = target.path.replace(/\{(\w+)\}/g, (_, param: string) => {
    const value = given[param];
    if (value === undefined) throw new ZohoRejectedError(`${name} needs ${param}.`);
    if (!ID.test(value)) throw new ZohoRejectedError(`${param} must be the digits of a Zoho id (a string), not "${value}".`);
    delete given[param];
    return value;
  });
  const extraPath = Object.keys(given);
  if (extraPath.length) throw new ZohoRejectedError(`${name} has no path parameter ${extraPath.join(', ')}.`);

  const query = new URLSearchParams();
  for (const [param, value] of Object.entries(request.query ?? {})) {
    if (value === undefined) continue;
    if (!target.query.includes(param)) {
      const accepted = target.query.length ? `it accepts ${target.query.join(', ')}` : 'it accepts none';
      throw new ZohoRejectedError(`${name} does not accept the query parameter "${param}" (Zoho answers 422 "Extra query parameter"); ${accepted}.`);
    }
    query.set(param, value);
  }
  for (const param of target.required) {
    if (!query.has(param)) throw new ZohoRejectedError(`${name} needs the query parameter "${param}".`);
  }
  if (target.paginated) {
    if (!Number.isInteger(from) || from < 0) throw new ZohoRejectedError(`${name}: from must be a whole number ≥ 0, not ${from}.`);
    if (!Number.isInteger(limit) || limit < target.minLimit || limit > target.maxLimit) {
      throw new ZohoRejectedError(`${name}: limit must be between ${target.minLimit} and ${target.maxLimit}, not ${limit}.`);
    }
    query.set('from', String(from));
    query.set('limit', String(limit));
  }
  const search = query.toString();
  return `${baseUrl}${path}${search ? `?${search}` : ''}`;
}

/** A file's download: its bytes kept as they are, up to `maxBytes`, the setting that bounds it named in errors. */
export interface FileMode {
  binary: true;
  maxBytes: number;
  limit: string;
}

/** The link as a URL under the Desk API base (same scheme, host, port and path prefix), or undefined. */
export function underDeskApi(href: string, deskApiUrl: string): string | undefined {
  try {
    const url = new URL(href);
    const base = new URL(deskApiUrl);
    const prefix = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
    return url.origin === base.origin && url.pathname.startsWith(prefix) && !url.username && !url.password ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}
