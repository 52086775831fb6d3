// Run in a child process (bundled, plain node): one page worker storing one page, then its peak RSS.
import { readFileSync } from 'node:fs';
import { FileSecretStore } from '../lib/adapters/file-secret-store.js';
import { FolderObjectStore } from '../lib/adapters/folder-object-store.js';
import { systemClock } from '../lib/clock.js';
import { zohoConnections } from '../lib/pipeline/connections.js';
import { handleMessage } from '../lib/pipeline/page-worker.js';
import { silentLogger } from '../lib/ports.js';

/**
 * The process's peak resident memory in kB. On Linux from VmHWM, which starts afresh with this program
 * (getrusage's maxRSS would carry over the parent's peak across exec); elsewhere from maxRSS.
 */
function peakKb(): number {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const match = /VmHWM:\s+(\d+) kB/.exec(status);
    if (match) return Number(match[1]);
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS;
}

const env = process.env as Record<string, string>;
const idleKb = peakKb();
const outcome = await handleMessage(env.BENCH_MESSAGE ?? '', {
  store: new FolderObjectStore(env.BENCH_OUT ?? ''),
  queue: {
    send: async () => undefined,
    receive: async () => [],
    delete: async () => undefined,
    release: async () => undefined,
    deadLetter: async () => undefined,
  },
  clock: systemClock,
  logger: silentLogger,
  zoho: zohoConnections({ env, storeFor: () => new FileSecretStore(env.ZOHO_SECRET_ID ?? ''), maxConcurrency: 1 }),
  secretPrefix: 'zoho_auth',
  maxReceiveCount: 5,
});
process.stdout.write(JSON.stringify({ idleKb, peakKb: peakKb(), outcome }));
