import { generatedOrgId, type Edition } from './dataset.js';
import type { ChangeReport, Changes } from './evolve.js';
import type { AccessToken } from './oauth.js';
import { Random } from './random.js';
import { DEFAULT_SEED, Simulator, type SimulatorOptions } from './simulator.js';

/** A further portal: its own seed, data, edition, limits, credits, faults and OAuth client; the clock is the first's. */
export type PortalOptions = Omit<SimulatorOptions, 'clock'>;

export interface PortalSummary {
  orgId: string;
  edition: Edition;
  clientId: string;
  tickets: number;
}

/**
 * Several Zoho Desk portals behind one port, as one data centre serves many: a Desk call goes to the portal its
 * orgId names, a token request to the portal whose client it names, a /_sim/ control to the portal `?org=` names.
 * One clock for all; each portal has its own data, credit pool, faults, concurrent-call count and stats.
 */
export class Portals {
  readonly sims: Simulator[];

  constructor(first: SimulatorOptions, further: readonly PortalOptions[] = []) {
    const head = new Simulator(first);
    const sims = [head];
    for (const options of further) {
      const orgId = distinctOrgId(options, new Set(sims.map((sim) => sim.orgId)));
      sims.push(new Simulator({ ...options, clock: head.clock, orgId }));
    }
    this.sims = sims;
    for (const sim of sims) sim.desk.foreignToken = (token) => this.tokenElsewhere(sim, token);
  }

  get first(): Simulator {
    return this.sims[0] as Simulator;
  }

  byOrg(orgId: string): Simulator | undefined {
    return this.sims.find((sim) => sim.orgId === orgId);
  }

  /**
   * The portal a Desk call is for: the one its orgId names. Without an orgId, or with one no portal has, the portal
   * whose token it carries (else the first): its own checks then answer as a single portal does, 422 for a missing
   * orgId and 403 OAUTH_ORG_MISMATCH for an org the token cannot reach (inferred for an org that does not exist:
   * Zoho documents that answer for an orgId other than the token's).
   */
  forDesk(orgId: string, token: string | undefined): Simulator {
    return this.byOrg(orgId) ?? this.sims.find((sim) => token !== undefined && sim.accounts.checkAccessToken(token)) ?? this.first;
  }

  /** The portal whose OAuth client a token request names; an unknown client meets the first's, which refuses it. */
  forAccounts(clientId: string | null): Simulator {
    return this.sims.find((sim) => sim.accounts.clientId === clientId) ?? this.first;
  }

  /**
   * Moves the shared clock through `target`, whose data the changes apply to; the other portals see the time pass
   * too (their recycle bins purge what is older than the bin keeps), with no data changes of their own.
   */
  advance(target: Simulator, ms: number, changes: Changes = {}): ChangeReport {
    const report = target.advance(ms, changes);
    for (const sim of this.sims) if (sim !== target) sim.advance(0);
    return report;
  }

  list(): PortalSummary[] {
    return this.sims.map((sim) => ({
      orgId: sim.orgId,
      edition: sim.portal.org.edition,
      clientId: sim.accounts.clientId,
      tickets: sim.portal.tickets.length,
    }));
  }

  private tokenElsewhere(home: Simulator, token: string): AccessToken | undefined {
    for (const sim of this.sims) {
      const access = sim === home ? undefined : sim.accounts.checkAccessToken(token);
      if (access) return access;
    }
    return undefined;
  }
}

/** The portal's own org id, or one drawn from its seed; a draw another portal has is drawn again. */
function distinctOrgId(options: PortalOptions, taken: ReadonlySet<string>): string {
  if (options.orgId !== undefined) {
    if (taken.has(options.orgId)) throw new Error(`two portals have org id ${options.orgId}: give each its own`);
    return options.orgId;
  }
  const seed = options.seed ?? DEFAULT_SEED;
  let orgId = generatedOrgId(seed);
  for (let n = 1; taken.has(orgId); n += 1) orgId = String(Random.derive(seed, 0x0e9, n).int(600_000_000, 999_999_999));
  return orgId;
}
