import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export interface StartupResult {
  runs: number;
  /** medians, in milliseconds, of the whole process: spawn to exit */
  bareMs: number;
  helpMs: number;
  reportsMs: number;
  /** against a bare `node -e ''` */
  helpRatio: number;
  reportsRatio: number;
}

const BIN = join(import.meta.dirname, '..', 'bin', 'zoho-desk-reports.js');

/** One process from spawn to exit; throws when it fails, so a broken start is never a fast one. */
function timedRun(args: string[]): number {
  const started = performance.now();
  const child = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = performance.now() - started;
  if (child.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${child.status}: ${child.stderr.trim()}`);
  return ms;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Figure 8: how long `zoho-desk-reports --help` and `reports` take from spawn to exit, against a bare
 * `node -e ''`, medians of `runs` rounds after one warm-up round. Each round runs the three in turn, so a
 * machine busy for a moment weighs on all three alike. The CLI must be built (`npm run build`).
 */
export async function startup(runs = 15): Promise<StartupResult> {
  const commands = { bare: ['-e', ''], help: [BIN, '--help'], reports: [BIN, 'reports'] };
  const times: Record<keyof typeof commands, number[]> = { bare: [], help: [], reports: [] };
  for (let round = 0; round <= runs; round += 1) {
    for (const [name, args] of Object.entries(commands) as Array<[keyof typeof commands, string[]]>) {
      const ms = timedRun(args);
      if (round > 0) times[name].push(ms);
    }
  }
  const bareMs = median(times.bare);
  const helpMs = median(times.help);
  const reportsMs = median(times.reports);
  return { runs, bareMs, helpMs, reportsMs, helpRatio: helpMs / bareMs, reportsRatio: reportsMs / bareMs };
}
