import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OffsetClock } from '../lib/clock.js';
import type { CliContext } from '../lib/cli/context.js';
import { openLocalPipeline, type LocalOptions, type LocalPipeline } from '../lib/cli/local-pipeline.js';
import type { Output } from '../lib/cli/output.js';
import type { ChangeReport, Changes } from '../lib/simulator/evolve.js';
import type { SimulatorStats } from '../lib/simulator/simulator.js';

export const quiet: Output = { line: () => undefined, error: () => undefined };
const ROOT = join(import.meta.dirname, '..');

export interface SimulatorFlags {
  tickets: number;
  seed: number;
  latencyMs?: number;
  dailyCredits?: number;
  /** the portal's edition (its concurrent-call limit), default the simulator's */
  edition?: string;
  /** further portals on the same simulator, as `--portal` takes them ("standard:150"); their secrets sit beside the first's */
  portals?: string[];
}

export interface Bench {
  url: string;
  /** the temporary folder of this bench (the secret, the pipelines' folders) */
  dir: string;
  context: CliContext;
  stats(): Promise<SimulatorStats>;
  /** moves the simulator's clock and ours, and changes its data */
  advance(ms: number, changes: Changes): Promise<ChangeReport>;
  /** a local pipeline writing to `out`, or to a fresh folder of its own */
  pipeline(options?: LocalOptions): Promise<LocalPipeline & { folder: string }>;
  close(): Promise<void>;
}

/**
 * The Zoho Desk simulator in a process of its own (`zoho-desk-reports simulator`), as Zoho is: its work does
 * not compete with the pipeline's for this process's CPU. A matching secret in a temporary folder.
 */
export async function bench(flags: SimulatorFlags): Promise<Bench> {
  const dir = await mkdtemp(join(tmpdir(), 'zdr-bench-'));
  const secretPath = join(dir, 'auth.json');
  const args = ['simulator', '--port', '0', '--tickets', String(flags.tickets), '--seed', String(flags.seed), '--write-secret', secretPath];
  if (flags.latencyMs) args.push('--latency', String(flags.latencyMs));
  if (flags.dailyCredits) args.push('--credits', String(flags.dailyCredits));
  if (flags.edition) args.push('--edition', flags.edition.toLowerCase());
  for (const portal of flags.portals ?? []) args.push('--portal', portal);
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, 'bin/zoho-desk-reports.js'), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let banner = '';
  for await (const chunk of child.stdout!) {
    banner += (chunk as Buffer).toString();
    if (banner.includes('Ctrl+C')) break;
  }
  const url = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(banner)?.[1];
  if (!url) throw new Error(`the simulator did not start:\n${banner}`);
  const clock = new OffsetClock();
  const context: CliContext = { env: { ZOHO_ACCOUNTS_URL: url, ZOHO_DESK_URL: url, ZOHO_SECRET_ID: secretPath }, out: quiet, clock };
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${url}${path}`, { method: 'POST', body: JSON.stringify(body) });
    return res.json() as Promise<unknown>;
  };
  let folders = 0;
  return {
    url,
    dir,
    context,
    stats: async () => (await (await fetch(`${url}/_sim/stats`)).json()) as SimulatorStats,
    advance: async (ms, changes) => {
      clock.advance(ms);
      return (await post('/_sim/advance', { advanceMs: ms, ...changes })) as ChangeReport;
    },
    pipeline: async (options = {}) => {
      if (options.out === undefined) folders += 1;
      const folder = options.out ?? join(dir, `out-${folders}`);
      const pipeline = await openLocalPipeline({ out: folder, reserve: '0', ...options }, context);
      await pipeline.connectPortal();
      return Object.assign(pipeline, { folder });
    },
    close: async () => {
      child.kill('SIGINT');
      await new Promise((resolve) => child.once('exit', resolve));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
