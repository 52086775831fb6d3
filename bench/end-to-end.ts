import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EDITION_LIMITS } from '../lib/zoho/editions.js';
import { bench } from './setup.js';

export interface EndToEndResult {
  report: string;
  tickets: number;
  latencyMs: number;
  concurrency: number;
  /** every Desk call the run made: discovery, pages, the portal's description */
  calls: number;
  wallMs: number;
  /** calls × latency / concurrency: no run making these calls can be faster */
  limitMs: number;
  ratio: number;
  /** how long a Desk call took on average as the run's process saw it: L and the simulator's own time on this machine */
  seenMs: number;
  /** calls × seenMs / concurrency, and the run's time against it: what this machine allowed */
  seenLimitMs: number;
  seenRatio: number;
  /** peak resident memory of the run's process, from /usr/bin/time-like accounting (process.resourceUsage) */
  exitCode: number;
}

const ROOT = join(import.meta.dirname, '..');

/**
 * Figure 9: a first `zoho-desk-reports run <report>` timed as a user runs it — a process of its own, start-up,
 * portal check, discovery, planning, every page, the manifests — against a simulator answering each call in
 * L ms with C calls allowed at once (the portal's edition). The limit is the calls it made × L / C.
 */
export async function endToEnd(report = 'threads', tickets = 1_500, latencyMs = 100, edition = 'PROFESSIONAL'): Promise<EndToEndResult> {
  const setup = await bench({ tickets, seed: 11, latencyMs, edition });
  try {
    const before = (await setup.stats()).deskCalls;
    const started = performance.now();
    const child = spawn(
      process.execPath,
      [
        '--import',
        join(ROOT, 'bench/call-timer.mjs'),
        join(ROOT, 'bin/zoho-desk-reports.js'),
        'run',
        report,
        '--out',
        join(setup.dir, 'out'),
        '--reserve',
        '0',
      ],
      {
        env: { ...process.env, ...setup.context.env, CI: 'true', BENCH_CALLS_FILE: join(setup.dir, 'calls.json') },
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    const [exitCode] = (await once(child, 'exit')) as [number];
    const wallMs = performance.now() - started;
    const calls = (await setup.stats()).deskCalls - before;
    const concurrency = EDITION_LIMITS[edition as keyof typeof EDITION_LIMITS].concurrency;
    const limitMs = (calls * latencyMs) / concurrency;
    const seen = JSON.parse(await readFile(join(setup.dir, 'calls.json'), 'utf8')) as { calls: number; meanMs: number };
    const seenLimitMs = (calls * seen.meanMs) / concurrency;
    return {
      report,
      tickets,
      latencyMs,
      concurrency,
      calls,
      wallMs,
      limitMs,
      ratio: wallMs / limitMs,
      seenMs: seen.meanMs,
      seenLimitMs,
      seenRatio: wallMs / seenLimitMs,
      exitCode,
    };
  } finally {
    await setup.close();
  }
}
