import * as z from 'zod';
import type { QueueMessage } from '../ports.js';
import { InvalidMessageError } from '../errors.js';
import { findReport, REPORT_IDS, type ReportDefinition } from '../reports/catalog.js';
import { parseParams } from '../reports/params.js';
import { parseRoute, parseRouteParams, routeTarget } from '../reports/route.js';
import { closestName } from '../reports/suggest.js';
import { endpoint as endpointOf } from '../zoho/endpoints.js';
import { RUN_ID } from './keys.js';
import { MAX_TIES } from './seek.js';
import { isRoute, reportOf, ROUTE_TARGET } from '../reports/sources.js';

/**
 * Messages on the work queue (design.md §3), validated once, at the edge, with a reason that names the field.
 *
 *   on demand:  { "report": "threads", "params": { "ticketId": "…" }, "secretId": "zoho_auth_eu" }
 *               { "route": "/tickets/…/threads", "params": { "limit": "50" } }
 *   one page:   { "v": 1, "runId": "…", "report": "tickets", "params": {}, "page": 3, "from": 201, "limit": 100, "chain": false }
 *   planning:   { "kind": "plan", "v": 1, "runId": "…", "part": 2 }
 *
 * An on-demand message is planned into page messages when it is received; every page is its own message. A
 * plan message goes on with a run's planning where the part before it stopped (plan-continuation.ts).
 */

/** A Zoho org id: digits, kept as text (they exceed 2^53). */
export const ORG_ID = /^\d{1,25}$/;

/** SQS's limit for one message */
export const MAX_MESSAGE_BYTES = 256 * 1024;

export type { Target } from '../reports/sources.js';
import type { Target } from '../reports/sources.js';

export interface OnDemandMessage extends Target {
  kind: 'on-demand';
}

export interface PageMessage extends Target {
  kind: 'page';
  runId: string;
  page: number;
  from: number;
  limit: number;
  /** a full page enqueues its successor (where Zoho gives no count to plan from) */
  chain: boolean;
  /** on a chained page: a fingerprint of the page before it, so a server that ignores `from` is caught */
  prev?: string;
  /** on a page of a time window read by keyset: ids at its start time already read (seek.ts) */
  skip?: string[];
  /**
   * The portal (Zoho org) the run was planned for: the page is read only from that portal (its secret may have
   * been pointed at another since). Pages queued before portals had none.
   */
  orgId?: string;
}

/**
 * The next part of a run's planning, queued by the part before it when its invocation's time ran out. Everything
 * else (what the run asked for, its portal, how far it got) is in the run's record and checkpoint: a message
 * cannot point a run at another portal.
 */
export const planMessageSchema = z.strictObject({
  kind: z.literal('plan'),
  v: z.literal(1),
  runId: z.string().regex(RUN_ID, 'must look like 2026-11-24T12-00-00Z-4f2a'),
  /** the part of the planning this message runs: 2 for the first continuation */
  part: z.number().int().min(2).max(1_000_000),
});
export type PlanMessage = z.infer<typeof planMessageSchema>;

export type Message = OnDemandMessage | PageMessage | PlanMessage;

/** The JSON of a plan message. */
export const planMessageBody = (runId: string, part: number): string => JSON.stringify({ kind: 'plan', v: 1, runId, part } satisfies PlanMessage);

function parsePlanMessage(raw: Record<string, unknown>): PlanMessage {
  const parsed = planMessageSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.code === 'unrecognized_keys' ? `"${String(issue.keys[0]).slice(0, 40)}"` : issue?.path.join('.') || 'the message';
  const why = issue?.code === 'unrecognized_keys' ? 'is not a field of a plan message (kind, v, runId, part)' : issue?.message;
  throw new InvalidMessageError(`${field} ${why ?? 'is invalid'}`);
}

const ON_DEMAND_FIELDS = ['report', 'route', 'params', 'secretId'];
const PAGE_FIELDS = ['v', 'runId', 'page', 'from', 'limit', 'chain', 'prev', 'skip', 'orgId'];

function wholeNumber(raw: Record<string, unknown>, field: string, min: number, max: number): number {
  const value = raw[field];
  if (value === undefined) throw new InvalidMessageError(`${field} is missing (a page message needs v, runId, page, from and limit)`);
  if (typeof value !== 'number')
    throw new InvalidMessageError(
      `${field} must be a number, not ${typeof value === 'string' ? `the string "${value.slice(0, 20)}"` : typeof value}`,
    );
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidMessageError(`${field} must be a whole number from ${min} to ${max}, not ${value}`);
  }
  return value;
}

/** The page size a report's pages use, and the largest one a message may ask for. */
export function pageLimits(target: Target): { defaultLimit: number; maxLimit: number } {
  if (isRoute(target)) {
    const { endpoint, defaultLimit } = routeTarget(target.route ?? '/', Object.keys(target.params));
    return { defaultLimit: Number(target.params.limit ?? defaultLimit), maxLimit: endpoint.maxLimit };
  }
  const report = findReport(target.report) as ReportDefinition;
  const max = endpointOf(report.request(target.params).endpoint).maxLimit;
  return { defaultLimit: Math.min(max, report.pageSize ?? max), maxLimit: max };
}

export interface ParseOptions {
  /** secretId must start with this (the deployment's allowed prefix, also enforced by IAM) */
  secretPrefix: string;
}

/** Parses and checks one message body; throws InvalidMessageError naming the field. */
export function parseMessage(body: string, options: ParseOptions): Message {
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes > MAX_MESSAGE_BYTES) throw new InvalidMessageError(`the message is ${bytes} bytes; the limit is ${MAX_MESSAGE_BYTES} (256 KiB)`);
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch (error) {
    throw new InvalidMessageError(`the message is not JSON (${(error as Error).message})`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new InvalidMessageError('the message must be a JSON object');
  const fields = raw as Record<string, unknown>;
  if ('kind' in fields) {
    if (fields.kind !== 'plan') throw new InvalidMessageError('kind must be "plan" (the only message that names its kind)');
    return parsePlanMessage(fields);
  }
  const isPage = PAGE_FIELDS.some((f) => f in fields);
  for (const field of Object.keys(fields)) {
    if (!ON_DEMAND_FIELDS.includes(field) && !PAGE_FIELDS.includes(field)) {
      throw new InvalidMessageError(`"${field.slice(0, 40)}" is not a message field (fields: ${[...ON_DEMAND_FIELDS, ...PAGE_FIELDS].join(', ')})`);
    }
  }
  const target = parseTarget(fields, options, isPage);
  if (!isPage) return { kind: 'on-demand', ...target };

  if (fields.v !== 1) throw new InvalidMessageError(`v must be 1, not ${JSON.stringify(fields.v) ?? 'missing'}`);
  if (typeof fields.runId !== 'string' || !RUN_ID.test(fields.runId)) {
    throw new InvalidMessageError('runId must look like 2026-11-24T12-00-00Z-4f2a');
  }
  const { maxLimit } = pageLimits(target);
  const message: PageMessage = {
    kind: 'page',
    ...target,
    runId: fields.runId,
    page: wholeNumber(fields, 'page', 1, 1_000_000),
    from: wholeNumber(fields, 'from', 0, 100_000_000),
    limit: wholeNumber(fields, 'limit', 1, maxLimit),
    chain: fields.chain === undefined ? false : Boolean(fields.chain),
  };
  if (fields.chain !== undefined && typeof fields.chain !== 'boolean') throw new InvalidMessageError('chain must be true or false');
  if (fields.prev !== undefined) {
    if (typeof fields.prev !== 'string' || !/^[0-9a-f]{16}$/.test(fields.prev)) throw new InvalidMessageError('prev must be 16 hexadecimal digits');
    message.prev = fields.prev;
  }
  if (fields.skip !== undefined) {
    const skip = fields.skip;
    if (!Array.isArray(skip) || skip.length > MAX_TIES || !skip.every((id) => typeof id === 'string' && /^(\d{1,25}|#\d{1,4})$/.test(id))) {
      throw new InvalidMessageError(`skip must be a list of at most ${MAX_TIES} Zoho ids (strings)`);
    }
    message.skip = skip as string[];
  }
  if (fields.orgId !== undefined) {
    if (typeof fields.orgId !== 'string' || !ORG_ID.test(fields.orgId))
      throw new InvalidMessageError('orgId must be a Zoho org id (digits, as a string)');
    message.orgId = fields.orgId;
  }
  const report = findReport(target.report);
  if (report?.parent && !target.params[report.parent.param]) {
    throw new InvalidMessageError(`params.${report.parent.param} is required on a page of report ${report.id}`);
  }
  if (target.params.createdFrom && !target.params.createdTo) {
    throw new InvalidMessageError('params.createdTo is required with params.createdFrom on a page message, so every page reads the same window');
  }
  // A newest-first list (the recycle bin) has no window: `since` is only where it stops.
  if (target.params.since && !target.params.until && !report?.newestFirst) {
    throw new InvalidMessageError('params.until is required with params.since on a page message, so every page reads the same window');
  }
  return message;
}

function parseTarget(fields: Record<string, unknown>, options: ParseOptions, isPage: boolean): Target {
  const secretId = parseSecretId(fields.secretId, options.secretPrefix);
  const withSecret = <T extends object>(t: T) => (secretId === undefined ? t : { ...t, secretId });
  if (fields.report !== undefined && fields.route !== undefined && fields.report !== ROUTE_TARGET) {
    throw new InvalidMessageError('give either "report" or "route", not both');
  }
  if (fields.route !== undefined || fields.report === ROUTE_TARGET) {
    const route = parseRoute(fields.route);
    return withSecret({ report: ROUTE_TARGET, route, params: parseRouteParams(route, fields.params) });
  }
  if (fields.report === undefined) throw new InvalidMessageError('the message needs "report" (a report id) or "route" (a Desk path)');
  if (typeof fields.report !== 'string') throw new InvalidMessageError('report must be a string');
  const report = findReport(fields.report);
  if (!report) {
    const typed = fields.report.slice(0, 40);
    const closest = closestName(typed, REPORT_IDS);
    const hint = closest ? `; did you mean "${closest}"?` : '';
    throw new InvalidMessageError(`report "${typed}" does not exist${hint} (reports: ${REPORT_IDS.join(', ')}, or use "route")`);
  }
  return withSecret({ report: report.id, params: parseParams(report.id, report.params, fields.params, isPage) });
}

function parseSecretId(value: unknown, prefix: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^[A-Za-z0-9_+=.@/-]{1,512}$/.test(value)) {
    throw new InvalidMessageError('secretId must be a secret name of letters, digits and _+=.@/-');
  }
  if (!value.startsWith(prefix)) throw new InvalidMessageError(`secretId must start with "${prefix}", the prefix this deployment may read`);
  // Secrets Manager names may contain "/"; locally a secretId is a path under the secrets folder.
  if (value.startsWith('/') || value.split('/').some((segment) => segment === '.' || segment === '..')) {
    throw new InvalidMessageError('secretId must not start with "/" nor contain "." or ".." segments');
  }
  return value;
}

/** Why a page message cannot go on the queue (over SQS's limit), or undefined when it can. */
export function tooLargeForQueue(message: PageMessage): string | undefined {
  const bytes = Buffer.byteLength(pageMessageBody(message), 'utf8');
  return bytes > MAX_MESSAGE_BYTES
    ? `its queue message would be ${bytes} bytes, over SQS's ${MAX_MESSAGE_BYTES} (shorten the parameters)`
    : undefined;
}

/**
 * The queue group of a portal's messages: its secret's, so a queue takes each portal's pages in turn (the
 * deployment's own secret: no group).
 */
export const portalGroup = (secretId: string | undefined): { group?: string } => (secretId ? { group: secretId } : {});

/**
 * Whether a message body is a portal's (`portal`: its org id, or the secretId it names). A message that names
 * neither is the default secret's, so `defaultSecretId` picks those too; a body that is not JSON is no portal's.
 */
export function bodyOfPortal(body: string, portal: string, defaultSecretId?: string): boolean {
  let fields: { orgId?: unknown; secretId?: unknown };
  try {
    fields = JSON.parse(body) as typeof fields;
  } catch {
    return false;
  }
  if (fields === null || typeof fields !== 'object') return false;
  if (fields.orgId === portal || fields.secretId === portal) return true;
  return fields.secretId === undefined && portal === defaultSecretId;
}

/**
 * Which queue a message body belongs on, read leniently (it may be a dead-lettered invalid message): a part of a
 * planning (the plan queue), and the secretId it names (none: the default portal's).
 */
export function routingOfBody(body: string): { plan: boolean; secretId?: string } {
  try {
    const { kind, secretId } = JSON.parse(body) as { kind?: unknown; secretId?: unknown };
    return { plan: kind === 'plan', ...(typeof secretId === 'string' && { secretId }) };
  } catch {
    return { plan: false };
  }
}

/** A page message as it goes on the queue: its JSON, in its portal's group. */
/** A page as the queue takes it: its portal's group, and a report read first (tickets) ahead of the rest where it can. */
export const queuedPage = (message: PageMessage): QueueMessage => ({
  body: pageMessageBody(message),
  ...portalGroup(message.secretId),
  ...(reportOf(message)?.readFirst ? { first: true as const } : {}),
});

/** The JSON of a page message, fields in a fixed order. */
export function pageMessageBody(message: PageMessage): string {
  const { runId, report, route, params, page, from, limit, chain, prev, skip, secretId, orgId } = message;
  return JSON.stringify({
    v: 1,
    runId,
    report,
    ...(route ? { route } : {}),
    params,
    page,
    from,
    limit,
    chain,
    ...(prev ? { prev } : {}),
    ...(skip?.length ? { skip } : {}),
    ...(secretId ? { secretId } : {}),
    ...(orgId ? { orgId } : {}),
  });
}
