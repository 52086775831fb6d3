import { FileSecretStore } from '../adapters/file-secret-store.js';
import type { OperatorClients } from '../aws/operator.js';
import type { Clock, HttpClient, Logger } from '../ports.js';
import type { Output } from './output.js';

/** What every command gets: the environment, where to print, and (for tests) replaceable ports. */
export interface CliContext {
  env: Record<string, string | undefined>;
  out: Output;
  /** the folder the command works from (default: the process's current directory) */
  cwd?: string;
  http?: HttpClient;
  clock?: Clock;
  /** where the pipeline logs (default: nowhere; DEBUG=1 prints JSON lines on stderr) */
  logger?: Logger;
  /** the AWS clients of the operator commands (default: real ones for --region) */
  awsClients?: (region: string | undefined) => OperatorClients;
}

export const DEFAULT_SECRET_PATH = '.zoho/auth.json';
/** The reports folder (the local bucket) when neither --out nor REPORTS_DIR names one. */
export const DEFAULT_OUT = 'reports';

/** The local secret file: --secret, else ZOHO_SECRET_ID, else .zoho/auth.json. */
export function localSecretStore(context: CliContext, flag?: string): FileSecretStore {
  return new FileSecretStore(flag ?? context.env.ZOHO_SECRET_ID?.trim() ?? DEFAULT_SECRET_PATH);
}
