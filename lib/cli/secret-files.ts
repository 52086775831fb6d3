import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { FileSecretStore } from '../adapters/file-secret-store.js';
import { InvalidMessageError } from '../errors.js';

/**
 * Another portal's secret on this machine: a message's secretId "x" is the file x.json in the default
 * secret's folder ("zoho_auth_eu" → .zoho/zoho_auth_eu.json, "zoho_auth/eu" → .zoho/zoho_auth/eu.json), and
 * never a file outside that folder, whatever the secretId says: it comes from a queue message.
 */
export function secretFileFor(defaultSecret: FileSecretStore, secretId: string): FileSecretStore {
  const folder = resolve(dirname(defaultSecret.path));
  const path = resolve(folder, `${secretId}.json`);
  const inside = relative(folder, path);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) {
    throw new InvalidMessageError(
      'secretId must name a secret file inside the secrets folder ("." and ".." segments, or a leading "/", are refused)',
    );
  }
  return new FileSecretStore(path);
}
