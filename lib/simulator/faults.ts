import * as z from 'zod';
import type { Clock } from '../ports.js';
import { Random } from './random.js';

/**
 * Ways an answer can break Zoho's contract: a body of `bytes` bytes (streamed, no Content-Length); one record
 * more than `limit`; records that are not objects; every page the first one, whatever `from` says; any 429
 * carrying `retryAfter` as its Retry-After (a number of seconds, or a date); a count answered without its number.
 */
/** no-modified-time: records answered without their modifiedTime (an answer short of what the OAS declares) */
/** not-served: the route answers 404 URL_NOT_FOUND, as a portal that does not serve an endpoint outside the OAS would */
export const quirkKind = z.enum([
  'huge-answer',
  'extra-records',
  'not-objects',
  'ignores-from',
  'retry-after',
  'no-count',
  'no-modified-time',
  'not-served',
]);
export type Quirk = { path: string; kind: z.infer<typeof quirkKind>; bytes?: number | undefined; retryAfter?: string | undefined };

/** What can go wrong, set at start (`--fault-*` flags, options) and changed at run time (POST /_sim/faults). */
export const faultSchema = z
  .object({
    /** share of Desk calls answered 500 INTERNAL_SERVER_ERROR */
    serverErrorRate: z.number().min(0).max(1),
    /** share of Desk calls answered 429 TOO_MANY_REQUESTS */
    tooManyRequestsRate: z.number().min(0).max(1),
    /** share of Desk calls whose connection is dropped without an answer */
    resetRate: z.number().min(0).max(1),
    /** share of Desk calls that answer only after slowMs */
    slowRate: z.number().min(0).max(1),
    slowMs: z.number().int().min(0),
    /**
     * Desk calls the portal's other integrations keep in flight: they hold that many of its concurrent-call slots,
     * so this client gets only the rest (Zoho's limit is per portal, shared by every integration on it: Zoho's
     * credits page). Modelled as a steady load, set or changed at any time; a real one comes and goes (inferred).
     */
    otherIntegrationCalls: z.number().int().min(0),
    /** added to every Desk call, while it counts against the portal's concurrency */
    latencyMs: z.number().int().min(0),
    latencyJitterMs: z.number().int().min(0),
    /** every Desk call answers 503 with an HTML error page */
    outage: z.boolean(),
    /** outages on the simulator's clock */
    outageWindows: z.array(z.object({ from: z.iso.datetime(), to: z.iso.datetime() })),
    /** the token endpoint answers HTTP 200 "Access Denied" */
    tokenThrottle: z.boolean(),
    /** ... and until this time on the simulator's clock */
    tokenThrottleUntil: z.iso.datetime().nullable(),
    /** Desk paths (after /api/v1) starting with one of these always answer 500: a page that keeps failing */
    failingPaths: z.array(z.string()),
    /** Desk paths (after /api/v1) starting with `path` break Zoho's contract in one way, to test the defences */
    quirks: z.array(
      z.object({ path: z.string(), kind: quirkKind, bytes: z.number().int().min(1).optional(), retryAfter: z.string().optional() }).strict(),
    ),
  })
  .strict();

export type Faults = z.infer<typeof faultSchema>;

export const NO_FAULTS: Faults = {
  serverErrorRate: 0,
  tooManyRequestsRate: 0,
  resetRate: 0,
  slowRate: 0,
  slowMs: 0,
  otherIntegrationCalls: 0,
  latencyMs: 0,
  latencyJitterMs: 0,
  outage: false,
  outageWindows: [],
  tokenThrottle: false,
  tokenThrottleUntil: null,
  failingPaths: [],
  quirks: [],
};

export type FaultDecision = 'reset' | 'outage' | 'server-error' | 'too-many-requests' | 'slow' | 'none';

/** Decides, per Desk call, which fault (if any) it meets. Seeded, so a run's fault pattern is repeatable. */
export class FaultInjector {
  faults: Faults = { ...NO_FAULTS };
  readonly counts: Record<Exclude<FaultDecision, 'none'>, number> = {
    reset: 0,
    outage: 0,
    'server-error': 0,
    'too-many-requests': 0,
    slow: 0,
  };
  private readonly random: Random;

  constructor(
    seed: number,
    private readonly clock: Clock,
  ) {
    this.random = Random.derive(seed, 0xfa17);
  }

  /** Merges a partial change, validated; returns the faults now in force. */
  set(change: Partial<Faults>): Faults {
    this.faults = faultSchema.parse({ ...this.faults, ...change });
    return this.faults;
  }

  tokenThrottled(): boolean {
    const until = this.faults.tokenThrottleUntil;
    return this.faults.tokenThrottle || (until !== null && this.clock.now() < Date.parse(until));
  }

  inOutage(): boolean {
    if (this.faults.outage) return true;
    const now = this.clock.now();
    return this.faults.outageWindows.some((w) => now >= Date.parse(w.from) && now < Date.parse(w.to));
  }

  decide(path = ''): FaultDecision {
    const decision = this.faults.failingPaths.some((prefix) => path.startsWith(prefix)) ? 'server-error' : this.roll();
    if (decision !== 'none') this.counts[decision] += 1;
    return decision;
  }

  /** How the answer to this path breaks Zoho's contract, if it is set to. */
  quirk(path: string): Quirk | undefined {
    // A path's start ("/contacts/search"), or its end ("/History": a route under every ticket).
    return this.faults.quirks.find((q) => path.startsWith(q.path) || path.endsWith(q.path));
  }

  latency(): number {
    const { latencyMs, latencyJitterMs } = this.faults;
    return latencyMs + (latencyJitterMs ? this.random.int(0, latencyJitterMs) : 0);
  }

  private roll(): FaultDecision {
    const f = this.faults;
    if (this.inOutage()) return 'outage';
    if (this.random.chance(f.resetRate)) return 'reset';
    if (this.random.chance(f.serverErrorRate)) return 'server-error';
    if (this.random.chance(f.tooManyRequestsRate)) return 'too-many-requests';
    if (this.random.chance(f.slowRate)) return 'slow';
    return 'none';
  }
}
