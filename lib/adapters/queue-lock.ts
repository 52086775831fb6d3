import { randomBytes } from 'node:crypto';
import { link, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError } from '../errors.js';
import { currentProcess, isRunning, type ProcessIdentity } from './process-identity.js';

const LOCK = /^lock\.(\d{1,15})$/;
/** a lock file this young that cannot be read yet is being written (only where hard links are not supported) */
const WRITING_MS = 5_000;
const ATTEMPTS = 200;

type Holder = ProcessIdentity | 'released' | 'being written' | 'unreadable';

/**
 * One process at a time in a queue folder. The lock is a series of files `lock.1`, `lock.2`, …: the one with
 * the highest number says who holds the folder (`{"pid", "started"}`), or that it was released. A file is
 * only ever created, never overwritten by another process, and created exclusively (a hard link of a file
 * already written whole), so taking over a stale lock is atomic:
 *
 * - to take the folder, read the highest `lock.N`; if its process still runs (the same pid *and* the same
 *   start time: a pid reused by an unrelated process is stale), refuse; else create `lock.N+1`. Of any
 *   number of processes that saw the same stale `lock.N`, exactly one creates `lock.N+1`; the others find it
 *   exists, look again, and see a running holder.
 * - the highest number never goes down: a winner removes only lower numbers, and releasing marks the file
 *   released instead of removing it. A process that created a number from an old view, lower than one that
 *   exists, withdraws it.
 *
 * (proper-lockfile and npm's lockfile remove a stale lock and create it again: two processes can both
 * succeed. Kernel locks (flock) need a native module.)
 */
export class QueueLock {
  private constructor(
    private readonly folder: string,
    private readonly file: string,
  ) {}

  static async take(folder: string): Promise<QueueLock> {
    const me = await currentProcess();
    await refuseOldVersionHolder(folder);
    for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
      const top = (await generations(folder)).at(-1);
      if (top !== undefined) {
        const file = join(folder, `lock.${top}`);
        const holder = await readHolder(file);
        if (holder === 'being written') {
          await sleep(25);
          continue;
        }
        if (typeof holder === 'object' && (await isRunning(holder))) {
          const where = holder.host !== undefined && holder.host !== hostname() ? ` on ${holder.host}` : '';
          throw new ConfigError(
            `Another zoho-desk-reports process (pid ${holder.pid}${where}) is using the queue in ${folder}; wait for it to finish. ` +
              `(If no such process is running, delete ${file}.)`,
          );
        }
      }
      const next = (top ?? 0) + 1;
      const file = join(folder, `lock.${next}`);
      if (!(await createWhole(folder, file, JSON.stringify(me)))) continue; // another process made it first: look again
      const now = await generations(folder);
      if (now.at(-1) !== next) {
        // Made from an old view: a later lock exists. Withdraw, and look again.
        await unlink(file).catch(() => undefined);
        continue;
      }
      for (const older of now.slice(0, -1)) await unlink(join(folder, `lock.${older}`)).catch(() => undefined);
      await tidy(folder);
      return new QueueLock(folder, file);
    }
    throw new ConfigError(`Could not take the lock of the queue in ${folder}: other processes keep taking it. Try again.`);
  }

  /** Marks the lock released; the file stays, so the numbers never go down. */
  async release(): Promise<void> {
    const temp = join(this.folder, `.lock-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
    try {
      await writeFile(temp, '{"released":true}');
      await rename(temp, this.file);
    } catch {
      await unlink(temp).catch(() => undefined);
    }
  }
}

/** An older version of this tool kept its pid in a plain `lock` file: while that process runs, the folder is its. */
async function refuseOldVersionHolder(folder: string): Promise<void> {
  const file = join(folder, 'lock');
  const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim());
  if (Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && (await isRunning({ pid }))) {
    throw new ConfigError(
      `Another zoho-desk-reports process (pid ${pid}, an older version) is using the queue in ${folder}; wait for it to finish. ` +
        `(If no such process is running, delete ${file}.)`,
    );
  }
}

/** Once the lock is held: temporary files of processes that died taking it, and the lock file of earlier versions. */
async function tidy(folder: string): Promise<void> {
  for (const name of await readdir(folder)) {
    const pid = /^\.lock-(\d+)-[0-9a-f]+\.tmp$/.exec(name)?.[1];
    if (pid !== undefined && !(await isRunning({ pid: Number(pid) }))) await unlink(join(folder, name)).catch(() => undefined);
  }
  await unlink(join(folder, 'lock')).catch(() => undefined);
}

async function generations(folder: string): Promise<number[]> {
  const numbers: number[] = [];
  for (const name of await readdir(folder)) {
    const match = LOCK.exec(name);
    if (match) numbers.push(Number(match[1]));
  }
  return numbers.sort((a, b) => a - b);
}

async function readHolder(file: string): Promise<Holder> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    // Removed since it was listed: a later lock exists.
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'being written' : 'unreadable';
  }
  try {
    const value = JSON.parse(text) as { pid?: unknown; released?: unknown };
    if (value.released === true) return 'released';
    if (typeof value.pid === 'number' && Number.isSafeInteger(value.pid) && value.pid > 0) {
      const { started, host, pidNamespace } = value as { started?: unknown; host?: unknown; pidNamespace?: unknown };
      return {
        pid: value.pid,
        ...(typeof started === 'string' && { started }),
        ...(typeof host === 'string' && { host }),
        ...(typeof pidNamespace === 'string' && { pidNamespace }),
      };
    }
  } catch {
    // fall through
  }
  const age = await stat(file).then(
    (s) => Date.now() - s.mtimeMs,
    () => Infinity,
  );
  return age < WRITING_MS ? 'being written' : 'unreadable';
}

/**
 * Creates `file` holding `text`, only if it does not exist: true if this call made it. The text is written
 * to a temporary file first and hard-linked into place, so nobody sees the file without its text; where hard
 * links are not supported, it is created exclusively and written (readers wait while it is empty).
 */
async function createWhole(folder: string, file: string, text: string): Promise<boolean> {
  const temp = join(folder, `.lock-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(temp, text, { flag: 'wx' });
    await link(temp, file);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw error;
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  try {
    await writeFile(file, text, { flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}
