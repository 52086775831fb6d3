import {
  ConfigError,
  CreditsExhaustedError,
  ReauthorizeError,
  ReportUnavailableError,
  RetryLaterError,
  ZohoRejectedError,
  type AppError,
} from '../errors.js';
import type { HttpResponse } from '../ports.js';
import { dataCentreAdvice, type ZohoLocation } from './data-centres.js';
import { describeEndpoint, LATER_SCOPES, RECOMMENDED_SCOPES, type DeskEndpoint } from './endpoints.js';

/** Zoho's error body (OAS Common.json): `{errorCode, message, errors?: [{fieldName, errorType, errorMessage}]}` */
export interface DeskErrorBody {
  errorCode?: string;
  message?: string;
  errors?: Array<{ fieldName?: string; errorType?: string; errorMessage?: string }>;
  feature?: string;
  editionType?: string;
}

export interface DeskErrorContext {
  endpoint: DeskEndpoint;
  location: ZohoLocation;
  orgId: string | undefined;
}

/** "5 h 12 min" */
export function duration(seconds: number): string {
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.ceil((seconds % 3600) / 60);
  return hours ? `${hours} h ${minutes} min` : `${minutes} min`;
}

/** The longest wait Zoho has reason to ask for: its credits reset daily, at midnight in the data centre's zone. */
export const MAX_RETRY_AFTER_SECONDS = 24 * 3600;

/** `Retry-After` is seconds, or an HTTP date; clamped to a day, so a wild value cannot park a run for good. */
export function readRetryAfter(headers: Record<string, string>, now: number): number | undefined {
  const value = headers['retry-after']?.trim();
  if (!value) return undefined;
  let seconds: number;
  if (/^\d+$/.test(value)) seconds = Number(value);
  else {
    const at = Date.parse(value);
    if (Number.isNaN(at)) return undefined;
    seconds = Math.ceil((at - now) / 1000);
  }
  return Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(0, seconds));
}

export function isHtml(response: HttpResponse): boolean {
  return (response.headers['content-type'] ?? '').includes('text/html') || /^\s*</.test(response.body);
}

/** 401 answers after which a fresh token is worth one more try. */
export function isTokenRejected(status: number, body: DeskErrorBody | undefined): boolean {
  return status === 401 && (body?.errorCode === undefined || body.errorCode === 'INVALID_OAUTH' || body.errorCode === 'UNAUTHORIZED');
}

function zohoSays(body: DeskErrorBody | undefined): string {
  if (!body?.message && !body?.errors?.length) return '';
  const details = (body.errors ?? []).map((e) => [e.fieldName, e.errorType, e.errorMessage].filter(Boolean).join(' ')).filter(Boolean);
  return ` Zoho says: "${body.message ?? ''}"${details.length ? ` (${details.join('; ')})` : ''}.`;
}

/** Types a Desk answer that is not a success by what the caller must do. */
export function deskError(response: HttpResponse, body: DeskErrorBody | undefined, context: DeskErrorContext, now: number): AppError {
  const { endpoint, location } = context;
  const request = describeEndpoint(endpoint);
  const status = response.status;
  const code = body?.errorCode;
  const base = { request, status, ...(code ? { errorCode: code } : {}) };
  const says = zohoSays(body);
  const retryAfterSeconds = readRetryAfter(response.headers, now);

  switch (code) {
    case 'THRESHOLD_EXCEEDED':
      return new CreditsExhaustedError(
        `Zoho Desk's daily API credits for this portal are spent (${request} answered THRESHOLD_EXCEEDED). ` +
          `They reset at midnight in your data centre's time zone${retryAfterSeconds !== undefined ? `: in ${duration(retryAfterSeconds)}, at ${new Date(now + retryAfterSeconds * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC` : ''}; ` +
          'nothing more can be fetched from this portal until then.',
        { ...base, ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) },
      );
    case 'TOO_MANY_REQUESTS':
      return new RetryLaterError(
        `Zoho Desk refused ${request}: too many concurrent API calls for this portal's edition. Lower the concurrency and retry.`,
        { ...base, ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) },
      );
    case 'LICENSE_ACCESS_LIMITED':
      return new ReportUnavailableError(
        `${request} is not available on this portal's Zoho Desk edition` +
          `${body?.editionType ? ` (${body.editionType})` : ''}${body?.feature ? `: feature ${body.feature}` : ''}. ` +
          'It is recorded as unavailable, not retried.',
        {
          ...base,
          licence: true,
          ...(body?.feature ? { feature: body.feature } : {}),
          ...(body?.editionType ? { editionType: body.editionType } : {}),
        },
      );
    case 'INVALID_OAUTH':
    case 'UNAUTHORIZED':
      return new ReauthorizeError(
        `Zoho Desk rejected a freshly issued access token for ${request} (${code}). The refresh token may be from another ` +
          `data centre or its grant was revoked. ${dataCentreAdvice(location)} Otherwise generate a new grant code and run ` +
          '`zoho-desk-reports auth init`.',
        base,
      );
    case 'SCOPE_MISMATCH':
      if (endpoint.scopes.some((scope) => LATER_SCOPES.includes(scope))) {
        return new ReportUnavailableError(
          `The grant behind this token lacks a scope for ${request} (it needs ${endpoint.scopes.join(' and ')}), a report added ` +
            `after the grant was made. To read it, generate a new grant code with the scopes ${RECOMMENDED_SCOPES.join(',')} ` +
            'and run `zoho-desk-reports auth init --replace`; until then it is recorded unavailable and the other reports go on.',
          base,
        );
      }
      return new ZohoRejectedError(
        `The grant behind this token lacks a scope for ${request}${endpoint.scopes.length ? ` (it needs ${endpoint.scopes.join(' and ')})` : ''}. Scopes are ` +
          `fixed when the code is generated: generate a new grant code with the scopes ${RECOMMENDED_SCOPES.join(',')} ` +
          'and run `zoho-desk-reports auth init --replace`.',
        base,
      );
    case 'OAUTH_ORG_MISMATCH':
      // Every call of this portal fails the same way: stop the run rather than set each page aside.
      return new ConfigError(
        `The org_id ${context.orgId ?? '(none)'} is not the Zoho Desk portal this token was granted for. Run ` +
          '`zoho-desk-reports auth init` to list the portals the token reaches and store the right org_id, or generate ' +
          'a new grant code choosing the intended portal.',
        base,
      );
    case 'FORBIDDEN':
      return new ZohoRejectedError(
        `Zoho Desk refused ${request}: the Zoho user who generated the grant code lacks the permission in their Desk ` +
          `profile.${says} Generate the code as an administrator, or grant the profile access.`,
        base,
      );
    default:
      break;
  }

  if (status >= 500 || status === 429 || status === 408) {
    return new RetryLaterError(`Zoho Desk answered HTTP ${status} to ${request}; try again later.${says}`, {
      ...base,
      ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
    });
  }
  if (endpoint.unconfirmed && (status === 404 || status === 422)) {
    return new ReportUnavailableError(
      `${request} is not in Zoho's published API and this portal answered HTTP ${status}: recorded as unavailable.${says}`,
      base,
    );
  }
  if (status === 404) {
    // A route outside the endpoint table has no known scopes: name the grant that covers every report instead.
    const scopeAdvice = endpoint.scopes.length
      ? `Zoho also answers 404 when the grant lacks a scope: this call needs ${endpoint.scopes.join(' and ')}.`
      : "The route may not exist on this portal or its edition (check it against Zoho's Desk API reference), or the " +
        `grant may lack a scope for it (a grant with ${RECOMMENDED_SCOPES.join(',')} covers every report).`;
    return new ZohoRejectedError(
      `Zoho Desk has no ${request} (HTTP 404${code ? ` ${code}` : ''}).${says} ${scopeAdvice} It is set aside, not retried.`,
      base,
    );
  }
  if (status === 422 || status === 400) {
    return new ZohoRejectedError(
      `Zoho Desk refused the parameters of ${request} (HTTP ${status}${code ? ` ${code}` : ''}).${says} Do not retry; fix the parameters.`,
      base,
    );
  }
  return new ZohoRejectedError(`Zoho Desk answered HTTP ${status} to ${request}.${says}`, base);
}
