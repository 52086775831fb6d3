import { describe, expect, it } from 'vitest';
import { FolderObjectStore } from '../lib/adapters/folder-object-store.js';
import { main } from '../lib/cli/main.js';
import { EXIT_CODES } from '../lib/cli/output.js';
import { runReports } from '../lib/cli/run-command.js';
import { ManualClock } from '../lib/clock.js';
import { FAST, contextFor } from './helpers/pipeline.js';
import { fixtures, tempDir } from './helpers/zoho.js';

const open = fixtures();

describe('waits Zoho asks for, and waits of our own', () => {
  it('a huge Retry-After on spent credits is clamped to a day: the run stops with exit 4 and a sane reset time', async () => {
    const fixture = await open({ simulator: { tickets: 40, dailyCredits: 40 } });
    fixture.running.sim.setFaults({ quirks: [{ path: '/', kind: 'retry-after', retryAfter: '99999999999' }] });
    const dir = await tempDir();
    const context = contextFor(fixture);
    expect(await main(['run', 'threads', '--reserve', '0', '--out', dir.path], context)).toBe(EXIT_CODES['stop-for-day']);
    expect(context.out.errors[0]).toMatch(
      /THRESHOLD_EXCEEDED\)\. They reset at midnight in your data centre's time zone: in 24 h 0 min, at \d{4}-\d\d-\d\d \d\d:\d\d UTC/,
    );
    expect(context.out.text()).toMatch(/Stopped with \d+ message\(s\) still queued \(not dead-lettered\)/);
    await dir.remove();
  });

  it("a run that waits out Zoho's token-mint block says so, with the wait, before it waits", async () => {
    const clock = new ManualClock('2026-11-20T10:00:00Z');
    const fixture = await open({ simulator: { tickets: 20, clock }, clock });
    const dir = await tempDir();
    expect(await runReports(['departments'], { out: dir.path, ...FAST }, contextFor(fixture, clock))).toBe(0);
    const stored = await fixture.store.read();
    await fixture.store.write({ ...stored, access_token: undefined, token_mints: Array.from({ length: 10 }, (_, i) => clock.now() - i * 6_000) });
    const context = contextFor(fixture, clock);
    expect(await runReports(['agents'], { out: dir.path, ...FAST }, context)).toBe(0);
    expect(context.out.lines[0]).toMatch(
      /^Zoho Accounts allows 10 new access tokens per refresh token in 10 minutes, and this window is used up: waiting (9|10) min, until 10:\d\d:\d\d UTC, then going on\.$/,
    );
    expect((await new FolderObjectStore(dir.path).list('agents/')).length).toBeGreaterThan(0);
    await dir.remove();
  });
});
