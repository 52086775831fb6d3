import { CreditsExhaustedError } from '../errors.js';

export interface CreditUse {
  calls: number;
  credits: number;
}

export interface CreditMeterOptions {
  /** the run never spends below this many credits of the portal's daily pool */
  reserve?: number;
}

/** What a list call costs at low offsets (X-Rate-Limit-Request-Weight-v3 observed on real portals). */
export const LIST_CALL_WEIGHT = 3;

function readNumber(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : undefined;
}

/**
 * Records the cost of every Desk call from Zoho's own headers (X-Rate-Limit-Request-Weight-v3 and
 * X-Rate-Limit-Remaining-v3), so callers can report credits per request and stop above a reserve.
 * The pool is shared with every other integration on the portal: `remaining` is Zoho's figure, not ours.
 */
export class CreditMeter {
  spent = 0;
  calls = 0;
  /** credits left today, as of the latest answer */
  remaining: number | undefined;
  readonly byRequest = new Map<string, CreditUse>();
  /** credits of the daily pool the run leaves unspent */
  reserve: number;
  /** the portal's daily pool, where it was worked out (the edition's base and per-agent credits) */
  pool: number | undefined;
  /** the meter of the whole client, when this one tallies only some of its calls */
  private parent: CreditMeter | undefined;

  constructor(options: CreditMeterOptions = {}) {
    this.reserve = options.reserve ?? 0;
  }

  /** A tally of some of the calls (a run's discovery, say): each call is recorded there and here, one pool. */
  child(): CreditMeter {
    const child = new CreditMeter();
    child.parent = this;
    return child;
  }

  /** Records one answer; returns its weight. */
  record(request: string, headers: Record<string, string>): number {
    this.parent?.record(request, headers);
    const weight = readNumber(headers['x-rate-limit-request-weight-v3']) ?? 0;
    const remaining = readNumber(headers['x-rate-limit-remaining-v3']);
    this.calls += 1;
    this.spent += weight;
    if (remaining !== undefined) this.remaining = remaining;
    const use = this.byRequest.get(request) ?? { calls: 0, credits: 0 };
    use.calls += 1;
    use.credits += weight;
    this.byRequest.set(request, use);
    return weight;
  }

  /** Throws before a call that would take the pool below the reserve. */
  assertCanSpend(request: string, weight = LIST_CALL_WEIGHT): void {
    if (this.parent) {
      this.parent.assertCanSpend(request, weight);
      return;
    }
    if (this.remaining === undefined || this.reserve <= 0) return;
    if (this.remaining - weight < this.reserve) {
      throw new CreditsExhaustedError(
        `Stopped before ${request}: Zoho reports ${this.remaining} API credits left today and the reserve is ` +
          `${this.reserve}. The rest waits until the daily reset (midnight in your data centre's time zone); lower ` +
          'the reserve to spend more of the pool.',
        { request },
      );
    }
  }
}
