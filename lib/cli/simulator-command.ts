import { ConfigError } from '../errors.js';
import { FileSecretStore } from '../adapters/file-secret-store.js';
import { parseEdition } from '../simulator/editions.js';
import { writeMatchingSecret } from '../simulator/matching-secret.js';
import { startSimulator, type RunningSimulator } from '../simulator/server.js';
import type { CliContext } from './context.js';

export interface SimulatorCommandOptions {
  port: number;
  seed: number;
  tickets: number;
  edition: string;
  latency: number;
  errorRate: number;
  throttleRate: number;
  resetRate: number;
  concurrency?: number;
  credits?: number;
  writeSecret?: string;
}

/** `simulator`: serves the bundled Zoho Desk simulator until interrupted. */
export async function serveSimulator(options: SimulatorCommandOptions, context: CliContext): Promise<RunningSimulator> {
  let edition;
  try {
    edition = parseEdition(options.edition);
  } catch (error) {
    throw new ConfigError(`--edition: ${(error as Error).message}`);
  }
  const running = await startSimulator({
    port: options.port,
    seed: options.seed,
    tickets: options.tickets,
    edition,
    faults: {
      latencyMs: options.latency,
      serverErrorRate: options.errorRate,
      tooManyRequestsRate: options.throttleRate,
      resetRate: options.resetRate,
    },
    ...(options.concurrency !== undefined && { concurrencyLimit: options.concurrency }),
    ...(options.credits !== undefined && { dailyCredits: options.credits }),
  });
  const { sim, url } = running;
  const out = context.out;
  out.line(`Zoho Desk simulator on ${url}: portal ${sim.orgId} (${edition}, ${sim.portal.tickets.length} tickets, seed ${options.seed}).`);
  out.line('Point the client at it:');
  out.line(`  export ZOHO_ACCOUNTS_URL=${running.accountsUrl} ZOHO_DESK_URL=${running.deskUrl}`);
  if (options.writeSecret) {
    await writeMatchingSecret(sim, new FileSecretStore(options.writeSecret));
    out.line(`  export ZOHO_SECRET_ID=${options.writeSecret}   # written: client, a fresh grant code (3 min) and org_id`);
  } else {
    out.line(`  grant code (valid 3 minutes): ${sim.issueGrantCode()}   (--write-secret FILE writes a whole matching secret)`);
  }
  out.line(`Controls: GET ${url}/_sim/stats, POST ${url}/_sim/faults|codes|advance|credits|revoke (JSON bodies). Ctrl+C stops.`);
  return running;
}
