import { dirname, join } from 'node:path';
import { FileSecretStore } from '../adapters/file-secret-store.js';
import { ConfigError } from '../errors.js';
import type { Edition } from '../simulator/dataset.js';
import { parseEdition } from '../simulator/editions.js';
import { writeMatchingSecret } from '../simulator/matching-secret.js';
import { type RunningSimulator, startSimulator } from '../simulator/server.js';
import type { Simulator } from '../simulator/simulator.js';
import type { CliContext } from './context.js';
import { secretFileFor } from './secret-files.js';

/** One `--portal <edition>:<tickets>`: a further portal served on the same port. */
export interface PortalFlag {
  edition: Edition;
  tickets: number;
}

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
  /** further portals; the n-th is generated from seed + n */
  portal?: PortalFlag[];
}

// secretIds start with the Secrets Manager prefix (SECRET_PREFIX of local-pipeline.ts, not imported: it loads the pipeline).
const SECRET_PREFIX = 'zoho_auth';

/** `simulator`: serves the bundled Zoho Desk simulator, one portal or several on one port, until interrupted. */
export async function serveSimulator(options: SimulatorCommandOptions, context: CliContext): Promise<RunningSimulator> {
  let edition;
  try {
    edition = parseEdition(options.edition);
  } catch (error) {
    throw new ConfigError(`--edition: ${(error as Error).message}`);
  }
  // The fault flags are Zoho's behaviour, so every portal's; --concurrency and --credits override the first's edition.
  const faults = {
    latencyMs: options.latency,
    serverErrorRate: options.errorRate,
    tooManyRequestsRate: options.throttleRate,
    resetRate: options.resetRate,
  };
  const further = options.portal ?? [];
  const running = await startSimulator({
    port: options.port,
    seed: options.seed,
    tickets: options.tickets,
    edition,
    faults,
    ...(options.concurrency !== undefined && { concurrencyLimit: options.concurrency }),
    ...(options.credits !== undefined && { dailyCredits: options.credits }),
    portals: further.map((flag, n) => ({ seed: options.seed + n + 1, edition: flag.edition, tickets: flag.tickets, faults })),
  });
  const { sim, sims, url } = running;
  const out = context.out;
  const describe = (s: Simulator, n: number) =>
    `portal ${s.orgId} (${s.portal.org.edition}, ${s.portal.tickets.length} tickets, seed ${options.seed + n})`;
  const secrets = options.writeSecret ? await writeSecrets(sims, options.writeSecret) : undefined;
  if (sims.length === 1) {
    out.line(`Zoho Desk simulator on ${url}: ${describe(sim, 0)}.`);
  } else {
    out.line(`Zoho Desk simulator on ${url}: ${sims.length} portals (a Desk call's orgId picks one, a token request's client_id too).`);
    sims.forEach((s, n) => {
      out.line(`  ${describe(s, n)}: ${secrets?.[n] ?? `grant code (valid 3 minutes) ${s.issueGrantCode()}`}`);
    });
  }
  out.line('Point the client at it:');
  out.line(`  export ZOHO_ACCOUNTS_URL=${running.accountsUrl} ZOHO_DESK_URL=${running.deskUrl}`);
  if (options.writeSecret) {
    out.line(`  export ZOHO_SECRET_ID=${options.writeSecret}   # written: client, a fresh grant code (3 min) and org_id`);
  } else if (sims.length === 1) {
    out.line(`  grant code (valid 3 minutes): ${sim.issueGrantCode()}   (--write-secret FILE writes a whole matching secret)`);
  } else {
    out.line('  (--write-secret FILE writes a whole matching secret per portal: FILE, and zoho_auth_<orgId>.json beside it)');
  }
  out.line(`Controls: GET ${url}/_sim/stats, POST ${url}/_sim/faults|codes|advance|credits|revoke (JSON bodies). Ctrl+C stops.`);
  if (sims.length > 1) out.line(`  ?org=<orgId> picks the portal a control acts on (default: the first); GET ${url}/_sim/portals lists them.`);
  return running;
}

/**
 * A matching secret per portal: the first's in `file`, each further portal's beside it as zoho_auth_<orgId>.json,
 * which is where a queue message's secretId "zoho_auth_<orgId>" finds it (secret-files.ts). Returns the banner's
 * note for each.
 */
async function writeSecrets(sims: readonly Simulator[], file: string): Promise<string[]> {
  const first = new FileSecretStore(file);
  const notes: string[] = [];
  for (const [n, sim] of sims.entries()) {
    const secretId = `${SECRET_PREFIX}_${sim.orgId}`;
    await writeMatchingSecret(sim, n === 0 ? first : secretFileFor(first, secretId));
    notes.push(n === 0 ? `secret ${file} (ZOHO_SECRET_ID)` : `secret ${join(dirname(file), `${secretId}.json`)} (secretId ${secretId})`);
  }
  return notes;
}
