import { spawn, type ChildProcess, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { once } from 'node:events';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { FolderQueue } from '../lib/adapters/folder-queue.js';
import { ManualClock } from '../lib/clock.js';
import { ConfigError } from '../lib/errors.js';
import { tempDir } from './helpers/zoho.js';
import { rejection } from './helpers/errors.js';

const WORKER = join(import.meta.dirname, 'helpers', 'lock-worker.ts');
const options = { clock: new ManualClock(), maxReceiveCount: 5 };

/** A lock worker (test/helpers/lock-worker.ts) in its own process, read line by line. */
function worker(env: Record<string, string>) {
  const child: ChildProcessByStdio<Writable, Readable, null> = spawn(process.execPath, ['--import', 'tsx', WORKER], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    child,
    async next(): Promise<string> {
      const { value, done } = await lines.next();
      if (done) throw new Error(`worker ${child.pid} ended`);
      return value as string;
    },
    send: (line: string) => child.stdin.write(`${line}\n`),
  };
}

/** Queue folders a process left locked when it died; its pid. */
async function staleLocks(...folders: string[]): Promise<number> {
  const crashed = worker({ LOCK_MODE: 'crash', LOCK_DIRS: JSON.stringify(folders) });
  expect(await crashed.next()).toBe('locked');
  await once(crashed.child, 'exit');
  return crashed.child.pid!;
}

const children: ChildProcess[] = [];
let dir: { path: string; remove(): Promise<void> } | undefined;
afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await dir?.remove();
});

describe('the folder queue lock, between processes', () => {
  it('a stale lock is taken over by exactly one of several processes racing for it, every time', async () => {
    dir = await tempDir();
    const TRIALS = 20;
    const RACERS = 5;
    const folders = Array.from({ length: TRIALS }, (_, i) => join(dir!.path, `queue-${i}`));
    await staleLocks(...folders);
    const racers = Array.from({ length: RACERS }, () => worker({ LOCK_MODE: 'race' }));
    children.push(...racers.map((r) => r.child));
    for (const racer of racers) expect(await racer.next()).toBe('ready');
    for (const folder of folders) {
      for (const racer of racers) racer.send(`go ${folder}`);
      const answers = await Promise.all(racers.map((r) => r.next()));
      const winners = racers.filter((_, i) => answers[i] === 'won');
      expect(winners, answers.join('\n')).toHaveLength(1);
      const losers = answers.filter((answer) => answer !== 'won');
      for (const answer of losers)
        expect(answer).toMatch(
          new RegExp(`^lost ConfigError: Another zoho-desk-reports process \\(pid ${winners[0]!.child.pid}\\) is using the queue in ${folder};`),
        );
      for (const racer of racers) racer.send('release');
      for (const racer of racers) expect(await racer.next()).toBe('released');
    }
    for (const racer of racers) racer.child.stdin.end();
  });

  it('a lock whose pid now belongs to an unrelated process is stale', async () => {
    dir = await tempDir();
    const folder = join(dir.path, 'queue');
    const gone = await staleLocks(folder);
    // The pid is reused: an unrelated, live process gets it. Here: a sleep, written into the lock in place of
    // the dead holder's pid (whatever else the lock records about its holder stays as the holder wrote it).
    const unrelated = spawn('sleep', ['30']);
    children.push(unrelated);
    const locks = (await readdir(folder)).filter((name) => name.startsWith('lock'));
    expect(locks.length).toBeGreaterThan(0);
    for (const name of locks) {
      const text = await readFile(join(folder, name), 'utf8');
      expect(text).toContain(String(gone));
      await writeFile(join(folder, name), text.replace(new RegExp(`\\b${gone}\\b`), String(unrelated.pid)));
    }
    const queue = await FolderQueue.open(folder, options);
    await queue.close();
  });

  it('a lock held by a running process is refused, naming its pid, and free again once it is closed', async () => {
    dir = await tempDir();
    const folder = join(dir.path, 'queue');
    await mkdir(folder);
    const holder = worker({ LOCK_MODE: 'race' });
    children.push(holder.child);
    expect(await holder.next()).toBe('ready');
    holder.send(`go ${folder}`);
    expect(await holder.next()).toBe('won');
    const refused = await rejection(FolderQueue.open(folder, options));
    expect(refused).toBeInstanceOf(ConfigError);
    expect(refused.message).toContain(`Another zoho-desk-reports process (pid ${holder.child.pid}) is using the queue in ${folder}`);
    holder.send('release');
    expect(await holder.next()).toBe('released');
    const queue = await FolderQueue.open(folder, options);
    // A second handle in the same process is refused too: two queues on one folder would undo each other.
    expect(await rejection(FolderQueue.open(folder, options))).toBeInstanceOf(ConfigError);
    await queue.close();
    holder.child.stdin.end();
  });

  it('a holder on another machine or in another container (a shared volume) is refused, not taken over', async () => {
    dir = await tempDir();
    for (const [name, holder] of [
      ['host', { pid: process.pid, host: 'reports-box-2' }],
      ['container', { pid: 1, started: 'boot:1', pidNamespace: 'pid:[4026530000]' }],
    ] as const) {
      const folder = join(dir.path, name);
      await mkdir(folder, { recursive: true });
      await writeFile(join(folder, 'lock.1'), JSON.stringify(holder));
      const error = await rejection(FolderQueue.open(folder, options));
      expect(error, name).toBeInstanceOf(ConfigError);
      expect(error.message).toContain(name === 'host' ? `(pid ${process.pid} on reports-box-2)` : '(pid 1)');
      expect(error.message).toContain(`delete ${join(folder, 'lock.1')}`);
    }
  });

  it("an older version's running process (its plain lock file) is refused", async () => {
    dir = await tempDir();
    const older = spawn('sleep', ['30']);
    children.push(older);
    await mkdir(join(dir.path, 'work'), { recursive: true });
    await writeFile(join(dir.path, 'lock'), String(older.pid));
    const error = await rejection(FolderQueue.open(dir.path, options));
    expect(error.message).toContain(`(pid ${older.pid}, an older version)`);
  });
});
