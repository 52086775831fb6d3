import { describe, expect, it } from 'vitest';
import { periodsBetween } from '../../lib/analytics/report-data.js';

describe('report periods', () => {
  it('run from the first label to the last with none skipped', () => {
    expect(periodsBetween('2025-11', '2026-02', 'month')).toEqual(['2025-11', '2025-12', '2026-01', '2026-02']);
    expect(periodsBetween('2026-11-02', '2026-11-23', 'week')).toEqual(['2026-11-02', '2026-11-09', '2026-11-16', '2026-11-23']);
    expect(periodsBetween('2026-01', '2026-01', 'month')).toEqual(['2026-01']);
  });
});
