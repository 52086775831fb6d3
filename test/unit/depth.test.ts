import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../lib/simulator/routes.js';

describe('the simulator keeps to the depth limits', () => {
  it('every paginated endpoint answers 422 one record past its `from` limit (search 999, lists 4999)', () => {
    const paged = ROUTES.filter((r) => r.paging);
    expect(paged.length).toBeGreaterThanOrEqual(16);
    for (const route of paged) {
      const search = route.template.endsWith('/search');
      expect(route.paging?.fromMax, route.template).toBe(search ? 999 : 4_999);
    }
  });
});
