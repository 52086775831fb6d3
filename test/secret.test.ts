import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileSecretStore } from '../lib/adapters/file-secret-store.js';
import { ConfigError } from '../lib/errors.js';
import { tempDir } from './helpers/zoho.js';
import { rejection } from './helpers/errors.js';

const valid = { client_id: '1000.ABC', client_secret: 's3cr3t-value', code: '1000.code', org_id: '927523540' };

describe('the secret file', () => {
  let dir: { path: string; remove(): Promise<void> } | undefined;
  afterEach(async () => dir?.remove());

  it('is written atomically with mode 0600, in a folder only its owner can enter', async () => {
    dir = await tempDir();
    const path = join(dir.path, '.zoho', 'auth.json');
    const store = new FileSecretStore(path);
    await store.write(valid);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir.path, '.zoho'))).mode & 0o777).toBe(0o700);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual(valid);
    await store.write({ ...valid, refresh_token: 'r' });
    expect(await store.read()).toEqual({ ...valid, refresh_token: 'r' });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('refuses a group- or world-readable file and gives the chmod that fixes it', async () => {
    dir = await tempDir();
    const path = join(dir.path, 'auth.json');
    await writeFile(path, JSON.stringify(valid));
    await chmod(path, 0o644);
    const error = await rejection(new FileSecretStore(path).read());
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain('mode 644');
    expect(error.message).toContain(`chmod 600 ${path}`);
  });

  it('explains a missing or unreadable file', async () => {
    dir = await tempDir();
    const missing = await rejection(new FileSecretStore(join(dir.path, 'none.json')).read());
    expect(missing.message).toContain('No secret file');
    expect(missing.message).toContain('run --simulate');
    const path = join(dir.path, 'broken.json');
    await writeFile(path, '{"client_id": "a",', { mode: 0o600 });
    const broken = await rejection(new FileSecretStore(path).read());
    expect(broken).toBeInstanceOf(ConfigError);
    expect(broken.message).toContain('is not valid JSON');
  });
});
