import { ConfigError, RetryLaterError, ZohoRejectedError } from '../errors.js';
import type { HttpResponse } from '../ports.js';
import { dataCentreAdvice, type ZohoLocation } from './data-centres.js';
import { isHtml } from './desk-errors.js';
import { describeEndpoint, type DeskEndpoint } from './endpoints.js';
import { parseJsonKeepingIds } from './json.js';

/** The record list of an answer; "*" (routes not in the table) takes `data`, else the only list in it. */
export function listIn(body: Record<string, unknown>, key: string): unknown {
  if (key !== '*') return body[key];
  if (Array.isArray(body.data)) return body.data;
  const lists = Object.values(body).filter(Array.isArray);
  return lists.length === 1 ? lists[0] : undefined;
}

/** The JSON body of a Desk answer, undefined for 204; HTML and broken JSON become typed errors here. */
export function readDeskBody(target: DeskEndpoint, response: HttpResponse, location: ZohoLocation): unknown {
  const request = describeEndpoint(target);
  const status = response.status;
  if (status === 204) return undefined; // Zoho sends a JSON content-type with an empty body: never parse it
  // A redirect or an HTML page means a wrong host or data centre: every call fails alike, so stop the run.
  if (status >= 300 && status < 400) {
    throw new ConfigError(
      `Zoho Desk redirected ${request} (HTTP ${status}${response.headers.location ? ` to ${new URL(response.headers.location, location.deskApiUrl).host}` : ''}). ` +
        dataCentreAdvice(location),
      { request, status },
    );
  }
  if (isHtml(response)) {
    if (status >= 500) {
      throw new RetryLaterError(`Zoho Desk answered HTTP ${status} (an HTML error page) to ${request}; try again later.`, { request, status });
    }
    throw new ConfigError(
      `Zoho Desk at ${location.deskApiUrl} answered ${request} with an HTML page (HTTP ${status}) instead of JSON. ${dataCentreAdvice(location)}`,
      { request, status },
    );
  }
  if (response.body.trim() === '') {
    if (status >= 200 && status < 300) {
      throw new RetryLaterError(`Zoho Desk answered ${request} with HTTP ${status} and an empty body; try again.`, { request, status });
    }
    return undefined;
  }
  try {
    return parseJsonKeepingIds(response.body);
  } catch {
    if ((status >= 200 && status < 300) || status >= 500) {
      throw new RetryLaterError(`Zoho Desk's answer to ${request} was cut short or is not JSON (HTTP ${status}); try again.`, { request, status });
    }
    return undefined;
  }
}

/**
 * The records of a page, checked against Zoho's own contract: a list under the endpoint's key, of JSON
 * objects, no more of them than the page size asked for. A page that breaks it is refused whole, with the
 * reason, rather than stored half-right (one `[1,"two"]` page would break every query of the export).
 */
export function pageRecords(target: DeskEndpoint, body: Record<string, unknown>, limit: number, status: number): Array<Record<string, unknown>> {
  const request = describeEndpoint(target);
  const records = listIn(body, target.responseKey);
  if (!Array.isArray(records)) {
    throw new ZohoRejectedError(`${request} answered without a "${target.responseKey}" list (keys: ${Object.keys(body).join(', ')}).`, {
      request,
      status,
    });
  }
  const odd = records.findIndex((record) => record === null || typeof record !== 'object' || Array.isArray(record));
  if (odd >= 0) {
    const value = records[odd] as unknown;
    const kind = value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value;
    throw new ZohoRejectedError(
      `${request} answered a page whose record ${odd + 1} of ${records.length} is ${kind}, not a JSON object: the page is set aside, not stored.`,
      { request, status },
    );
  }
  if (target.paginated && records.length > limit) {
    throw new ZohoRejectedError(
      `${request} answered ${records.length} records for a page of ${limit}: Zoho did not keep to the page size, so this page cannot be ` +
        'trusted to fit between its neighbours; it is set aside, not stored.',
      { request, status },
    );
  }
  return records as Array<Record<string, unknown>>;
}
