import { ConfigError, RetryLaterError } from '../errors.js';
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
      `Zoho Desk at ${location.deskApiUrl} answered ${request} with an HTML page (HTTP ${status}) instead of JSON. ` +
        dataCentreAdvice(location),
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
    if (status >= 200 && status < 300 || status >= 500) {
      throw new RetryLaterError(`Zoho Desk's answer to ${request} was cut short or is not JSON (HTTP ${status}); try again.`, { request, status });
    }
    return undefined;
  }
}
