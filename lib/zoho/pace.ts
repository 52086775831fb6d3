import pLimit, { type LimitFunction } from 'p-limit';

/** One call through the pace, as it went out: what a later TOO_MANY_REQUESTS or success of it tells. */
export interface PacedCall {
  /** this client's other calls in flight when it went out */
  readonly inFlight: number;
  /** the congestion events (and new ceilings) seen before it went out */
  readonly event: number;
}

export interface PaceOptions {
  /** rounds held at a newly learned limit before the first probe above it (a round: as many successes as calls allowed) */
  firstProbeRounds?: number;
  /** the longest wait between two probes, in rounds: it bounds how soon freed slots are noticed */
  maxProbeRounds?: number;
}

export const DEFAULT_PACE: Required<PaceOptions> = { firstProbeRounds: 1, maxProbeRounds: 64 };

/**
 * How many Desk calls may be in flight. Zoho's concurrent-call limit is the portal's (its edition's: the ceiling)
 * and other integrations on the portal use part of it, how much nobody says; Zoho answers the call one too many
 * TOO_MANY_REQUESTS. The pace finds what is left and keeps to it, by loss-based limit discovery after TCP's:
 *
 * - Decrease to the flight size. When a 429 comes, the calls of this client still in flight are at most what Zoho
 *   holds of ours plus calls it turned away too, whose 429s are on their way: the limit goes down to that count at
 *   once, and one less for each of those 429s as it comes, since that call never held a slot (the "pipe" of SACK
 *   loss recovery, RFC 6675 §4: in flight, less what is known lost). TCP then halves (RFC 5681 §3.1) because a loss
 *   only says a queue overflowed; a 429 counts calls exactly, so the factor here is 1. In whatever order Zoho's
 *   answers come, the limit ends at the calls it held when it said no.
 * - One congestion event, one reaction. 429s of calls already out at the cut belong to it (TCP NewReno's recovery
 *   point, RFC 6582 §3.2): they take their own call out of the count and nothing more. A call sent after the cut and
 *   still turned away starts a new event.
 * - Rare probes with binary exponential backoff. After a number of rounds at the learned limit, one call more is
 *   allowed. If Zoho turns it away, the limit goes back and the wait before the next probe doubles (as Ethernet's
 *   retransmissions back off, IEEE 802.3 §4.2.3.2.5), up to `maxProbeRounds`. A probe is through after a whole round
 *   at the raised limit with no 429 (one call alone may have slipped between two of the others'): the others freed a
 *   slot, so the next probe comes after `firstProbeRounds`, and the limit climbs while they last. Only calls that went
 *   out with every other allowed slot taken count towards a probe: a limit the work does not use is not raised (the
 *   idea of RFC 7661).
 *
 * In a steady crowd that is one 429 per probe, at most one per `maxProbeRounds` rounds: 1/(64·limit+1) of the calls,
 * under 2% even at a limit of 1. When the others stop, the first probe comes within `maxProbeRounds` rounds (a round
 * takes about one call's latency) and each further slot within about two rounds more. Never above the ceiling, never
 * below 1.
 */
export class Pace {
  private readonly limiter: LimitFunction;
  private readonly options: Required<PaceOptions>;
  private ceiling: number;
  private readonly flight = new Set<PacedCall>();
  private events = 0;
  /** calls in flight at the last cut not yet answered, and how many of those may hold a slot at Zoho */
  private atCut = new Set<PacedCall>();
  private held = 0;
  /** rounds to wait at the limit before the next probe; 0 while no limit below the ceiling has been learned */
  private probeRounds = 0;
  /** successes since the last change that count towards the next probe, or towards confirming it */
  private successes = 0;
  /** the limit was raised by one, and no whole round has gone through at the raised level yet */
  private probing = false;

  constructor(ceiling: number, options: PaceOptions = {}) {
    this.options = { ...DEFAULT_PACE, ...options };
    const { firstProbeRounds, maxProbeRounds } = this.options;
    if (!Number.isInteger(firstProbeRounds) || firstProbeRounds < 1 || !Number.isInteger(maxProbeRounds) || maxProbeRounds < firstProbeRounds) {
      throw new RangeError('firstProbeRounds must be a whole number from 1, and maxProbeRounds one no smaller.');
    }
    this.ceiling = ceiling;
    this.limiter = pLimit(ceiling);
  }

  /** calls allowed in flight now */
  get concurrency(): number {
    return this.limiter.concurrency;
  }

  /** calls in flight now */
  get inFlight(): number {
    return this.flight.size;
  }

  /** Runs `call` once a slot is free; it is told what was in flight as it went out. */
  run<T>(call: (paced: PacedCall) => Promise<T>): Promise<T> {
    return this.limiter(async () => {
      const paced: PacedCall = { inFlight: this.flight.size, event: this.events };
      this.flight.add(paced);
      try {
        return await call(paced);
      } finally {
        this.flight.delete(paced);
        this.atCut.delete(paced);
      }
    });
  }

  /** A new bound (the edition's, or what the user set): the limit starts there again, nothing learned kept. */
  setCeiling(calls: number): void {
    this.ceiling = calls;
    this.limiter.concurrency = calls;
    this.events += 1;
    this.atCut.clear();
    this.probeRounds = 0;
    this.successes = 0;
    this.probing = false;
  }

  /** Zoho said too many calls at once, to `call`: keep to the calls it holds of ours, once per congestion event. */
  slowDown(call: PacedCall): void {
    if (this.atCut.delete(call)) {
      // Out at the last cut and counted there, but it never held a slot.
      this.held -= 1;
      this.limiter.concurrency = Math.max(1, Math.min(this.limiter.concurrency, this.held));
      return;
    }
    // From before a new ceiling: what it met is not this pace's business.
    if (call.event < this.events) return;
    this.events += 1;
    this.atCut = new Set(this.flight);
    this.atCut.delete(call);
    this.held = this.atCut.size;
    this.limiter.concurrency = Math.max(1, Math.min(this.limiter.concurrency, this.held));
    const { firstProbeRounds, maxProbeRounds } = this.options;
    this.probeRounds = this.probeRounds === 0 ? firstProbeRounds : Math.min(maxProbeRounds, this.probeRounds * 2);
    this.successes = 0;
    this.probing = false;
  }

  /** `call` went through: a step towards the next probe, or towards confirming the one out. */
  succeeded(call: PacedCall): void {
    const limit = this.limiter.concurrency;
    if (limit >= this.ceiling || call.event < this.events || call.inFlight + 1 < limit) return;
    this.successes += 1;
    if (this.probing) {
      if (this.successes < limit) return;
      this.probing = false;
      this.probeRounds = this.options.firstProbeRounds;
      this.successes = 0;
    } else if (this.successes >= this.probeRounds * limit) {
      this.limiter.concurrency = Math.min(this.ceiling, limit + 1);
      this.probing = true;
      this.successes = 0;
      // Whatever was out at the last cut has been answered by now, or is too old to count against a new level.
      this.atCut.clear();
    }
  }
}
