import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { build } from 'esbuild';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeFirstRun } from './finalize-only.js';
import { bench } from './setup.js';

const ROOT = join(import.meta.dirname, '..');

export interface ScalePoint {
  tickets: number;
  /** peak RSS of planning every report (discovery included), MB */
  planningMb: number;
  planningPages: number;
  planningMs: number;
  /** peak RSS of a first local `run` of every report, MB (undefined where it was not run: too long for a bench) */
  runMb: number | undefined;
  runMs: number | undefined;
}

/** Runs a process with the RSS reporter preloaded; its stdout, peak RSS (MB) and time. */
async function measured(
  args: string[],
  env: Record<string, string | undefined>,
  rssFile: string,
): Promise<{ stdout: string; mb: number; ms: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', join(ROOT, 'bench/rss-at-exit.mjs'), ...args], {
    env: { ...process.env, ...env, CI: 'true', BENCH_RSS_FILE: rssFile },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number];
  if (code !== 0) throw new Error(`${args.join(' ')} exited ${code}:\n${stdout.slice(-2000)}`);
  return { stdout, mb: Number(await readFile(rssFile, 'utf8')) / 1024, ms: performance.now() - started };
}

/**
 * Figure 11: peak memory against the portal's size — planning every report (the scheduler's work) and a whole
 * first local run — each in a process of its own against the simulator in another, as a user runs them.
 */
export async function scale(sizes: number[], runUpTo: number): Promise<ScalePoint[]> {
  const points: ScalePoint[] = [];
  for (const tickets of sizes) {
    // A first run costs about 6 credits a ticket (a threads and a time-entries page each): more than a day of an edition.
    const setup = await bench({ tickets, seed: 5, dailyCredits: tickets * 10 + 100_000 });
    try {
      const plan = await measured(
        ['--import', 'tsx', join(ROOT, 'bench/plan-only.ts')],
        { ...setup.context.env, BENCH_OUT: join(setup.dir, 'plan') },
        join(setup.dir, 'plan.rss'),
      );
      const { pages } = JSON.parse(plan.stdout) as { pages: number };
      let run: { mb: number; ms: number } | undefined;
      if (tickets <= runUpTo) {
        run = await measured(
          [join(ROOT, 'bin/zoho-desk-reports.js'), 'run', '--out', join(setup.dir, 'run'), '--reserve', '0'],
          setup.context.env,
          join(setup.dir, 'run.rss'),
        );
      }
      points.push({ tickets, planningMb: plan.mb, planningPages: pages, planningMs: plan.ms, runMb: run?.mb, runMs: run?.ms });
    } finally {
      await setup.close();
    }
  }
  return points;
}

/**
 * MB per 1,000 tickets, the least-squares line through every size measured (two sizes alone let one noisy
 * peak swing a projection by tens of MB), and where that line is at `at` tickets.
 */
export function slope(
  points: ScalePoint[],
  of: (p: ScalePoint) => number | undefined,
  at = 100_000,
): { perThousand: number; at: number } | undefined {
  const measured = points.flatMap((p) => (of(p) === undefined ? [] : [{ x: p.tickets / 1_000, y: of(p) as number }]));
  if (measured.length < 2) return undefined;
  const meanX = measured.reduce((sum, p) => sum + p.x, 0) / measured.length;
  const meanY = measured.reduce((sum, p) => sum + p.y, 0) / measured.length;
  const perThousand = measured.reduce((sum, p) => sum + (p.x - meanX) * (p.y - meanY), 0) / measured.reduce((sum, p) => sum + (p.x - meanX) ** 2, 0);
  return { perThousand, at: meanY + perThousand * (at / 1_000 - meanX) };
}

export interface FinalizePoint {
  tickets: number;
  pages: number;
  /** peak RSS of the process finalizing the run, MB (Node and tsx included) */
  mb: number;
  ms: number;
}

/**
 * Finalizing a first run of `tickets` tickets alone, over synthetic receipts (bench/finalize-only.ts): a whole
 * first run at 100,000 tickets takes longer than a bench can wait, and this is its one phase whose live memory
 * grows with the portal.
 */
export async function finalizeAt(tickets: number): Promise<FinalizePoint> {
  const folder = await mkdtemp(join(tmpdir(), 'zdr-finalize-'));
  try {
    const pages = await makeFirstRun(tickets, folder);
    // Compiled first, as the command line runs (dist/cli): tsx would add its own tens of MB to what is measured.
    const script = join(ROOT, 'node_modules/.cache/zoho-desk-reports-bench/finalize-only.mjs');
    await build({
      entryPoints: [join(ROOT, 'bench/finalize-only.ts')],
      outfile: script,
      bundle: true,
      format: 'esm',
      platform: 'node',
      packages: 'external',
      logLevel: 'warning',
    });
    const { mb, ms } = await measured([script, 'finalize', folder], {}, join(folder, 'finalize.rss'));
    return { tickets, pages, mb, ms };
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
