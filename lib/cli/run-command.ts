import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSecretStore } from '../adapters/file-secret-store.js';
import { ReportUnavailableError } from '../errors.js';
import type { SecretStore } from '../ports.js';
import { REPORTS, type ReportDefinition } from '../reports/catalog.js';
import { writeMatchingSecret } from '../simulator/matching-secret.js';
import { startSimulator, type RunningSimulator } from '../simulator/server.js';
import { connectZoho } from '../zoho/connect.js';
import type { DeskClient, DeskRecord, PageRequest } from '../zoho/desk-client.js';
import { localSecretStore, type CliContext } from './context.js';
import { table } from './output.js';

export interface RunOptions {
  simulate?: boolean;
  secret?: string;
  concurrency?: number;
}

interface Parents {
  agents: string[];
  departments: string[];
  tickets: DeskRecord[];
}

/** The calls one report makes, parents discovered (the original project hard-coded these ids). */
function requestsFor(report: ReportDefinition, parents: Parents): PageRequest[] {
  const ids = (records: DeskRecord[]) => records.map((r) => String(r.id));
  switch (report.id) {
    case 'agent-time-entries':
      return parents.agents.map((agentId) => ({ path: { agentId } }));
    case 'customer-happiness':
    case 'email-failures':
      return [{ query: { department: 'allDepartment' } }];
    case 'ticket-tags':
      return parents.departments.map((departmentId) => ({ query: { departmentId } }));
    case 'pending-approvals':
      return ids(parents.tickets.filter((t) => Number(t.approvalCount ?? 1) > 0)).map((ticketId) => ({ path: { ticketId } }));
    case 'threads':
    case 'ticket-time-entries':
      return ids(parents.tickets).map((ticketId) => ({ path: { ticketId } }));
    case 'queue':
      return [{ query: { status: 'Open' } }];
    default:
      return [{}];
  }
}

async function fetchReport(desk: DeskClient, report: ReportDefinition, parents: Parents) {
  let records = 0;
  for (const request of requestsFor(report, parents)) {
    for await (const page of desk.pages(report.endpoint, request)) {
      records += report.id === 'pending-approvals' ? page.records.filter((r) => r.status === 'Pending').length : page.records.length;
    }
  }
  return records;
}

/**
 * `run`: until the storing pipeline lands, fetches every report once (every page, every parent) and prints
 * what it found and what it cost. With --simulate it needs nothing: the simulator runs in-process and a
 * matching secret is written to a temporary folder, never over your own.
 */
export async function runPreview(options: RunOptions, context: CliContext): Promise<void> {
  const out = context.out;
  let running: RunningSimulator | undefined;
  let tempDir: string | undefined;
  let store: SecretStore = localSecretStore(context, options.secret);
  let env = context.env;
  try {
    if (options.simulate) {
      running = await startSimulator({});
      tempDir = await mkdtemp(join(tmpdir(), 'zoho-desk-reports-'));
      store = new FileSecretStore(join(tempDir, 'auth.json'));
      await writeMatchingSecret(running.sim, store);
      env = { ...env, ZOHO_ACCOUNTS_URL: running.accountsUrl, ZOHO_DESK_URL: running.deskUrl, ZOHO_DC: undefined };
      out.line(`Simulated Zoho Desk on ${running.url} (portal ${running.sim.orgId}, ${running.sim.portal.tickets.length} tickets).`);
    }
    const zoho = await connectZoho({
      env,
      store,
      maxConcurrency: options.concurrency ?? 5,
      tokens: { codeRaceWaitMs: 0 },
      ...(context.http && { http: context.http }),
    });
    const { desk } = zoho;
    const started = Date.now();
    const [agents, departments, tickets] = await Promise.all([desk.all('agents'), desk.all('departments'), desk.all('tickets')]);
    const parents = { agents: agents.map((a) => String(a.id)), departments: departments.map((d) => String(d.id)), tickets };
    const rows: Array<Array<string | number>> = [];
    for (const report of REPORTS) {
      const before = { calls: desk.credits.calls, spent: desk.credits.spent };
      let outcome: string;
      try {
        outcome = `${await fetchReport(desk, report, parents)} records`;
      } catch (error) {
        if (!(error instanceof ReportUnavailableError)) throw error;
        outcome = 'unavailable on this edition';
      }
      rows.push([report.id, outcome, desk.credits.calls - before.calls, desk.credits.spent - before.spent]);
    }
    out.line(table(['report', 'result', 'calls', 'credits'], rows));
    out.line(
      `${desk.credits.calls} calls, ${desk.credits.spent} credits` +
        `${desk.credits.remaining !== undefined ? ` (${desk.credits.remaining} left today)` : ''}, ${((Date.now() - started) / 1000).toFixed(1)} s. ` +
        'Nothing was stored: this preview only reads (the storing pipeline comes next).',
    );
  } finally {
    await running?.stop();
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  }
}
