import { describe, expect, it } from 'vitest';
import { describeEstimate, estimateCredits, pageWeight } from '../../lib/pipeline/estimate.js';

describe("a run's credit estimate", () => {
  it('counts 3 credits a list or search page and 1 a call that is not paged', () => {
    expect(pageWeight('threads')).toBe(3);
    expect(pageWeight('pending-approvals')).toBe(1);
    expect(estimateCredits({ threads: 10, 'pending-approvals': 4 }, { reserve: 0 })).toEqual({ pages: 14, credits: 34 });
  });

  it('says how many days a run larger than what is left today takes at the pool less the reserve', () => {
    // 131,000 credits on a 20,000-ticket first run, a Free pool (5,000) with a fifth reserved, 3,000 left today.
    const estimate = estimateCredits({ threads: 131_000 / 3 }, { remaining: 4_000, reserve: 1_000, pool: 5_000 });
    expect(estimate).toMatchObject({ credits: 131_000, leftToday: 3_000, perDay: 4_000, days: 1 + Math.ceil(128_000 / 4_000) });
    expect(describeEstimate(estimate)).toBe(
      'about 131000 credits or more; 3000 are left today above the reserve, then 4000 a day: about 33 days. ' +
        'It stops at the reserve each day; `run` again after the daily reset goes on where it stopped',
    );
  });

  it('says only the cost when today holds it, or when Zoho has not said what is left', () => {
    expect(describeEstimate(estimateCredits({ threads: 10 }, { remaining: 4_000, reserve: 1_000, pool: 5_000 }))).toBe('about 30 credits or more');
    expect(describeEstimate(estimateCredits({ threads: 10 }, { reserve: 1_000 }))).toBe('about 30 credits or more');
    // What the run already spent (its pages are read as they are planned) is not counted again.
    expect(estimateCredits({ threads: 2_000 }, { remaining: 1_000, reserve: 1_000, pool: 5_000 }, 6_000).days).toBe(1);
  });

  it('says the pool is unknown rather than guessing days when Zoho gave what is left but not the pool', () => {
    const estimate = estimateCredits({ threads: 2_000 }, { remaining: 2_000, reserve: 1_000 });
    expect(describeEstimate(estimate)).toBe('about 6000 credits or more; more than the 1000 left today above the reserve');
  });
});
