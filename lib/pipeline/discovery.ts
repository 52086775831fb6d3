import type { Logger, ObjectStore } from '../ports.js';
import type { DeskClient, DeskRecord } from '../zoho/desk-client.js';
import { stateKey } from './keys.js';
import { readJson, type ReportState } from './manifest.js';

/** How far back of the last cursor a run looks again: Zoho's clocks and our own are not the same clock. */
export const CURSOR_OVERLAP_MS = 10 * 60_000;

/**
 * The parents that fanned-out reports need, found once per run: the original project hard-coded an agent,
 * a ticket and a department; here they are discovered (and a user's parameter overrides them).
 */
export class Discovery {
  private readonly cache = new Map<string, Promise<DeskRecord[]>>();

  constructor(
    private readonly desk: DeskClient,
    private readonly store: ObjectStore,
    /** the run's start: the end of every "changed since" window */
    private readonly startedAt: string,
    private readonly orgId: string | undefined,
    private readonly logger: Logger,
  ) {}

  async agentIds(): Promise<string[]> {
    return (await this.once('agents', () => this.desk.all('agents'))).map((a) => String(a.id));
  }

  async departmentIds(): Promise<string[]> {
    return (await this.once('departments', () => this.desk.all('departments'))).map((d) => String(d.id));
  }

  /** Every ticket, oldest first. */
  allTickets(): Promise<DeskRecord[]> {
    return this.once('tickets', () => this.desk.all('tickets', { query: { sortBy: 'createdTime' } }));
  }

  /**
   * Tickets with approvals. Tickets carry approvalCount per third-party sources; where a portal's tickets do
   * not, every ticket is asked rather than none.
   */
  async ticketsWithApprovals(): Promise<string[]> {
    const tickets = await this.allTickets();
    return tickets.filter((t) => t.approvalCount === undefined || Number(t.approvalCount) > 0).map((t) => String(t.id));
  }

  /**
   * Tickets changed since the report's last complete run (its cursor, less an overlap), or every ticket on
   * the first run. The window ends at this run's start, so every page of the run reads the same tickets.
   */
  async changedTickets(reportId: string): Promise<{ tickets: DeskRecord[]; since: string | undefined }> {
    const state = await readJson<ReportState>(this.store, stateKey(reportId));
    if (!state || (state.orgId !== undefined && state.orgId !== this.orgId)) return { tickets: await this.allTickets(), since: undefined };
    const since = new Date(Date.parse(state.cursor) - CURSOR_OVERLAP_MS).toISOString();
    const tickets = await this.once(`changed:${since}`, () =>
      this.desk.all('ticketSearch', { query: { modifiedTimeRange: `${since},${this.startedAt}`, sortBy: 'modifiedTime' } }),
    );
    this.logger.info({ report: reportId, since, tickets: tickets.length }, 'tickets changed since the last complete run');
    return { tickets, since };
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
