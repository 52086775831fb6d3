import pLimit, { type LimitFunction } from 'p-limit';

/**
 * How many Desk calls may be in flight: a ceiling (the portal's edition, or what the user set), lowered when
 * Zoho answers TOO_MANY_REQUESTS — other integrations share the portal's concurrency — and raised again one
 * call at a time while calls succeed (additive increase, multiplicative decrease).
 */
export class Pace {
  readonly run: LimitFunction;
  private ceiling: number;
  private successes = 0;

  constructor(ceiling: number) {
    this.ceiling = ceiling;
    this.run = pLimit(ceiling);
  }

  /** calls allowed in flight now */
  get concurrency(): number {
    return this.run.concurrency;
  }

  setCeiling(calls: number): void {
    this.ceiling = calls;
    this.run.concurrency = calls;
    this.successes = 0;
  }

  /** Zoho said too many calls at once: halve them (at least one). */
  slowDown(): void {
    const current = Number.isFinite(this.run.concurrency) ? this.run.concurrency : Math.max(1, this.run.activeCount);
    this.run.concurrency = Math.max(1, Math.floor(current / 2));
    this.successes = 0;
  }

  /** A call went through: after as many successes as calls allowed, allow one more, up to the ceiling. */
  succeeded(): void {
    if (this.run.concurrency >= this.ceiling) return;
    this.successes += 1;
    if (this.successes >= this.run.concurrency) {
      this.run.concurrency = Math.min(this.ceiling, this.run.concurrency + 1);
      this.successes = 0;
    }
  }
}
