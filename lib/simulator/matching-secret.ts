import type { SecretStore } from '../ports.js';
import type { Simulator } from './simulator.js';

/** Writes a secret that works against this simulator: its client, a fresh grant code and its org id. */
export async function writeMatchingSecret(sim: Simulator, store: SecretStore, scopes?: readonly string[]): Promise<void> {
  await store.write({
    client_id: sim.accounts.clientId,
    client_secret: sim.accounts.clientSecret,
    code: sim.issueGrantCode(scopes),
    org_id: sim.orgId,
  });
}
