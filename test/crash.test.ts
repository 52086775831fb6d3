import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openLocalPipeline } from '../lib/cli/local-pipeline.js';
import { runReports } from '../lib/cli/run-command.js';
import { planRun } from '../lib/pipeline/planner.js';
import { ALL_REPORTS, FAST, contextFor, runOnce } from './helpers/pipeline.js';
import { fixtures, tempDir } from './helpers/zoho.js';
import { ofRun, reportFiles } from './helpers/stored.js';

const open = fixtures();
const RUN = '2026-11-20T10-00-00Z-dead';
const WORKER = join(import.meta.dirname, 'helpers', 'crash-worker.ts');

describe('a worker killed mid-page', () => {
  it.each(['after-fetch', 'after-store'] as const)('dies %s: the page comes back and the output is still identical', async (point) => {
    const fixture = await open({ simulator: { tickets: 25 } });
    const clean = await tempDir();
    const crashed = await tempDir();
    await runOnce(fixture, clean.path, RUN);

    const planning = await openLocalPipeline({ out: crashed.path, ...FAST }, contextFor(fixture));
    await planning.connectPortal();
    await planRun({ runId: RUN, targets: ALL_REPORTS, trigger: 'cli' }, planning.deps);
    await planning.close();

    const child = spawn(process.execPath, ['--import', 'tsx', WORKER], {
      env: { ...process.env, ...contextFor(fixture).env, CRASH_POINT: point, CRASH_AT: '7', CRASH_OUT: crashed.path },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(137);
    // The lock of the dead process is stale; its messages are still queued, the one it died on with its receive counted.
    // (Files ending .tmp are writes the kill cut short: never messages, removed when the queue is next opened.)
    const waiting = (await readdir(join(crashed.path, '.queue', 'work'))).filter((name) => name.endsWith('.json'));
    const counts = await Promise.all(
      waiting.map(
        async (f) => (JSON.parse(await readFile(join(crashed.path, '.queue', 'work', f), 'utf8')) as { receiveCount: number }).receiveCount,
      ),
    );
    expect(counts.filter((c) => c > 0).length).toBeGreaterThanOrEqual(1);

    const context = contextFor(fixture);
    expect(await runReports([], { out: crashed.path, ...FAST }, context)).toBe(0);
    expect(context.out.text()).toContain('queued message(s) first');
    const expected = await reportFiles(clean.path);
    const actual = ofRun(await reportFiles(crashed.path), RUN);
    expect([...actual.keys()]).toEqual([...expected.keys()]);
    for (const [key, bytes] of expected) expect(actual.get(key), key).toBe(bytes);
    await clean.remove();
    await crashed.remove();
  });
});
