import type { Clock } from '../ports.js';

const DAY_MS = 86_400_000;

/**
 * The portal's daily API credit pool, shared by every caller. It refills at midnight; Zoho resets in the
 * data centre's time zone, the simulator at midnight UTC of its clock.
 */
export class CreditPool {
  spent = 0;
  private day: number;
  private remainingToday: number;

  constructor(
    private readonly clock: Clock,
    public dailyCredits: number,
  ) {
    this.day = Math.floor(clock.now() / DAY_MS);
    this.remainingToday = dailyCredits;
  }

  get remaining(): number {
    this.rollOver();
    return this.remainingToday;
  }

  /** Takes `weight` credits, or returns false when the pool cannot cover them. */
  take(weight: number): boolean {
    this.rollOver();
    if (this.remainingToday < weight) return false;
    this.remainingToday -= weight;
    this.spent += weight;
    return true;
  }

  /** For tests and benchmarks: set what is left today. */
  setRemaining(credits: number): void {
    this.rollOver();
    this.remainingToday = credits;
  }

  secondsUntilReset(): number {
    const now = this.clock.now();
    return Math.max(1, Math.ceil(((Math.floor(now / DAY_MS) + 1) * DAY_MS - now) / 1000));
  }

  private rollOver(): void {
    const today = Math.floor(this.clock.now() / DAY_MS);
    if (today !== this.day) {
      this.day = today;
      this.remainingToday = this.dailyCredits;
    }
  }
}
