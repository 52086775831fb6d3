import { FileSecretStore } from '../adapters/file-secret-store.js';
import type { OperatorClients } from '../aws/operator.js';
import type { Clock, HttpClient } from '../ports.js';
import type { Output } from './output.js';

/** What every command gets: the environment, where to print, and (for tests) replaceable ports. */
export interface CliContext {
  env: Record<string, string | undefined>;
  out: Output;
  http?: HttpClient;
  clock?: Clock;
  /** the AWS clients of the operator commands (default: real ones for --region) */
  awsClients?: (region: string | undefined) => OperatorClients;
}

export const DEFAULT_SECRET_PATH = '.zoho/auth.json';

/** The local secret file: --secret, else ZOHO_SECRET_ID, else .zoho/auth.json. */
export function localSecretStore(context: CliContext, flag?: string): FileSecretStore {
  return new FileSecretStore(flag ?? context.env.ZOHO_SECRET_ID?.trim() ?? DEFAULT_SECRET_PATH);
}
