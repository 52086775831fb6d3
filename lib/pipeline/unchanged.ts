import { createHash } from 'node:crypto';
import pLimit from 'p-limit';
import type { ObjectStore } from '../ports.js';
import { recordKey, type ReportDefinition } from '../reports/catalog.js';
import type { DeskRecord } from '../zoho/desk-client.js';
import type { Receipt } from './records.js';

/**
 * Storage that grows with what changed. A report read in full every run (the queue, agents, ratings) and the
 * reconcile's daily full read of a report of changes (tickets, contacts) hold mostly records stored already:
 * finalizing keeps, per record key, the content hash of the last read, and drops from this run's pages the
 * records whose hash it already holds. The latest views are unchanged by it: the stored version is the same
 * record, and a record that left and came back is not in the last read, so it is stored again (its tombstone
 * is older than it). The receipts keep every key read, so deletions are still seen.
 */

/** Reports whose last read is kept as one list of keys with hashes: not per parent (too many), not a deletion feed. */
export const hashedReport = (report: Pick<ReportDefinition, 'current' | 'deletionFeed'>) => report.current !== 'per-parent' && !report.deletionFeed;

/** A record's content, hashed short (48 bits: a false "unchanged" needs two versions of one record to collide): as its page line holds it. */
export function recordHash(record: DeskRecord): string {
  return createHash('sha256').update(JSON.stringify(record)).digest('base64url').slice(0, 8);
}

/** A receipt's hash once finalized: the record was unchanged, its hash is the one the state held before the run. */
const SAME = '';

/** The receipt's keys with their hashes, where it has both for every record. */
function hashedIds(receipt: Receipt): Array<[string, string]> {
  const { ids, hashes } = receipt;
  if (receipt.status !== 'written' || !ids || !hashes || hashes.length !== ids.length) return [];
  return ids.map((id, i) => [id, hashes[i] as string]);
}

const unchangedSince = (before: Readonly<Record<string, string>>, id: string, hash: string) => hash === SAME || before[id] === hash;

/** Per page object, the keys of its records whose content the last read (`before`) holds already. */
export function unchangedOnPages(receipts: readonly Receipt[], before: Readonly<Record<string, string>>): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const receipt of receipts) {
    if (!receipt.key) continue;
    const same = hashedIds(receipt).filter(([id, hash]) => unchangedSince(before, id, hash));
    if (same.length) out.set(receipt.key, new Set(same.map(([id]) => id)));
  }
  return out;
}

/** How many of the records read were unchanged since the last read (`before`). */
export function unchangedCount(receipts: readonly Receipt[], before: Readonly<Record<string, string>>): number {
  let count = 0;
  for (const receipt of receipts) for (const [id, hash] of hashedIds(receipt)) if (unchangedSince(before, id, hash)) count += 1;
  return count;
}

/**
 * The receipts as they are kept once the run is finalized: an unchanged record's hash is the state's from
 * before the run (kept in it for finalizing again), so the receipt says only that, not the hash again.
 */
export function slimmed(receipts: readonly Receipt[], before: Readonly<Record<string, string>>): Receipt[] {
  return receipts.map((receipt) => {
    const pairs = hashedIds(receipt);
    return pairs.length ? { ...receipt, hashes: pairs.map(([id, hash]) => (unchangedSince(before, id, hash) ? SAME : hash)) } : receipt;
  });
}

/** The hashes after the run: those before, with this run's records, of the keys the report's state still holds. */
export function hashesAfter(
  before: Readonly<Record<string, string>>,
  receipts: readonly Receipt[],
  held: ReadonlySet<string>,
): Record<string, string> {
  const next = new Map(Object.entries(before));
  for (const receipt of receipts) for (const [id, hash] of hashedIds(receipt)) if (hash !== SAME) next.set(id, hash);
  return Object.fromEntries([...next].filter(([id]) => held.has(id)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Drops the unchanged records from the run's pages: each page rewritten without them, or removed when none is
 * left. A page dropped from already (finalized again) is left as it is. Returns the lines dropped now.
 */
export async function dropUnchanged(
  store: ObjectStore,
  report: ReportDefinition,
  unchanged: ReadonlyMap<string, ReadonlySet<string>>,
  options: { expiring?: true } = {},
): Promise<number> {
  const limit = pLimit(16);
  const dropped = await Promise.all(
    [...unchanged].map(([key, ids]) =>
      limit(async () => {
        const text = await store.get(key);
        if (text === undefined) return 0;
        const lines = text.split('\n').filter(Boolean);
        const kept = lines.filter((line) => !ids.has(keyOfLine(report, line) ?? ''));
        if (kept.length === lines.length) return 0;
        if (kept.length === 0) await store.delete([key]);
        else await store.put(key, `${kept.join('\n')}\n`, 'application/x-ndjson', options);
        return lines.length - kept.length;
      }),
    ),
  );
  return dropped.reduce((a, b) => a + b, 0);
}

/** A page line's record key; none for a line that is not a record (kept as it is). */
function keyOfLine(report: ReportDefinition, line: string): string | undefined {
  try {
    const record = JSON.parse(line) as unknown;
    return record && typeof record === 'object' && !Array.isArray(record) ? recordKey(report, record as DeskRecord) : undefined;
  } catch {
    return undefined;
  }
}
