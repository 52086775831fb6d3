import { gunzipSync, gzipSync } from 'node:zlib';
import pLimit from 'p-limit';
import type { ObjectStore } from '../ports.js';
import { findReport } from '../reports/catalog.js';
import { routeParamsScope, routeScope } from '../reports/route.js';
import {
  FOLDED_SUFFIX,
  foldedReceiptsKey,
  foldedReceiptsPrefix,
  pageKey,
  plainFoldedReceiptsKey,
  plannedBatchKey,
  plannedBatchPrefix,
  receiptKey,
  receiptPrefix,
  SCOPE_SEPARATOR,
} from './keys.js';
import type { PageMessage } from './messages.js';
import { receiptSchema, type PageStatus, type Receipt } from './records.js';
import { isRoute } from '../reports/sources.js';

export type { PageStatus, Receipt } from './records.js';

/**
 * One small object per page says what became of it: planned, written, dead-lettered, failed or unavailable.
 * Each page's receipt is written only by whoever handles that page, so concurrent workers never overwrite
 * each other's news; run manifests are derived from the receipts.
 */

/** The folder part of a page's key: "ticket=…/", "route=tickets.…/", or "" for plain reports. */
export function scopeOf(message: Pick<PageMessage, 'report' | 'route' | 'params'>): string {
  if (isRoute(message)) return `${routeScope(message.route ?? '/')}${routeParamsScope(message.params)}`;
  const report = findReport(message.report);
  if (report?.scope) return report.scope(message.params);
  const parent = report?.parent && message.params[report.parent.param];
  // A fanned-out report without its parent (one that could not be planned) has a report-wide scope.
  return report?.parent && parent ? `${report.parent.scope}=${parent}/` : '';
}

/** Where a page is stored: under its portal's folder (none on a page queued before portals). */
export function keyOf(message: PageMessage): string {
  return pageKey(message.report, message.runId, message.orgId, scopeOf(message), message.page);
}

/** A page as planned, not yet handled. */
export function plannedReceipt(message: PageMessage): Receipt {
  return { report: message.report, runId: message.runId, scope: scopeOf(message), page: message.page, status: 'planned' };
}

/**
 * The planned receipts of pages queued together, in one object: a planner writes one object per batch, not
 * one per page (a first run plans a page per ticket per report); each page's own receipt supersedes its line.
 */
export async function writePlannedBatch(store: ObjectStore, runId: string, batch: number, messages: readonly PageMessage[]): Promise<void> {
  const lines = messages.map((message) => `${JSON.stringify(plannedReceipt(message))}\n`).join('');
  await store.put(plannedBatchKey(runId, batch), lines, 'application/x-ndjson');
}

export async function writeReceipt(
  store: ObjectStore,
  message: PageMessage,
  status: PageStatus,
  details: Pick<Receipt, 'records' | 'ids' | 'hashes' | 'credits' | 'reason' | 'body' | 'cause'> = {},
): Promise<void> {
  const scope = scopeOf(message);
  const receipt: Receipt = { report: message.report, runId: message.runId, scope, page: message.page, status, ...details };
  if (status === 'written' && (details.records ?? 1) > 0) receipt.key = keyOf(message);
  await store.put(receiptKey(message.report, message.runId, scope, message.page), `${JSON.stringify(receipt)}\n`, 'application/json');
}

/** The receipts of a run: those planned, those folded when it was finalized, and page receipts written since. */
export async function readReceipts(store: ObjectStore, runId: string): Promise<Receipt[]> {
  const run = await RunReceipts.open(store, runId);
  const receipts: Receipt[] = [];
  for (const report of run.reports) receipts.push(...(await run.of(report)));
  return receipts;
}

/** Page receipts read at once (32 at a time) before their results are kept. */
const READ_CHUNK = 1_000;

// Joined: a flat string (a template's parts would each be kept), one per page of the report being read.
const identity = (r: Pick<Receipt, 'scope' | 'page'>) => [r.scope, r.page].join('\u0000');

function parseReceipt(text: string): Receipt | undefined {
  try {
    const parsed = receiptSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

const byReport = <T>(map: Map<string, T[]>, report: string, item: T) => {
  const list = map.get(report);
  if (list) list.push(item);
  else map.set(report, [item]);
};

/**
 * Where a run's receipts are, read a report at a time (a first run over a large portal has hundreds of
 * thousands): the planner's batches, the folded object of each report, each page's own receipt. Newer news
 * wins: planned, then folded, then the page's own receipt. Only the names of the objects are kept between
 * reports; a report's receipts are read when asked for.
 */
export class RunReceipts {
  /** the page receipts (keys) of the report read last: removed once it is folded */
  private listed: { report: string; keys: string[] } | undefined;

  private constructor(
    private readonly store: ObjectStore,
    private readonly runId: string,
    /** per report, the planner's batches that hold its pages */
    private readonly planned: Map<string, string[]>,
    private readonly folded: Set<string>,
    /** the reports with page receipts */
    private readonly withPages: Set<string>,
    /** the planner's batch objects, removed once every report of the run is folded */
    readonly batches: string[],
  ) {}

  /** Whether the report has news not yet in its folded object: page receipts, or only planned ones. */
  unfolded(report: string): boolean {
    return this.withPages.has(report) || (this.planned.has(report) && !this.folded.has(report));
  }

  /** The report's page receipts (keys), removed once they are folded. */
  async pageReceiptsOf(report: string): Promise<string[]> {
    if (this.listed?.report !== report) this.listed = { report, keys: await this.pageKeys(report) };
    return this.listed.keys;
  }

  static async open(store: ObjectStore, runId: string): Promise<RunReceipts> {
    const planned = new Map<string, string[]>();
    const batches = await store.list(plannedBatchPrefix(runId));
    for (const key of batches) {
      const reports = new Set(lines(await store.get(key)).map(reportNamedIn));
      for (const report of reports) byReport(planned, report, key);
    }
    const foldedPrefix = foldedReceiptsPrefix(runId);
    const folded = new Set(
      (await store.list(foldedPrefix)).map((key) =>
        key
          .slice(foldedPrefix.length)
          .replace(FOLDED_SUFFIX, '')
          .replace(/\.jsonl$/, ''),
      ),
    );
    const withPages = new Set(await store.folders(receiptPrefix(runId)));
    return new RunReceipts(store, runId, planned, folded, withPages, batches);
  }

  /** Every report the run has a receipt of, in order. */
  get reports(): string[] {
    return [...new Set([...this.planned.keys(), ...this.folded, ...this.withPages])].sort();
  }

  async of(report: string): Promise<Receipt[]> {
    const byPage = new Map<string, Receipt>();
    // One string for the run and the report in every receipt kept, not one each (a report can have 100,000);
    // a page's key only where finalizing reads the page back (the recycle bin, a page with unchanged records
    // to drop): it follows from the rest.
    const withKey = Boolean(findReport(report)?.deletionFeed);
    const keep = (receipt: Receipt) => {
      const { report: _report, runId: _runId, key, ...rest } = receipt;
      byPage.set(identity(receipt), { report, runId: this.runId, ...rest, ...((withKey || rest.hashes) && key ? { key } : {}) });
    };
    for (const key of this.planned.get(report) ?? []) {
      for (const line of lines(await this.store.get(key))) if (reportNamedIn(line) === report) keep(receiptOfLine(line, this.runId));
    }
    if (this.folded.has(report)) {
      for (const receipt of await readFolded(this.store, this.runId, report)) keep(receipt);
    }
    const limit = pLimit(32); // many small reads at once: S3 and the disk both answer faster in parallel
    const read = async (key: string): Promise<Receipt | undefined> => {
      const text = await this.store.get(key);
      if (text === undefined) return undefined;
      // A receipt cut short or edited cannot be trusted: count its page as still pending.
      return parseReceipt(text) ?? { ...receiptFromKey(key, this.runId), status: 'planned', reason: 'unreadable receipt' };
    };
    // A chunk at a time: a report of a first run has a receipt per ticket, and reading them all at once would
    // hold every text, promise and parse of them together.
    const keys = await this.pageReceiptsOf(report);
    for (let start = 0; start < keys.length; start += READ_CHUNK) {
      for (const receipt of await Promise.all(keys.slice(start, start + READ_CHUNK).map((key) => limit(() => read(key))))) {
        if (receipt) keep(receipt);
      }
    }
    return [...byPage.values()];
  }

  private async pageKeys(report: string): Promise<string[]> {
    return this.withPages.has(report) ? this.store.list(`${receiptPrefix(this.runId)}${report}/`) : [];
  }
}

const lines = (text: string | undefined) => (text ?? '').split('\n').filter(Boolean);

/** The report a line of receipts is about, read from its text (receipts are written report first). */
const reportNamedIn = (line: string) => /^\{"report":"([^"\\]+)"/.exec(line)?.[1] ?? UNREADABLE;

const UNREADABLE = 'unreadable-receipts';

const receiptOfLine = (line: string, runId: string) => parseReceipt(line) ?? namedIn(line, runId);

/** The receipts of an object of lines; a line edited past reading counts its page as pending when it can be named. */
function receiptLines(text: string | undefined, runId: string): Receipt[] {
  return lines(text).map((line) => receiptOfLine(line, runId));
}

/**
 * The page a folded line was about, read from its text (receipts are written report, runId, scope, page first),
 * as pending; a line that does not even name its report still keeps the run from looking complete.
 */
function namedIn(line: string, runId: string): Receipt {
  const report = reportNamedIn(line);
  const scope = /"scope":"([^"\\]*)"/.exec(line)?.[1] ?? '';
  const page = Number(/"page":(\d+)/.exec(line)?.[1] ?? 0);
  return { report, runId, scope, page, status: 'planned', reason: 'unreadable receipt' };
}

/**
 * Folds one settled report of a run: its receipts in one object (half of an export's files were receipts). Its
 * page receipts are removed after, and the planner's batches once every report is folded, so a fold cut short
 * leaves both, and reading prefers the page's own receipt.
 */
export async function foldReport(store: ObjectStore, runId: string, report: string, receipts: readonly Receipt[]): Promise<void> {
  const sorted = [...receipts].sort((a, b) => a.scope.localeCompare(b.scope) || a.page - b.page);
  const text = sorted.map((receipt) => `${JSON.stringify(receipt)}\n`).join('');
  await store.put(foldedReceiptsKey(runId, report), gzipSync(text), 'application/gzip');
  // A run finalized again after an upgrade: its receipts now live in the one object.
  await store.delete([plainFoldedReceiptsKey(runId, report)]);
}

/**
 * A report's folded receipts: the gzipped object, or the plain one of a run finalized before. An object that does
 * not unzip cannot say which pages were written: the report counts as having a page still pending.
 */
async function readFolded(store: ObjectStore, runId: string, report: string): Promise<Receipt[]> {
  const zipped = await store.getBytes(foldedReceiptsKey(runId, report));
  if (zipped === undefined) return receiptLines(await store.get(plainFoldedReceiptsKey(runId, report)), runId);
  let text: string;
  try {
    text = gunzipSync(zipped).toString('utf8');
  } catch {
    return [{ report, runId, scope: '', page: 0, status: 'planned', reason: 'unreadable receipts' }];
  }
  return receiptLines(text, runId);
}

function receiptFromKey(key: string, runId: string): Pick<Receipt, 'report' | 'runId' | 'scope' | 'page'> {
  const rest = key.slice(receiptPrefix(runId).length);
  const report = rest.slice(0, rest.indexOf('/'));
  const name = rest.slice(rest.lastIndexOf('/') + 1);
  // The scope flattened into the name (keys.ts), or, in receipts written before, the folders above it.
  const flattened = name.slice(0, name.lastIndexOf('page-')).replaceAll(SCOPE_SEPARATOR, '/');
  const scope = rest.slice(report.length + 1, rest.length - name.length) + flattened;
  return { report, runId, scope, page: Number(/page-(\d+)/.exec(name)?.[1] ?? 0) };
}
