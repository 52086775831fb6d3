import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import type { Clock, QueueMessage, ReceivedMessage, WorkQueue } from '../ports.js';
import { writeWhole } from './atomic-write.js';

interface StoredMessage {
  id: string;
  body: string;
  receiveCount: number;
  sentAt: string;
  reason?: string;
}

interface Entry {
  message: StoredMessage;
  visibleAt: number;
  handle: string | undefined;
}

export interface FolderQueueOptions {
  clock: Clock;
  /** receives before a message moves to the dead-letter queue (SQS redrive policy maxReceiveCount) */
  maxReceiveCount: number;
  /** how long a received message stays invisible unless released or deleted */
  visibilityTimeoutMs?: number;
}

export interface QueueDepths {
  visible: number;
  inFlight: number;
  delayed: number;
  dead: number;
}

/**
 * The local work queue and dead-letter queue, with SQS semantics, kept as one JSON file per message under
 * `<folder>/work` and `<folder>/dead` so an interrupted run resumes where it stopped. Receive counts are
 * written on every receive: a message that keeps crashing its worker still ends in the dead-letter queue.
 * One process owns the folder at a time (a lock file with its pid).
 */
export class FolderQueue implements WorkQueue {
  private readonly entries = new Map<string, Entry>();
  private sequence = 0;
  private readonly lockPath: string;

  private constructor(
    private readonly folder: string,
    private readonly options: FolderQueueOptions,
  ) {
    this.lockPath = join(folder, 'lock');
  }

  static async open(folder: string, options: FolderQueueOptions): Promise<FolderQueue> {
    const queue = new FolderQueue(folder, options);
    await mkdir(join(folder, 'work'), { recursive: true });
    await mkdir(join(folder, 'dead'), { recursive: true });
    await queue.lock();
    await queue.removeLeftovers();
    for (const message of await queue.read('work')) {
      queue.entries.set(message.id, { message, visibleAt: 0, handle: undefined });
    }
    return queue;
  }

  async close(): Promise<void> {
    await unlink(this.lockPath).catch(() => undefined);
  }

  async send(messages: QueueMessage[]): Promise<void> {
    for (const input of messages) {
      const id = `${Date.now().toString(36).padStart(9, '0')}-${String(this.sequence++).padStart(6, '0')}-${randomBytes(3).toString('hex')}`;
      const message: StoredMessage = { id, body: input.body, receiveCount: 0, sentAt: new Date(this.options.clock.now()).toISOString() };
      await this.write('work', message);
      this.entries.set(id, { message, visibleAt: 0, handle: undefined });
    }
  }

  async receive(max: number): Promise<ReceivedMessage[]> {
    const now = this.options.clock.now();
    const received: ReceivedMessage[] = [];
    // The map keeps the order messages were sent in; those in flight are skipped, so this stays short.
    for (const entry of this.entries.values()) {
      if (received.length >= max) break;
      if (entry.visibleAt > now) continue;
      entry.message.receiveCount += 1;
      if (entry.message.receiveCount > this.options.maxReceiveCount) {
        // What SQS does on the receive after the last allowed one.
        await this.moveToDead(entry, `received ${this.options.maxReceiveCount} times without success`);
        continue;
      }
      await this.write('work', entry.message);
      entry.handle = `${entry.message.id}#${entry.message.receiveCount}`;
      entry.visibleAt = now + (this.options.visibilityTimeoutMs ?? 300_000);
      received.push({ id: entry.message.id, body: entry.message.body, handle: entry.handle, receiveCount: entry.message.receiveCount });
    }
    return received;
  }

  async delete(handle: string): Promise<void> {
    const entry = this.byHandle(handle);
    if (!entry) return;
    this.entries.delete(entry.message.id);
    await unlink(join(this.folder, 'work', `${entry.message.id}.json`)).catch(() => undefined);
  }

  async release(handle: string, delayMs: number): Promise<void> {
    const entry = this.byHandle(handle);
    if (!entry) return;
    entry.handle = undefined;
    entry.visibleAt = this.options.clock.now() + Math.max(0, delayMs);
  }

  async deadLetter(message: Pick<ReceivedMessage, 'handle'>, reason: string): Promise<void> {
    const entry = this.byHandle(message.handle);
    if (entry) await this.moveToDead(entry, reason);
  }

  depths(): Promise<QueueDepths> {
    const now = this.options.clock.now();
    let visible = 0;
    let inFlight = 0;
    let delayed = 0;
    for (const entry of this.entries.values()) {
      if (entry.handle !== undefined && entry.visibleAt > now) inFlight += 1;
      else if (entry.visibleAt > now) delayed += 1;
      else visible += 1;
    }
    return readdir(join(this.folder, 'dead')).then((dead) => ({
      visible, inFlight, delayed, dead: dead.filter((name) => name.endsWith('.json')).length,
    }));
  }

  /** When the next delayed message becomes visible, if any waits. */
  nextVisibleAt(): number | undefined {
    let next: number | undefined;
    for (const entry of this.entries.values()) {
      if (entry.handle === undefined && (next === undefined || entry.visibleAt < next)) next = entry.visibleAt;
    }
    return next;
  }

  /** The dead-letter queue's messages, with the reason each one is there. */
  deadLetters(): Promise<StoredMessage[]> {
    return this.read('dead');
  }

  /** Moves every dead-lettered message back to the work queue with a fresh receive count. */
  async redrive(): Promise<number> {
    const dead = await this.read('dead');
    for (const message of dead) {
      const revived: StoredMessage = { id: message.id, body: message.body, receiveCount: 0, sentAt: message.sentAt };
      await this.write('work', revived);
      await unlink(join(this.folder, 'dead', `${message.id}.json`));
      this.entries.set(revived.id, { message: revived, visibleAt: 0, handle: undefined });
    }
    return dead.length;
  }

  /** Temporary files of a process that died mid-write: never a message, safe to remove once we hold the lock. */
  private async removeLeftovers(): Promise<void> {
    for (const box of ['work', 'dead'] as const) {
      for (const name of await readdir(join(this.folder, box))) {
        if (name.endsWith('.tmp')) await unlink(join(this.folder, box, name)).catch(() => undefined);
      }
    }
  }

  private byHandle(handle: string): Entry | undefined {
    const entry = this.entries.get(handle.slice(0, handle.indexOf('#')));
    return entry?.handle === handle ? entry : undefined;
  }

  private async moveToDead(entry: Entry, reason: string): Promise<void> {
    this.entries.delete(entry.message.id);
    await this.write('dead', { ...entry.message, reason });
    await unlink(join(this.folder, 'work', `${entry.message.id}.json`)).catch(() => undefined);
  }

  private async write(box: 'work' | 'dead', message: StoredMessage): Promise<void> {
    await writeWhole(join(this.folder, box, `${message.id}.json`), JSON.stringify(message));
  }

  private async read(box: 'work' | 'dead'): Promise<StoredMessage[]> {
    const names = (await readdir(join(this.folder, box))).filter((name) => name.endsWith('.json')).sort();
    const messages: StoredMessage[] = [];
    for (const name of names) {
      try {
        messages.push(JSON.parse(await readFile(join(this.folder, box, name), 'utf8')) as StoredMessage);
      } catch (error) {
        throw new ConfigError(`The queued message ${join(this.folder, box, name)} cannot be read (${(error as Error).message}): move it away to continue.`);
      }
    }
    return messages;
  }

  private async lock(): Promise<void> {
    try {
      await writeFile(this.lockPath, String(process.pid), { flag: 'wx' });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number((await readFile(this.lockPath, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) {
      throw new ConfigError(`Another zoho-desk-reports process (pid ${holder}) is using the queue in ${this.folder}; wait for it to finish.`);
    }
    await writeFile(this.lockPath, String(process.pid)); // left by a process that is gone
  }
}

/** What a queue folder holds, read without taking it over (for `status` while a run works). */
export async function peekQueueFolder(folder: string): Promise<{ waiting: number; dead: Array<{ id: string; reason: string }> }> {
  const names = async (box: string) => (await readdir(join(folder, box)).catch(() => [] as string[])).filter((n) => n.endsWith('.json')).sort();
  const dead: Array<{ id: string; reason: string }> = [];
  for (const name of await names('dead')) {
    const text = await readFile(join(folder, 'dead', name), 'utf8').catch(() => '{}');
    let reason = 'unreadable message file';
    try {
      reason = (JSON.parse(text) as StoredMessage).reason ?? 'no reason recorded';
    } catch {
      // keep the default
    }
    dead.push({ id: name.slice(0, -'.json'.length), reason });
  }
  return { waiting: (await names('work')).length, dead };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
