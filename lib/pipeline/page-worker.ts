import { createHash } from 'node:crypto';
import { InvalidMessageError, ReportUnavailableError, ZohoRejectedError } from '../errors.js';
import { COUNTED } from '../reports/kit.js';
import { copyFiles } from './attachment-files.js';
import { readWhole } from './whole-records.js';
import { warnTo } from './records.js';
import { olderThanSince, readPastSince, recordKey } from '../reports/catalog.js';
import { routeTarget } from '../reports/route.js';
import type { DeskEndpoint } from '../zoho/endpoints.js';
import { describeEndpoint, endpoint as endpointOf } from '../zoho/endpoints.js';
import type { DeskClient, DeskRecord, PageRequest } from '../zoho/desk-client.js';
import { checkRunTime } from './cursor.js';
import type { PipelineDeps } from './deps.js';
import { newRunId, receiptKey } from './keys.js';
import { readJson } from './manifest.js';
import { parseMessage, queuedPage, tooLargeForQueue, type PageMessage } from './messages.js';
import { continuePlanning } from './plan-continuation.js';
import { planRun } from './planner.js';
import { keyOf, scopeOf, writeReceipt, type Receipt } from './receipts.js';
import { hashedReport, recordHash } from './unchanged.js';
import { depthReason } from './depth.js';
import { seekNext, unread } from './seek.js';
import { reportOf, sourceOfMessage } from '../reports/sources.js';

export type Outcome =
  | { kind: 'written'; runId: string; report: string; records: number; credits: number; key: string }
  | { kind: 'unavailable'; runId: string; report: string; reason: string }
  | { kind: 'planned'; runId: string; planned: Record<string, number> }
  /** a plan message with nothing to do: a repeated delivery */
  | { kind: 'skipped'; runId: string; reason: string };

interface PageCall {
  target: DeskEndpoint;
  request: Pick<PageRequest, 'path' | 'query'>;
  keep: ((record: DeskRecord) => boolean) | undefined;
}

function pageCall(message: PageMessage): PageCall {
  const source = sourceOfMessage(message);
  if (source.kind === 'route') {
    const { limit: _pageSize, ...query } = message.params;
    const { endpoint, path } = routeTarget(source.route, Object.keys(query));
    return { target: endpoint, request: { ...(path ? { path } : {}), query }, keep: undefined };
  }
  const { report } = source;
  const { endpoint, ...request } = report.request(message.params);
  return { target: endpointOf(endpoint), request, keep: report.keep };
}

/**
 * The consumer's core: one queue message in, one outcome out. A page message fetches exactly that page and
 * writes it as JSON Lines (Zoho's records, one per line) under its deterministic key, so a redelivered page
 * overwrites itself. An on-demand message is planned into page messages; a plan message plans the next part
 * of a run's planning. Failures are thrown, typed.
 */
export async function handleMessage(body: string, deps: PipelineDeps): Promise<Outcome> {
  const message = parseMessage(body, { secretPrefix: deps.secretPrefix });
  if (message.kind === 'on-demand') {
    const runId = newRunId(deps.clock.now());
    const { kind: _kind, ...target } = message;
    const result = await planRun(
      { runId, targets: [target], ...(message.secretId ? { secretId: message.secretId } : {}), trigger: 'on-demand' },
      deps,
    );
    return { kind: 'planned', runId, planned: result.planned };
  }
  checkRunTime(message.runId, deps.clock.now());
  if (message.kind === 'plan') {
    const continued = await continuePlanning(message, deps);
    return continued.kind === 'skipped' ? continued : { kind: 'planned', runId: continued.runId, planned: continued.planned };
  }
  return fetchPage(message, deps);
}

async function fetchPage(planned: PageMessage, deps: PipelineDeps): Promise<Outcome> {
  const zoho = await deps.zoho(planned.secretId);
  const message = ofPortal(planned, zoho.secret.org_id);
  const { target, request, keep } = pageCall(message);
  let page;
  try {
    page = countedNone(message)
      ? { records: [], last: true, weight: 0 }
      : await zoho.desk.page(target, { ...request, from: message.from, limit: message.limit });
  } catch (error) {
    const gone = await parentGone(error, message, zoho.desk);
    if (gone) {
      // The ticket (call) was deleted after the run found it: an empty read of it, rather than a page in the
      // dead-letter queue forever. Its records leave the latest views with it, once it is tombstoned.
      page = { records: [], last: true, weight: gone.weight, parentGone: true };
    } else if (error instanceof ReportUnavailableError) {
      // Remembered, as the edition's answer is: the edition lacks it, or the portal does not serve a route outside the OAS.
      const cause = error.licence ? ('edition' as const) : target.unconfirmed ? ('route' as const) : undefined;
      await writeReceipt(deps.store, message, 'unavailable', { reason: error.message, ...(cause ? { cause } : {}) });
      deps.events?.({ type: 'page', runId: message.runId, report: message.report, outcome: 'unavailable', records: 0, credits: 0 });
      return { kind: 'unavailable', runId: message.runId, report: message.report, reason: error.message };
    } else {
      throw error;
    }
  }
  const fingerprint = pageFingerprint(page.records);
  if (message.prev !== undefined && page.records.length > 0 && message.prev === fingerprint) {
    throw new ZohoRejectedError(
      `${describeEndpoint(target)} answered page ${message.page} with the very records of page ${message.page - 1}: Zoho ignored \`from\`, ` +
        'so the report stops here instead of reading the same page forever.',
      { request: describeEndpoint(target) },
    );
  }
  const report = reportOf(message);
  const more = !page.last && !(report && readPastSince(report, message.params, page.records));
  if (message.chain && more) await enqueueSuccessor(message, target, page.records, fingerprint, deps);
  const fresh = unread(page.records, message.skip);
  // A newest-first list (the recycle bin) keeps only what is newer than where the last run reached.
  const recent = report?.newestFirst ? fresh.filter((record) => !olderThanSince(report, message.params, record)) : fresh;
  const kept = keep ? recent.filter(keep) : recent;
  const key = keyOf(message);
  // Read whole (threads in full): each listed record not read whole before, one call each (whole-records.ts).
  const whole =
    report?.whole && !('parentGone' in page) ? await readWhole(deps.store, zoho.desk, report, message, key, kept, warnTo(deps.logger)) : undefined;
  const records = whole?.records ?? kept;
  // Attachments: their files, before the page, so a download that fails leaves the page to be read again. Their
  // calls are not in the receipt's credits: a page retried after copying some would count fewer, and a receipt is
  // the same whichever attempt writes it.
  if (report?.files) await copyFiles(deps.store, zoho.desk, message, report.files, records);
  const credits = page.weight + (whole?.weight ?? 0);
  // An empty page is recorded in its receipt (records: 0), not stored: no empty file, no folder for it.
  // A snapshot report's page may expire once old: every run reads the whole report again, compaction keeps the rest.
  const expiring = report?.current === 'snapshot' ? { expiring: true as const } : {};
  if (records.length) await deps.store.put(key, records.map((record) => `${JSON.stringify(record)}\n`).join(''), 'application/x-ndjson', expiring);
  await whole?.remember();
  // A gone parent's page holds no keys: its records are hidden with the ticket (call), and back if it is restored.
  // A page read whole names every record listed, the ones read whole earlier too.
  const ids = 'parentGone' in page ? {} : whole ? (whole.ids ? { ids: whole.ids } : {}) : idsOf(message, records);
  await writeReceipt(deps.store, message, 'written', { records: records.length, ...ids, credits });
  deps.events?.({ type: 'page', runId: message.runId, report: message.report, outcome: 'written', records: records.length, credits });
  return { kind: 'written', runId: message.runId, report: message.report, records: records.length, credits, key };
}

/**
 * The page as read from the portal its run was planned for. A secret pointed at another portal since would
 * read another portal's records into this run: the page is refused, with what to do. A page queued before
 * portals names none: it is the secret's.
 */
function ofPortal(message: PageMessage, secretOrg: string | undefined): PageMessage {
  if (message.orgId === undefined) return secretOrg ? { ...message, orgId: secretOrg } : message;
  if (secretOrg === message.orgId) return message;
  const secret = message.secretId ? `secret "${message.secretId}"` : "the deployment's secret";
  throw new InvalidMessageError(
    `run ${message.runId} was planned for portal ${message.orgId}, but ${secret} now names ${secretOrg ? `portal ${secretOrg}` : 'no portal (no org_id)'}: ` +
      `put org_id ${message.orgId} back in it and redrive this page, or leave the page in the dead-letter queue (the run's next schedule reads the other portal on its own)`,
  );
}

/**
 * A full page of a chain: plan the next one, by offset — or, for a page of a time window, from the time it
 * reached (keyset paging, seek.ts). Once planned, the next page is the one its receipt holds: a redelivery of
 * this page sends that very message again (if it was lost) rather than one computed from data changed since.
 * Past Zoho's depth limit there is no next call to make: the next page is recorded as failed, with what to do.
 */
async function enqueueSuccessor(
  message: PageMessage,
  target: DeskEndpoint,
  records: DeskRecord[],
  fingerprint: string,
  deps: PipelineDeps,
): Promise<void> {
  const next = successor(message, target, records, fingerprint);
  const existing = await readJson<Receipt>(deps.store, receiptKey(next.report, next.runId, scopeOf(next), next.page));
  if (existing && existing.status !== 'planned') return;
  if (existing?.body) {
    await deps.queue.send([{ ...queuedPage(next), body: existing.body }]);
    return;
  }
  if (next.from > target.fromMax) {
    // A read of changes paged by offset (its records lacked modifiedTime) that reached the depth: what it did not
    // read holds the cursor, and the reconcile's full read (by createdTime) reads it; a list's depth is for good.
    const changes = message.params.since !== undefined && reportOf(message)?.changesSearch !== undefined;
    await writeReceipt(
      deps.store,
      next,
      'failed',
      changes
        ? {
            reason: `${depthReason(next, target).split(':')[0]}: more changes than the search pages through by offset; the cursor stays, and the next reconcile's full read reads them`,
          }
        : { reason: depthReason(next, target), cause: 'depth' },
    );
    deps.events?.({ type: 'planned', runId: next.runId, report: next.report, pages: 1 });
    deps.events?.({ type: 'dead-lettered', runId: next.runId, report: next.report, reason: "past Zoho's depth limit" });
    return;
  }
  const tooLarge = tooLargeForQueue(next);
  if (tooLarge) {
    await writeReceipt(deps.store, next, 'failed', { reason: tooLarge, cause: 'size' });
    return;
  }
  const queued = queuedPage(next);
  await writeReceipt(deps.store, next, 'planned', { body: queued.body });
  await deps.queue.send([queued]);
  deps.events?.({ type: 'planned', runId: next.runId, report: next.report, pages: 1 });
}

function successor(message: PageMessage, target: DeskEndpoint, records: DeskRecord[], fingerprint: string): PageMessage {
  const { skip: _skip, ...rest } = message;
  const next = { ...rest, page: message.page + 1, prev: fingerprint };
  const seek = reportOf(message)?.seek?.(message.params);
  if (!seek || (seek.lenient && records.some((record) => typeof record[seek.field] !== 'string')))
    return { ...next, from: message.from + message.limit };
  const position = seekNext(target, records, seek.field, { after: seek.after, from: message.from, skip: message.skip ?? [] }, message.limit);
  return { ...next, params: { ...message.params, after: position.after }, from: position.from, skip: position.skip };
}

/**
 * Whether a 404 for a parent's list (a ticket's threads, a call's comments) means the parent itself is gone: Zoho
 * answers 404 for a missing parent and for a missing scope alike, so the parent's search is asked (one call, only
 * after a 404). Its answer with no record is taken as "deleted"; anything else leaves the error as it was.
 */
async function parentGone(error: unknown, message: PageMessage, desk: DeskClient): Promise<{ weight: number } | undefined> {
  // An endpoint not in the OAS answers 404 as "unavailable" (desk-errors.ts): for one parent, it may be the parent gone.
  const refused = error instanceof ZohoRejectedError || (error instanceof ReportUnavailableError && !error.licence);
  if (!refused || error.status !== 404) return undefined;
  const parent = reportOf(message)?.parent;
  const id = parent?.changedBy ? message.params[parent.param] : undefined;
  if (!parent?.changedBy || !id) return undefined;
  try {
    const found = await desk.page(endpointOf(parent.changedBy), { query: { id }, from: 0, limit: 1 });
    return found.records.length === 0 ? { weight: found.weight } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The keys of a report page's records, for finalizing to see what left the report; none when one lacks its key.
 * With them, where the report's state is one list of keys, each record's content hash: finalizing drops from the
 * page what the last read stored already (unchanged.ts).
 */
function idsOf(message: PageMessage, records: DeskRecord[]): { ids?: string[]; hashes?: string[] } {
  const report = reportOf(message);
  if (!report) return {};
  const parentId = report.parent ? message.params[report.parent.param] : undefined;
  const ids = records.map((record) => recordKey(report, record, parentId));
  if (!ids.every((id): id is string => id !== undefined)) return {};
  return hashedReport(report) ? { ids, hashes: records.map(recordHash) } : { ids };
}

/** The ids of a page (the records themselves where there are none), hashed short: enough to tell two pages apart. */
export function pageFingerprint(records: ReadonlyArray<Record<string, unknown>>): string {
  const parts = records.map((record) => (typeof record.id === 'string' ? record.id : JSON.stringify(record)));
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 16);
}

/**
 * A page that will not be tried again: its receipt says dead-lettered, with the reason, so the manifest
 * shows it. Messages that are not valid pages have no receipt; the dead-letter queue keeps them.
 */
export async function recordDeadLetter(body: string, reason: string, deps: PipelineDeps): Promise<void> {
  let message;
  try {
    message = parseMessage(body, { secretPrefix: deps.secretPrefix });
  } catch (error) {
    if (error instanceof InvalidMessageError) return;
    throw error;
  }
  if (message.kind !== 'page') return;
  await writeReceipt(deps.store, message, 'dead-lettered', { reason });
}

/** A page of a parent that counts none of the report's records (ticket-children.ts): empty, without a call. */
function countedNone(message: PageMessage): boolean {
  return message.params[COUNTED.name] === '0' && reportOf(message)?.countedOnParent !== undefined && message.page === 1;
}
