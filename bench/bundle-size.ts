import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface BundleResult {
  /** handler name → bytes of its bundled code (uncompressed), as deployed */
  handlers: Record<string, number>;
  /** handler name → bytes of its zip */
  zips: Record<string, number>;
}

/** The uncompressed size of every entry of a zip file, from its central directory. */
function zipEntries(zip: Buffer): Record<string, number> {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) throw new Error('not a zip file');
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries: Record<string, number> = {};
  for (let i = 0; i < count; i += 1) {
    const size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const extra = zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    entries[zip.toString('utf8', at + 46, at + 46 + nameLength)] = size;
    at += 46 + nameLength + extra;
  }
  return entries;
}

/** Figure 4: what each Lambda loads at a cold start — `serverless package`, offline, exactly as deployed. */
export async function bundleSizes(): Promise<BundleResult> {
  const dir = await mkdtemp(join(tmpdir(), 'zdr-package-'));
  try {
    const root = join(import.meta.dirname, '..');
    const child = spawn(process.execPath, [join(root, 'node_modules/osls/bin/serverless.js'), 'package', '--stage', 'bench', '--package', dir], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: dir, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' },
      stdio: 'ignore',
    });
    const [code] = (await once(child, 'exit')) as [number];
    if (code !== 0) throw new Error(`serverless package failed (exit ${code})`);
    const result: BundleResult = { handlers: {}, zips: {} };
    for (const name of ['scheduler', 'consumer']) {
      const zip = await readFile(join(dir, `${name}.zip`));
      result.zips[name] = zip.length;
      result.handlers[name] = Object.values(zipEntries(zip)).reduce((a, b) => a + b, 0);
    }
    return result;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
