import { FileSecretStore } from '../adapters/file-secret-store.js';
import type { Clock, HttpClient } from '../ports.js';
import type { Output } from './output.js';

/** What every command gets: the environment, where to print, and (for tests) replaceable ports. */
export interface CliContext {
  env: Record<string, string | undefined>;
  out: Output;
  http?: HttpClient;
  clock?: Clock;
}

export const DEFAULT_SECRET_PATH = '.zoho/auth.json';

/** The local secret file: --secret, else ZOHO_SECRET_ID, else .zoho/auth.json. */
export function localSecretStore(context: CliContext, flag?: string): FileSecretStore {
  return new FileSecretStore(flag ?? context.env.ZOHO_SECRET_ID?.trim() ?? DEFAULT_SECRET_PATH);
}
