import { ConfigError } from '../errors.js';
import type { Logger, ObjectStore } from '../ports.js';
import type { DeskClient, DeskRecord } from '../zoho/desk-client.js';
import { FUTURE_CURSOR_TOLERANCE_MS } from './cursor.js';
import { stateKey } from './keys.js';
import type { Parent } from '../reports/catalog.js';
import { readChecked, reportStateSchema, type ReportState } from './records.js';
import { knownUnavailable } from './unavailable.js';
import { HISTORY_START } from './windows.js';

/** How far back of the last cursor a run looks again: Zoho's clocks and our own are not the same clock. */
export const CURSOR_OVERLAP_MS = 10 * 60_000;

/** How often a report that reads only changes (tickets) is read in full, to find what Zoho's recycle bin missed. */
export const DEFAULT_RECONCILE_MS = 24 * 3_600_000;

/** ZOHO_RECONCILE_HOURS: hours between full reads of the reports of changes (default 24; 0: every run). */
export function reconcileMsFrom(env: Record<string, string | undefined>): number | undefined {
  const text = env.ZOHO_RECONCILE_HOURS?.trim();
  if (!text) return undefined;
  const hours = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || hours > 24 * 366) {
    throw new ConfigError(`ZOHO_RECONCILE_HOURS must be a number of hours from 0 to 8784 (default 24), not "${text.slice(0, 20)}".`);
  }
  return Math.round(hours * 3_600_000);
}

/**
 * What a run needs to know before it can plan pages, found once per run: the parents of fanned-out reports
 * (the original project hard-coded an agent, a ticket and a department) and where each incremental report
 * left off. A user's parameter overrides discovery.
 */
export class Discovery {
  private readonly cache = new Map<string, Promise<DeskRecord[]>>();
  /** the reports this run reads in full (a first run, or the reconcile interval elapsed): their read is a snapshot */
  readonly fullReads = new Set<string>();
  /** of those, the ones read in full only to reconcile (not their first run): what delete detection costs */
  readonly reconciles = new Set<string>();

  constructor(
    readonly desk: DeskClient,
    private readonly store: ObjectStore,
    /** the run's start: the end of every "changed since" window */
    readonly startedAt: string,
    private readonly orgId: string | undefined,
    readonly logger: Logger,
    /** this machine's time when the run was planned */
    private readonly now: number = Date.parse(startedAt),
    /** where a warning for the person running it goes (the log and the run's output) */
    private readonly notify: (message: string) => void = (message) => logger.warn({}, message),
    /** how often a report of changes is read in full (ZOHO_RECONCILE_HOURS) */
    private readonly reconcileMs: number = DEFAULT_RECONCILE_MS,
    /** the portal's edition, as /organizations names it, when it is needed */
    private readonly edition: () => Promise<string | undefined> = async () => undefined,
  ) {}

  /** A warning for the log and for the person running it. */
  warn(message: string): void {
    this.notify(message);
  }

  /** The ids of a report's parents: a fixed list, or a Zoho list read once per run (every department). */
  async parentIds(parent: Parent): Promise<string[]> {
    if (parent.values) return [...parent.values];
    const list = parent.listedBy;
    if (!list) throw new Error(`the ${parent.scope} parent says neither its values nor the list that holds them`);
    return (await this.once(list, () => this.desk.all(list))).map((r) => String(r.id));
  }

  /**
   * The report's last complete run on this portal, if there is one. An invalid state is quarantined, and one
   * whose cursor lies in the future (a clock or run id ahead) is set aside: either way the report is read in
   * full, which loses nothing, and its complete run writes a good state.
   */
  async state(reportId: string): Promise<ReportState | undefined> {
    const key = stateKey(this.orgId, reportId);
    const state = await readChecked(this.store, key, reportStateSchema, (message) => this.warn(`${message} Reading ${reportId} in full.`));
    if (!state || (state.orgId !== undefined && state.orgId !== this.orgId)) return undefined;
    if (Date.parse(state.cursor) > this.now + FUTURE_CURSOR_TOLERANCE_MS) {
      this.warn(
        `${key} has a cursor in the future (${state.cursor}, now ${new Date(this.now).toISOString()}): reading ${reportId} in full to repair it.`,
      );
      return undefined;
    }
    return state;
  }

  /** Where the report reads changes from: its cursor less the overlap; undefined on its first run. */
  async since(reportId: string): Promise<string | undefined> {
    const state = await this.state(reportId);
    return state ? new Date(Date.parse(state.cursor) - CURSOR_OVERLAP_MS).toISOString() : undefined;
  }

  /**
   * Where a report of changes (tickets, agent time entries) reads from: its cursor less the overlap, or
   * undefined when it is read in full — its first run, or its last full read is older than the reconcile
   * interval (a full read finds the records deleted past the recycle bin: spam deletes, purges, restores).
   */
  async changesSince(reportId: string): Promise<string | undefined> {
    const state = await this.state(reportId);
    // A state from before reconciling (no fullReadAt) is due at once.
    const lastFull = state?.fullReadAt ? Date.parse(state.fullReadAt) : Number.NaN;
    if (!state || !(this.now - lastFull < this.reconcileMs)) {
      this.fullReads.add(reportId);
      if (state) this.reconciles.add(reportId);
      return undefined;
    }
    return new Date(Date.parse(state.cursor) - CURSOR_OVERLAP_MS).toISOString();
  }

  /** Where a report of tickets' children (threads, approvals) reads from: its cursor less the overlap, or all history. */
  async ticketsSince(reportId: string): Promise<string> {
    return (await this.since(reportId)) ?? HISTORY_START;
  }

  /**
   * The tickets whose approvals earlier runs found pending and that are due to be read again. A ticket's change
   * brings its approvals along anyway (processing one bumps the ticket's modifiedTime — inferred, so not relied
   * on alone); the rest are read again on a rolling basis, oldest read first, each run the share of them the
   * time since the last run is of the reconcile interval: every one within the interval, and no run paying for
   * all of them (re-reading all each run cost most of a quiet run's credits, issue 15).
   */
  async carriedParents(reportId: string): Promise<string[]> {
    const state = await this.state(reportId);
    const parents = state?.parents ?? [];
    if (!state || parents.length === 0) return [];
    const share = this.reconcileMs <= 0 ? 1 : Math.min(1, Math.max(0, this.now - Date.parse(state.cursor)) / this.reconcileMs);
    return parents.slice(0, Math.ceil(parents.length * share));
  }

  /** Zoho's recent word that the portal's edition lacks the report (a note younger than the reconcile interval). */
  async unavailable(reportId: string): Promise<{ reason: string } | undefined> {
    return knownUnavailable(this.store, this.orgId, reportId, this.now, this.reconcileMs, this.edition, (message) => this.warn(message));
  }

  private once(key: string, load: () => Promise<DeskRecord[]>): Promise<DeskRecord[]> {
    let pending = this.cache.get(key);
    if (!pending) {
      pending = load();
      this.cache.set(key, pending);
    }
    return pending;
  }
}
