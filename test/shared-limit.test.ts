import { describe, expect, it } from 'vitest';
import { fetchHttpClient } from '../lib/adapters/fetch-http.js';
import type { HttpClient } from '../lib/ports.js';
import type { Pace } from '../lib/zoho/pace.js';
import { fixtures } from './helpers/zoho.js';

const open = fixtures();

describe("a portal's concurrent calls shared with other integrations", () => {
  it("the simulator counts the others' calls against the edition's limit, and they can stop at run time", async () => {
    // Prepare: Professional allows 15 at once; the others hold 5
    const fixture = await open({ simulator: { edition: 'PROFESSIONAL', faults: { latencyMs: 300, otherIntegrationCalls: 5 } } });
    const { sim } = fixture.running;
    const unpaced = await fixture.connect({ retry: { retries: 0, minDelayMs: 0, maxDelayMs: 0 } });
    await unpaced.desk.page('departments');
    sim.resetStats();

    // Act
    const crowded = await Promise.allSettled(Array.from({ length: 12 }, () => unpaced.desk.page('departments')));
    const control = await fetch(`${fixture.running.url}/_sim/faults`, { method: 'POST', body: JSON.stringify({ otherIntegrationCalls: 0 }) });
    // a fresh client: the first has learned to keep to 10
    const fresh = await fixture.connect({ retry: { retries: 0, minDelayMs: 0, maxDelayMs: 0 } });
    const alone = await Promise.allSettled(Array.from({ length: 12 }, () => fresh.desk.page('departments')));

    // Assess
    const refused = (results: PromiseSettledResult<unknown>[]) =>
      results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.errorCode as string);
    expect(refused(crowded)).toStrictEqual(['TOO_MANY_REQUESTS', 'TOO_MANY_REQUESTS']);
    expect(control.status).toBe(200);
    expect(refused(alone)).toStrictEqual([]);
    expect(sim.stats()).toMatchObject({ maxConcurrency: 12, concurrencyRejections: 2 });
  });

  it('the client settles at the free slots with under 2% of its calls turned away, and takes the slots back when the others stop', async () => {
    // Prepare: the client may make the edition's 15 calls at once, but the others hold 5 of them. A latency well
    // above this process's own share of a call (the simulator runs in it too), so in flight here is in flight there.
    const fixture = await open({ simulator: { edition: 'PROFESSIONAL', faults: { latencyMs: 20, otherIntegrationCalls: 5 } } });
    const { sim } = fixture.running;
    let pace: Pace | undefined;
    const inFlightAtAnswers: number[] = [];
    const http: HttpClient = async (request) => {
      const response = await fetchHttpClient(request);
      inFlightAtAnswers.push(pace?.inFlight ?? 0);
      return response;
    };
    const { desk } = await fixture.connect({ maxConcurrency: 15, http });
    pace = desk.pace;
    const read = (pages: number) => Promise.all(Array.from({ length: pages }, () => desk.page('departments')));

    // Act: finding the free slots, then holding them
    await read(600);
    const finding = sim.stats();
    const found = desk.pace.concurrency;
    inFlightAtAnswers.length = 0;
    sim.resetStats();
    await read(400);
    // (the batch's last answers come with fewer calls left behind them: not counted)
    const held = { ...sim.stats(), limit: desk.pace.concurrency, inFlight: inFlightAtAnswers.slice(0, -20) };
    // ... and the others stop
    sim.setFaults({ otherIntegrationCalls: 0 });
    sim.resetStats();
    await read(1_000);
    const freed = sim.stats();

    // Assess: 10 free slots, all of them used (Zoho held 10 of ours at once, and 9 or 10 were out at nearly every
    // answer); 11 only while a rare probe is out
    expect([10, 11]).toContain(found);
    expect([10, 11]).toContain(held.limit);
    expect(held.maxConcurrency).toBe(10);
    expect(Math.max(...held.inFlight)).toBeLessThanOrEqual(11);
    expect(held.inFlight.filter((calls) => calls >= 9).length / held.inFlight.length).toBeGreaterThan(0.9);
    expect(held.concurrencyRejections).toBeLessThanOrEqual(3);
    expect((finding.concurrencyRejections + held.concurrencyRejections) / (finding.deskCalls + held.deskCalls)).toBeLessThan(0.02);
    expect(desk.pace.concurrency).toBe(15);
    expect(freed.maxConcurrency).toBe(15);
    expect(freed.concurrencyRejections).toBe(0);
  });
});
