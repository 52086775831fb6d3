// Figure 11's finalizing: a synthetic first run's receipts (every ticket's threads and time entries read, a
// page each, as a first run of every report leaves them), then, in a process of its own, that run finalized:
// the one phase whose live memory grows with the portal (a report's receipts are read together to find what
// left it and fold them). `make <tickets> <folder>` writes the receipts; `finalize <folder>` prints {ms}.
import { setFlagsFromString } from 'node:v8';
import { FolderObjectStore } from '../lib/adapters/folder-object-store.js';
import { runRecordKey } from '../lib/pipeline/keys.js';
import { finalizeRun } from '../lib/pipeline/manifest.js';
import type { PageMessage } from '../lib/pipeline/messages.js';
import { writePlannedBatch, writeReceipt } from '../lib/pipeline/receipts.js';

export const SYNTHETIC_RUN = '2026-11-20T10-00-00Z-0a0a';
const REPORTS = ['threads', 'ticket-time-entries'] as const;
const id = (base: bigint, n: number) => String(base + BigInt(n));

export async function makeFirstRun(tickets: number, folder: string): Promise<number> {
  const store = new FolderObjectStore(folder);
  const record = {
    runId: SYNTHETIC_RUN,
    startedAt: '2026-11-20T10:00:00.000Z',
    trigger: 'cli',
    status: 'planned',
    orgId: '1',
    requests: REPORTS.map((report) => ({ report, params: {} })),
  };
  await store.put(runRecordKey(SYNTHETIC_RUN), JSON.stringify(record), 'application/json');
  const page = (report: string, ticket: number): PageMessage => ({
    kind: 'page',
    runId: SYNTHETIC_RUN,
    report,
    params: { ticketId: id(1329983000000000000n, ticket) },
    page: 1,
    from: 1,
    limit: 100,
    chain: true,
  });
  let batch: PageMessage[] = [];
  let batches = 0;
  let records = 0;
  for (let ticket = 0; ticket < tickets; ticket += 1) {
    for (const report of REPORTS) {
      const message = page(report, ticket);
      batch.push(message);
      if (batch.length === 100) {
        await writePlannedBatch(store, SYNTHETIC_RUN, ++batches, batch);
        batch = [];
      }
      // About what the bench portal holds: 3.5 threads a ticket, one time entry in two.
      const ids = Array.from({ length: report === 'threads' ? 3 + (ticket % 2) : ticket % 2 }, () => id(1329983000100000000n, records++));
      await writeReceipt(store, message, 'written', { records: ids.length, ids, credits: 1 });
    }
  }
  if (batch.length) await writePlannedBatch(store, SYNTHETIC_RUN, ++batches, batch);
  return tickets * REPORTS.length;
}

if (process.argv[2] === 'finalize') {
  setFlagsFromString('--heap-growing-percent=25'); // as bin/zoho-desk-reports.js sets it for every command
  const started = performance.now();
  await finalizeRun(new FolderObjectStore(process.argv[3] as string), SYNTHETIC_RUN);
  process.stdout.write(JSON.stringify({ ms: performance.now() - started }));
}
