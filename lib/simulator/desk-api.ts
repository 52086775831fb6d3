import type { Clock } from '../ports.js';
import type { Edition, Portal } from './dataset.js';
import type { CreditPool } from './credit-pool.js';
import type { Quirk } from './faults.js';
import { editionAtLeast } from './editions.js';
import type { AccessToken, SimulatedAccounts } from './oauth.js';
import { parseRange, ROUTES, type SimRoute } from './routes.js';

/** One answer of the simulated Desk API; `json` is serialised, an absent body means no body (204). */
export interface SimAnswer {
  status: number;
  json?: unknown;
  /** a file's bytes, sent as they are (their content type in `headers`) */
  bytes?: Uint8Array;
  headers?: Record<string, string>;
}

const RANGE_PARAMS = new Set(['modifiedTimeRange', 'createdTimeRange', 'customerResponseTimeRange', 'dueDateRange']);
const ID_PARAMS = new Set(['departmentId', 'assigneeId', 'contactId', 'accountId', 'productId', 'id', 'viewId', 'agentId', 'moduleId']);

function zohoError(status: number, errorCode: string, message: string, extra: Record<string, unknown> = {}): SimAnswer {
  return { status, json: { errorCode, message, ...extra } };
}

function unprocessable(field: string, errorType: 'invalid' | 'missing', message: string): SimAnswer {
  return zohoError(422, 'UNPROCESSABLE_ENTITY', message, {
    errors: [{ fieldName: `/${field}`, errorType, errorMessage: message }],
  });
}

type CallHeaders = Record<string, string | string[] | undefined>;

/** The access token a Desk call carries, if any. */
export function accessTokenOf(headers: CallHeaders): string | undefined {
  return /^(?:Zoho-oauthtoken|Bearer)\s+(\S+)$/i.exec(String(headers.authorization ?? ''))?.[1];
}

/** The org a Desk call names: the `orgId` header, or the `orgId` query parameter ('' when neither). */
export function orgIdOf(headers: CallHeaders, query: URLSearchParams): string {
  return String(headers.orgid ?? query.get('orgId') ?? '');
}

function hasScopes(granted: readonly string[], needed: readonly string[]): boolean {
  return needed.every((scope) => granted.includes(scope) || granted.includes(scope.replace(/\.READ$/, '.ALL')));
}

/**
 * The Desk API behind the HTTP server: authentication, orgId, scopes, edition gating, strict query
 * validation, paging with depth caps, credits — in the order a real request meets them.
 */
export class SimulatedDesk {
  /** calls per endpoint, counted on arrival whatever their answer (faults and 429s included) */
  readonly calls: Record<string, number> = {};
  /**
   * A token another portal's client minted (set when the simulator serves several portals). Zoho Accounts is one
   * service, so such a token is valid, only not for this org; the simulator keeps one Accounts per portal and asks
   * the others.
   */
  foreignToken: (token: string) => AccessToken | undefined = () => undefined;

  constructor(
    private readonly portal: Portal,
    private readonly accounts: SimulatedAccounts,
    private readonly credits: CreditPool,
    private readonly clock: Pick<Clock, 'now'> = { now: () => Date.now() },
  ) {}

  get edition(): Edition {
    return this.portal.org.edition;
  }

  match(path: string): { route: SimRoute; params: Record<string, string> } | undefined {
    for (const route of ROUTES) {
      const found = route.pattern.exec(path);
      if (found) return { route, params: { ...found.groups } };
    }
    return undefined;
  }

  countCall(path: string): void {
    const key = this.match(path)?.route.key ?? 'unknown';
    this.calls[key] = (this.calls[key] ?? 0) + 1;
  }

  handle(path: string, query: URLSearchParams, headers: CallHeaders, quirk?: Quirk): SimAnswer {
    const matched = this.match(path);
    if (!matched) return zohoError(404, 'URL_NOT_FOUND', 'The URL you requested could not be found.');
    if (quirk?.kind === 'not-served') return zohoError(404, 'URL_NOT_FOUND', 'The URL you requested could not be found.');
    const { route, params } = matched;
    const answer = this.answer(route, params, query, headers, quirk);
    const retryAfter: Record<string, string> =
      quirk?.kind === 'retry-after' && answer.status === 429 && quirk.retryAfter ? { 'Retry-After': quirk.retryAfter } : {};
    return { ...answer, headers: { ...answer.headers, 'X-Rate-Limit-Remaining-v3': String(this.credits.remaining), ...retryAfter } };
  }

  private answer(route: SimRoute, params: Record<string, string>, query: URLSearchParams, headers: CallHeaders, quirk: Quirk | undefined): SimAnswer {
    const token = accessTokenOf(headers);
    const access = token ? (this.accounts.checkAccessToken(token) ?? this.foreignToken(token)) : undefined;
    if (!access) return zohoError(401, 'INVALID_OAUTH', 'The OAuth Token you provided is invalid.');
    // Another portal's token, on any route, /organizations too (inferred: Zoho documents OAUTH_ORG_MISMATCH for an
    // orgId other than the token's, not whether every route checks it).
    if (access.orgId !== this.portal.org.id) {
      return zohoError(403, 'OAUTH_ORG_MISMATCH', 'The OAuth token does not belong to the given orgId.');
    }

    if (route.needsOrg) {
      const orgId = orgIdOf(headers, query);
      if (!orgId) return unprocessable('orgId', 'missing', 'orgId is required for this API.');
      if (orgId !== access.orgId || orgId !== this.portal.org.id) {
        return zohoError(403, 'OAUTH_ORG_MISMATCH', 'The OAuth token does not belong to the given orgId.');
      }
    }
    if (!route.scopes.some((group) => hasScopes(access.scopes, group))) {
      return zohoError(403, 'SCOPE_MISMATCH', 'The OAuth token does not have the scope to access this resource.');
    }
    const gate = route.gate?.(query);
    if (gate && !editionAtLeast(this.edition, gate.minimum)) {
      return zohoError(403, 'LICENSE_ACCESS_LIMITED', 'This feature is not available in your edition.', {
        feature: gate.feature,
        editionType: this.edition,
        maxAllowedEntity: 0,
        isTrial: false,
      });
    }
    const invalid = this.validate(route, query);
    if (invalid) return invalid;

    let from = 0;
    let limit = Number.POSITIVE_INFINITY;
    if (route.paging) {
      const paging = route.paging;
      const fromText = query.get('from');
      const limitText = query.get('limit');
      from = fromText === null ? paging.base : Number(fromText);
      limit = limitText === null ? paging.defaultLimit : Number(limitText);
      if (!/^\d+$/.test(fromText ?? '0')) return unprocessable('from', 'invalid', "The value passed for field 'from' is invalid.");
      if (!/^\d+$/.test(limitText ?? '0')) return unprocessable('limit', 'invalid', "The value passed for field 'limit' is invalid.");
      if (from > paging.fromMax) {
        return unprocessable('from', 'invalid', `The value passed for field 'from' exceeds the range of '${paging.base}-${paging.fromMax}'.`);
      }
      if (limit < paging.minLimit || limit > paging.maxLimit) {
        return unprocessable('limit', 'invalid', `The value passed for field 'limit' exceeds the range of '${paging.minLimit}-${paging.maxLimit}'.`);
      }
    }

    const weight = route.weight(from);
    if (!this.credits.take(weight)) {
      return {
        ...zohoError(429, 'THRESHOLD_EXCEEDED', 'The daily API credit limit of this portal has been exceeded.'),
        headers: { 'Retry-After': String(this.credits.secondsUntilReset()) },
      };
    }
    const charged = { 'X-Rate-Limit-Request-Weight-v3': String(weight) };
    const result = route.produce({ portal: this.portal, params, query, now: this.clock.now() });
    if (result.kind === 'not-found') return { ...zohoError(404, 'URL_NOT_FOUND', result.message), headers: charged };
    if (result.kind === 'file') return { status: 200, bytes: result.bytes, headers: { ...charged, 'content-type': result.contentType } };
    if (result.kind === 'object') {
      const { count: _count, ...withoutCount } = result.body;
      return { status: 200, json: quirk?.kind === 'no-count' ? withoutCount : result.body, headers: charged };
    }

    // 1-based endpoints read from=0 as 1: both start at the first record.
    const start = route.paging && quirk?.kind !== 'ignores-from' ? Math.max(0, from - route.paging.base) : 0;
    const slice = result.items.slice(start, start + limit + (quirk?.kind === 'extra-records' ? 1 : 0));
    if (slice.length === 0 && !result.emptyAsData) return { status: 204, headers: charged };
    const rendered =
      quirk?.kind === 'not-objects'
        ? [1, 'two', ...slice.slice(2)]
        : slice.map((item) => {
            const record = result.render(item as never) as Record<string, unknown>;
            if (quirk?.kind !== 'no-modified-time') return record;
            const { modifiedTime: _modifiedTime, ...rest } = record;
            return rest;
          });
    const body: Record<string, unknown> = { [route.responseKey]: rendered };
    if (result.withCount) body.count = result.items.length;
    return { status: 200, json: body, headers: charged };
  }

  /** Zoho rejects anything the endpoint does not declare, and checks types, enums and ranges. */
  private validate(route: SimRoute, query: URLSearchParams): SimAnswer | undefined {
    for (const name of new Set(query.keys())) {
      if (!route.declared.includes(name)) {
        return unprocessable(name, 'invalid', `Extra query parameter '${name}' is present in the input.`);
      }
      const value = query.get(name) ?? '';
      const allowed = route.enums[name];
      if (allowed && !allowed.includes(value)) {
        return unprocessable(name, 'invalid', `The value passed for field '${name}' is not one of ${allowed.join(', ')}.`);
      }
      if (RANGE_PARAMS.has(name) && !parseRange(value)) {
        return unprocessable(name, 'invalid', `The value passed for field '${name}' must be 'yyyy-MM-ddThh:mm:ss.SSSZ,yyyy-MM-ddThh:mm:ss.SSSZ'.`);
      }
      if (ID_PARAMS.has(name) && !/^\d+$/.test(value)) {
        return unprocessable(name, 'invalid', `The value passed for field '${name}' is invalid.`);
      }
      if (name === 'department' && value !== 'allDepartment' && !/^\d+$/.test(value)) {
        return unprocessable(name, 'invalid', "The value passed for field 'department' is invalid.");
      }
    }
    for (const name of route.required) {
      if (!query.has(name)) return unprocessable(name, 'missing', `The field '${name}' is required.`);
    }
    return undefined;
  }
}
