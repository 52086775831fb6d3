import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { FileSecretStore } from '../lib/adapters/file-secret-store.js';
import { pageMessageBody } from '../lib/pipeline/messages.js';
import { writeMatchingSecret } from '../lib/simulator/matching-secret.js';
import { startSimulator } from '../lib/simulator/server.js';

export interface MemoryResult {
  records: number;
  pageBytes: number;
  idleMb: number;
  peakMb: number;
}

/**
 * Figure 3: the peak resident memory of a page worker (bundled like the Lambda, run by plain node in its own
 * process) fetching and storing one page of 100 threads of about 50 kB each.
 */
export async function memory(records = 100, threadBytes = 50_000): Promise<MemoryResult> {
  // The simulator stays in this process: only the worker's own process is measured.
  const running = await startSimulator({ tickets: 3, seed: 5, threadsPerTicket: records, threadBytes });
  const dir = await mkdtemp(join(tmpdir(), 'zdr-memory-'));
  const secretPath = join(dir, 'auth.json');
  await writeMatchingSecret(running.sim, new FileSecretStore(secretPath));
  try {
    const worker = join(dir, 'worker.mjs');
    await build({
      entryPoints: [join(import.meta.dirname, 'memory-worker.ts')],
      bundle: true,
      minify: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile: worker,
      mainFields: ['module', 'main'],
      logLevel: 'warning',
      banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    });
    const ticket = running.sim.portal.tickets[0]!;
    const message = pageMessageBody({
      kind: 'page',
      runId: '2026-11-20T10-00-00Z-be01',
      report: 'threads',
      params: { ticketId: ticket.id },
      page: 1,
      from: 1,
      limit: 100,
      chain: false,
    });
    const child = spawn(process.execPath, [worker], {
      env: {
        ...process.env,
        ZOHO_ACCOUNTS_URL: running.url,
        ZOHO_DESK_URL: running.url,
        ZOHO_SECRET_ID: secretPath,
        BENCH_MESSAGE: message,
        BENCH_OUT: join(dir, 'out'),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number];
    if (code !== 0) throw new Error(`the worker failed (exit ${code})`);
    const result = JSON.parse(output) as { idleKb: number; peakKb: number; outcome: { key: string; records: number } };
    const pageBytes = (await stat(join(dir, 'out', result.outcome.key))).size;
    return { records: result.outcome.records, pageBytes, idleMb: result.idleKb / 1024, peakMb: result.peakKb / 1024 };
  } finally {
    await rm(dir, { recursive: true, force: true });
    await running.stop();
  }
}
