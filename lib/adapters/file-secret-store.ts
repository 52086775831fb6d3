import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { ConfigError } from '../errors.js';
import type { SecretStore } from '../ports.js';
import { jsonProblem } from './json-problem.js';

function code(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * The local secret store: a JSON file (default `.zoho/auth.json`) readable by its owner only. Writes are
 * atomic (a temporary file renamed over the old one), so a crash never leaves half a secret behind.
 */
export class FileSecretStore implements SecretStore {
  readonly description: string;

  constructor(readonly path: string) {
    this.description = `secret file ${path}`;
  }

  async read(): Promise<Record<string, unknown>> {
    let text: string;
    try {
      const info = await stat(this.path);
      // Refuse a secret other users can read: it holds the client secret and the refresh token.
      if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) {
        const mode = (info.mode & 0o777).toString(8).padStart(3, '0');
        throw new ConfigError(`The ${this.description} can be read by other users (mode ${mode}). Run: chmod 600 ${this.path}`);
      }
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      if (code(error) === 'ENOENT') {
        throw new ConfigError(
          `No ${this.description}. Create it (mode 600) with client_id, client_secret, code and org_id from the Zoho ` +
            'API console (see the README), set ZOHO_SECRET_ID to its path, or try everything with `run --simulate`.',
        );
      }
      throw new ConfigError(`Cannot read the ${this.description}: ${(error as Error).message}`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Never JSON.parse's message: it quotes the text, which is the client secret and the tokens.
      throw new ConfigError(`The ${this.description} is not valid JSON (${jsonProblem(text)}). Fix it or write it again.`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new ConfigError(`The ${this.description} must hold one JSON object.`);
    }
    return parsed as Record<string, unknown>;
  }

  async write(value: Record<string, unknown>): Promise<void> {
    const dir = dirname(this.path);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const temp = join(dir, `.${basename(this.path)}.${randomBytes(6).toString('hex')}.tmp`);
    const handle = await open(temp, 'wx', 0o600);
    try {
      try {
        await handle.writeFile(`${JSON.stringify(value, null, 2)}\n`, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await chmod(temp, 0o600); // the umask cannot widen it, but be explicit
      await rename(temp, this.path);
    } catch (error) {
      // A failed write (a full disk, say) leaves no half secret behind.
      await unlink(temp).catch(() => undefined);
      throw error;
    }
  }
}
