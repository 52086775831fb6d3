import { OffsetClock } from '../clock.js';
import type { Clock } from '../ports.js';
import { CreditPool } from './credit-pool.js';
import { generatePortal, type Edition, type Portal } from './dataset.js';
import { SimulatedDesk } from './desk-api.js';
import { EDITION_LIMITS } from './editions.js';
import { applyChanges, type ChangeReport, type Changes, type EvolveOptions } from './evolve.js';
import { FaultInjector, type Faults } from './faults.js';
import { SimulatedAccounts } from './oauth.js';
import { Random } from './random.js';
import { currentRecords, type TruthRecord } from './truth.js';

/** The seed a portal is generated from when none is given. */
export const DEFAULT_SEED = 42;

export interface SimulatorOptions {
  seed?: number;
  /** the portal's org id (default: drawn from the seed) */
  orgId?: string;
  /** tickets in the portal; the rest is sized from it */
  tickets?: number;
  edition?: Edition;
  /** the simulator's clock; an OffsetClock (real time, movable) by default */
  clock?: Clock & { advance?(ms: number): void };
  /** the portal's history ends here (default: the clock's now); a fixed value gives the same data in every process */
  dataAsOf?: number;
  /** every ticket gets this many threads (default: 1 to 6) */
  threadsPerTicket?: number;
  /** thread summaries padded to about this many bytes */
  threadBytes?: number;
  /** contacts and agents in the portal (default: sized from the tickets) */
  contacts?: number;
  agents?: number;
  /** the first agent also logs this many time entries */
  busyAgentEntries?: number;
  faults?: Partial<Faults>;
  /** override the edition's concurrent-call limit */
  concurrencyLimit?: number;
  /** override the edition's daily credit pool */
  dailyCredits?: number;
  accessTokenLifetimeMs?: number;
  codeLifetimeMs?: number;
  mintLimit?: number;
  legacyExpiresIn?: boolean;
  /** a ticket restored from the recycle bin gets a new modifiedTime (UNCONFIRMED for real Zoho; default false) */
  restoreTouchesModifiedTime?: boolean;
  /** approving or rejecting an approval bumps its ticket's modifiedTime (inferred; UNCONFIRMED for real Zoho; default true) */
  approvalTouchesTicket?: boolean;
}

export interface SimulatorStats {
  /** Desk calls per endpoint (route key), whatever their answer */
  calls: Record<string, number>;
  deskCalls: number;
  statuses: Record<string, number>;
  creditsSpent: number;
  creditsRemaining: number;
  tokensMinted: number;
  codesExchanged: number;
  tokenRequests: number;
  tokenThrottled: number;
  /** the most Desk calls in flight at once */
  maxConcurrency: number;
  concurrencyRejections: number;
  faults: FaultInjector['counts'];
}

/**
 * The whole simulated Zoho (Accounts + Desk) without the HTTP layer: state, limits, faults and counters.
 * `startSimulator` (server.ts) puts it on a port.
 */
export class Simulator {
  readonly clock: Clock & { advance?(ms: number): void };
  readonly portal: Portal;
  readonly accounts: SimulatedAccounts;
  readonly desk: SimulatedDesk;
  readonly credits: CreditPool;
  readonly faults: FaultInjector;
  concurrencyLimit: number;
  inFlight = 0;
  maxInFlight = 0;
  concurrencyRejections = 0;
  deskCalls = 0;
  readonly statuses: Record<string, number> = {};
  private readonly changes: Random;
  private readonly evolve: EvolveOptions;

  constructor(options: SimulatorOptions = {}) {
    const seed = options.seed ?? DEFAULT_SEED;
    const edition = options.edition ?? 'ENTERPRISE';
    this.clock = options.clock ?? new OffsetClock();
    this.portal = generatePortal({
      seed,
      tickets: options.tickets ?? 200,
      edition,
      now: options.dataAsOf ?? this.clock.now(),
      ...(options.threadsPerTicket !== undefined && { threadsPerTicket: options.threadsPerTicket }),
      ...(options.threadBytes !== undefined && { threadBytes: options.threadBytes }),
      ...(options.contacts !== undefined && { contacts: options.contacts }),
      ...(options.agents !== undefined && { agents: options.agents }),
      ...(options.busyAgentEntries !== undefined && { busyAgentEntries: options.busyAgentEntries }),
      ...(options.orgId !== undefined && { orgId: options.orgId }),
    });
    const limits = EDITION_LIMITS[edition];
    this.concurrencyLimit = options.concurrencyLimit ?? limits.concurrency;
    const activeAgents = this.portal.agents.filter((a) => a.status === 'ACTIVE').length;
    this.credits = new CreditPool(this.clock, options.dailyCredits ?? limits.baseCredits + limits.creditsPerAgent * activeAgents);
    this.accounts = new SimulatedAccounts({
      clock: this.clock,
      orgId: this.portal.org.id,
      ...(options.accessTokenLifetimeMs !== undefined && { accessTokenLifetimeMs: options.accessTokenLifetimeMs }),
      ...(options.codeLifetimeMs !== undefined && { codeLifetimeMs: options.codeLifetimeMs }),
      ...(options.mintLimit !== undefined && { mintLimit: options.mintLimit }),
      ...(options.legacyExpiresIn !== undefined && { legacyExpiresIn: options.legacyExpiresIn }),
    });
    this.desk = new SimulatedDesk(this.portal, this.accounts, this.credits, this.clock);
    this.faults = new FaultInjector(seed, this.clock);
    this.accounts.throttled = () => this.faults.tokenThrottled();
    if (options.faults) this.setFaults(options.faults);
    this.changes = Random.derive(seed, 0xe701);
    this.evolve = {
      restoreTouchesModifiedTime: options.restoreTouchesModifiedTime ?? false,
      approvalTouchesTicket: options.approvalTouchesTicket ?? true,
    };
  }

  get orgId(): string {
    return this.portal.org.id;
  }

  /** A self-client grant code, as API console → Self Client → Generate Code gives. */
  issueGrantCode(scopes?: readonly string[], lifetimeMs?: number): string {
    return this.accounts.issueCode(scopes, lifetimeMs);
  }

  setFaults(change: Partial<Faults>): Faults {
    return this.faults.set(change);
  }

  /** Moves the clock (when it can be moved) and applies data changes at the new time. */
  advance(ms: number, changes: Changes = {}): ChangeReport {
    if (ms > 0) {
      if (!this.clock.advance) throw new Error('this simulator clock cannot be moved');
      this.clock.advance(ms);
    }
    return applyChanges(this.portal, this.changes, this.clock.now(), changes, this.evolve);
  }

  /**
   * The truth for tests: the records of a report (an id of lib/reports/catalog.ts) the portal holds now, exactly as
   * the endpoint that report reads serves them, with the ticket, agent or department each was read under.
   */
  currentRecords(report: string): TruthRecord[] {
    return currentRecords(this.portal, report, this.clock.now());
  }

  recordStatus(status: number): void {
    this.statuses[status] = (this.statuses[status] ?? 0) + 1;
  }

  stats(): SimulatorStats {
    return {
      calls: { ...this.desk.calls },
      deskCalls: this.deskCalls,
      statuses: { ...this.statuses },
      creditsSpent: this.credits.spent,
      creditsRemaining: this.credits.remaining,
      tokensMinted: this.accounts.stats.mints,
      codesExchanged: this.accounts.stats.exchanges,
      tokenRequests: this.accounts.stats.tokenRequests,
      tokenThrottled: this.accounts.stats.throttled,
      maxConcurrency: this.maxInFlight,
      concurrencyRejections: this.concurrencyRejections,
      faults: { ...this.faults.counts },
    };
  }

  /** Zeroes the counters (not the data, tokens or credit pool): for measuring one phase of a test. */
  resetStats(): void {
    for (const key of Object.keys(this.desk.calls)) delete this.desk.calls[key];
    for (const key of Object.keys(this.statuses)) delete this.statuses[key];
    for (const key of Object.keys(this.faults.counts) as Array<keyof FaultInjector['counts']>) this.faults.counts[key] = 0;
    Object.assign(this.accounts.stats, { tokenRequests: 0, exchanges: 0, mints: 0, throttled: 0 });
    this.credits.spent = 0;
    this.maxInFlight = this.inFlight;
    this.concurrencyRejections = 0;
    this.deskCalls = 0;
  }
}
