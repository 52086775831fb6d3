import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../lib/cli/main.js';
import { tempDir } from './helpers/zoho.js';
import { capture } from './helpers/capture.js';

const BIN = join(import.meta.dirname, '..', 'bin', 'zoho-desk-reports.js');
const VERSION = (
  JSON.parse(spawnSync(process.execPath, ['-p', 'JSON.stringify(require("./package.json"))'], { encoding: 'utf8' }).stdout) as { version: string }
).version;

/** Private mount namespaces (Linux, util-linux's unshare): a small or read-only disk of the test's own. */
const namespaces = spawnSync('unshare', ['-rm', 'true']).status === 0;

/**
 * `run --simulate --out <disk>/reports` in a child process, after `mount` (a shell command, $0 = <disk>) in a
 * private mount namespace: a small tmpfs (a full disk, ENOSPC) or a read-only one (EROFS), for this process
 * alone. Real file-system errors, no mocks.
 */
async function runOnDisk(disk: string, mount: string) {
  const script = `${mount} && exec "$@"`;
  const child = spawn('unshare', ['-rm', 'sh', '-c', script, disk, process.execPath, BIN, 'run', '--simulate', '--out', join(disk, 'reports')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stdout.resume();
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, stderr: stderr.trim() };
}

describe("exit codes keep the README's promise", () => {
  it.each([
    [['run', '--concurrency', '0'], "option '--concurrency <n>' argument '0' is invalid"],
    [['run', '--bogus'], "unknown option '--bogus'"],
    [['status', '--runs'], "option '--runs <n>' argument missing"],
    [['frobnicate'], "unknown command 'frobnicate'"],
    [[], 'Usage: zoho-desk-reports'],
  ])('a usage error %j exits 2', async (args, message) => {
    const out = capture();
    expect(await main(args, { env: {}, out })).toBe(2);
    expect(out.errors.join('\n')).toContain(message);
  });

  it('--help and --version exit 0', async () => {
    const help = capture();
    expect(await main(['--help'], { env: {}, out: help })).toBe(0);
    expect(help.lines.join('\n')).toContain('Usage: zoho-desk-reports');
    const version = capture();
    expect(await main(['--version'], { env: {}, out: version })).toBe(0);
    expect(version.lines).toEqual([VERSION]);
  });

  it('--out on a file: exit 2, naming it and what to do', async () => {
    const dir = await tempDir();
    try {
      const file = join(dir.path, 'reports');
      await writeFile(file, 'not a folder');
      const out = capture();
      expect(await main(['run', '--simulate', '--out', file], { env: {}, out })).toBe(2);
      expect(out.errors).toEqual([
        expect.stringContaining(`Cannot use the queue folder ${join(file, '.queue')} (ENOTDIR at ${join(file, '.queue')}`),
      ]);
      expect(out.errors[0]).toContain('Give --out a folder, or move the file away.');
    } finally {
      await dir.remove();
    }
  });

  // Needs private mount namespaces (Linux with util-linux's unshare); elsewhere these two are skipped.
  it.skipIf(!namespaces)('a full disk: exit 2, naming the reports folder and what to do', async () => {
    const dir = await tempDir();
    try {
      const disk = join(dir.path, 'disk');
      await mkdir(disk);
      const result = await runOnDisk(disk, 'mount -t tmpfs -o size=256k tmpfs "$0"');
      expect(result.stderr).toMatch(
        new RegExp(`^zoho-desk-reports: Cannot use the (reports|queue) folder ${join(disk, 'reports')}\\S* \\(ENOSPC at ${join(disk, 'reports')}/`),
      );
      expect(result.stderr).toContain('the disk is full. Free some space, then run again; the queued pages are kept.');
      expect(result.code).toBe(2);
    } finally {
      await dir.remove();
    }
  });

  it.skipIf(!namespaces)('a read-only disk: exit 2, naming the folder and what to do', async () => {
    const dir = await tempDir();
    try {
      const disk = join(dir.path, 'disk');
      await mkdir(disk);
      // A disk that turned read-only under an existing reports folder.
      const result = await runOnDisk(
        disk,
        'mount -t tmpfs tmpfs "$0" && mkdir -p "$0/reports/.queue/work" "$0/reports/.queue/dead" && mount -o remount,ro "$0"',
      );
      expect(result.stderr).toMatch(
        new RegExp(
          `^zoho-desk-reports: Cannot use the queue folder ${join(disk, 'reports', '.queue')} \\(EROFS at ${join(disk, 'reports', '.queue')}/`,
        ),
      );
      expect(result.stderr).toContain('it is on a read-only file system. Give --out a writable folder.');
      expect(result.code).toBe(2);
    } finally {
      await dir.remove();
    }
  });
});
