import { describe, expect, it } from 'vitest';
import { generatePortal } from '../../lib/simulator/dataset.js';

describe('simulated portal data', () => {
  it('is the same for the same seed and size, and different for another seed', () => {
    const now = Date.parse('2026-11-01T00:00:00Z');
    const a = generatePortal({ seed: 7, tickets: 120, edition: 'ENTERPRISE', now });
    const b = generatePortal({ seed: 7, tickets: 120, edition: 'ENTERPRISE', now });
    const c = generatePortal({ seed: 8, tickets: 120, edition: 'ENTERPRISE', now });
    expect(JSON.stringify(b.tickets)).toBe(JSON.stringify(a.tickets));
    expect(JSON.stringify(c.tickets)).not.toBe(JSON.stringify(a.tickets));
    expect(a.tickets).toHaveLength(120);
    for (const kind of [a.departments, a.agents, a.contacts, a.accounts, a.timeEntries, a.approvals, a.calls, a.ratings, a.tags]) {
      expect(kind.length).toBeGreaterThan(0);
    }
  });
});
