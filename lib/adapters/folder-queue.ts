import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock, QueueMessage, ReceivedMessage, WorkQueue } from '../ports.js';
import { writeWhole } from './atomic-write.js';
import { fsProblem } from './fs-problem.js';
import { QueueLock } from './queue-lock.js';
import { readStoredMessage, type StoredMessage } from './stored-message.js';

export interface Quarantined {
  /** the file as it was found, e.g. reports/.queue/work/<id>.json */
  file: string;
  /** why it is not a message (fields named, never values) */
  reason: string;
}

/** A message as the queue keeps it in memory: its body stays in its file except while it is in hand. */
interface Entry {
  id: string;
  receiveCount: number;
  sentAt: string;
  visibleAt: number;
  handle: string | undefined;
  /** the body, while the message is received (for the dead-letter queue); otherwise read from the file */
  body: string | undefined;
}

const entryOf = (message: StoredMessage): Entry => ({
  id: message.id,
  receiveCount: message.receiveCount,
  sentAt: message.sentAt,
  visibleAt: 0,
  handle: undefined,
  body: undefined,
});

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
 * One process owns the folder at a time (lib/adapters/queue-lock.ts). A file that is not a valid message (cut
 * short, edited by hand) is moved to `<folder>/quarantine/` and listed in `quarantined`: the other messages go on.
 */
export class FolderQueue implements WorkQueue {
  /** the files this queue moved to `<folder>/quarantine/` since it was opened, for the operator */
  readonly quarantined: Quarantined[] = [];
  private readonly entries = new Map<string, Entry>();
  private sequence = 0;
  /** whoever waits for the next message sent (a consumer running while pages are still being planned) */
  private sentWaiters: Array<() => void> = [];

  private constructor(
    private readonly folder: string,
    private readonly options: FolderQueueOptions,
    private readonly lock: QueueLock,
  ) {}

  static async open(folder: string, options: FolderQueueOptions): Promise<FolderQueue> {
    let queue: FolderQueue;
    try {
      await mkdir(join(folder, 'work'), { recursive: true });
      await mkdir(join(folder, 'dead'), { recursive: true });
      queue = new FolderQueue(folder, options, await QueueLock.take(folder));
    } catch (error) {
      throw fsProblem(error, `the queue folder ${folder}`);
    }
    try {
      await queue.removeLeftovers();
      for (const message of await queue.read('work')) queue.entries.set(message.id, entryOf(message));
    } catch (error) {
      await queue.close();
      throw fsProblem(error, `the queue folder ${folder}`);
    }
    return queue;
  }

  async close(): Promise<void> {
    await this.lock.release();
  }

  async send(messages: QueueMessage[]): Promise<void> {
    for (const input of messages) {
      const id = `${Date.now().toString(36).padStart(9, '0')}-${String(this.sequence++).padStart(6, '0')}-${randomBytes(3).toString('hex')}`;
      const message: StoredMessage = { id, body: input.body, receiveCount: 0, sentAt: new Date(this.options.clock.now()).toISOString() };
      await this.write('work', message);
      this.entries.set(id, entryOf(message));
    }
    for (const wake of this.sentWaiters.splice(0)) wake();
  }

  /** Settles when the next message is sent. */
  whenSent(): Promise<void> {
    return new Promise((resolve) => this.sentWaiters.push(resolve));
  }

  async receive(max: number): Promise<ReceivedMessage[]> {
    const now = this.options.clock.now();
    const received: ReceivedMessage[] = [];
    // The map keeps the order messages were sent in; those in flight are skipped, so this stays short.
    for (const entry of this.entries.values()) {
      if (received.length >= max) break;
      if (entry.visibleAt > now) continue;
      // The body is read back from its file: a queue of a hundred thousand pages is not held in memory.
      const body = await this.bodyOf(entry);
      if (body === undefined) continue;
      entry.receiveCount += 1;
      if (entry.receiveCount > this.options.maxReceiveCount) {
        // What SQS does on the receive after the last allowed one.
        await this.moveToDead(entry, body, `received ${this.options.maxReceiveCount} times without success`);
        continue;
      }
      await this.write('work', { id: entry.id, body, receiveCount: entry.receiveCount, sentAt: entry.sentAt });
      entry.handle = `${entry.id}#${entry.receiveCount}`;
      entry.visibleAt = now + (this.options.visibilityTimeoutMs ?? 300_000);
      entry.body = body;
      received.push({ id: entry.id, body, handle: entry.handle, receiveCount: entry.receiveCount });
    }
    return received;
  }

  async delete(handle: string): Promise<void> {
    const entry = this.byHandle(handle);
    if (!entry) return;
    this.entries.delete(entry.id);
    await unlink(join(this.folder, 'work', `${entry.id}.json`)).catch(() => undefined);
  }

  async release(handle: string, delayMs: number): Promise<void> {
    const entry = this.byHandle(handle);
    if (!entry) return;
    entry.handle = undefined;
    entry.body = undefined;
    entry.visibleAt = this.options.clock.now() + Math.max(0, delayMs);
  }

  async deadLetter(message: Pick<ReceivedMessage, 'handle'>, reason: string): Promise<void> {
    const entry = this.byHandle(message.handle);
    if (entry?.body !== undefined) await this.moveToDead(entry, entry.body, reason);
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
      visible,
      inFlight,
      delayed,
      dead: dead.filter((name) => name.endsWith('.json')).length,
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
      this.entries.set(revived.id, entryOf(revived));
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

  private async moveToDead(entry: Entry, body: string, reason: string): Promise<void> {
    this.entries.delete(entry.id);
    await this.write('dead', { id: entry.id, body, receiveCount: entry.receiveCount, sentAt: entry.sentAt, reason });
    await unlink(join(this.folder, 'work', `${entry.id}.json`)).catch(() => undefined);
  }

  /** A waiting message's body from its file; a file gone or no longer a message leaves the queue (and is set aside). */
  private async bodyOf(entry: Entry): Promise<string | undefined> {
    const name = `${entry.id}.json`;
    let text: string;
    try {
      text = await readFile(join(this.folder, 'work', name), 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      this.entries.delete(entry.id);
      if (code !== 'ENOENT') await this.quarantine('work', name, `cannot be read (${code ?? (error as Error).message})`);
      return undefined;
    }
    const read = readStoredMessage(text, name);
    if ('message' in read) return read.message.body;
    this.entries.delete(entry.id);
    await this.quarantine('work', name, read.problem);
    return undefined;
  }

  private async write(box: 'work' | 'dead', message: StoredMessage): Promise<void> {
    try {
      await writeWhole(join(this.folder, box, `${message.id}.json`), JSON.stringify(message));
    } catch (error) {
      throw fsProblem(error, `the queue folder ${this.folder}`); // a full disk, say
    }
  }

  private async read(box: 'work' | 'dead'): Promise<StoredMessage[]> {
    const names = (await readdir(join(this.folder, box))).filter((name) => name.endsWith('.json')).sort();
    const messages: StoredMessage[] = [];
    for (const name of names) {
      let text: string;
      try {
        text = await readFile(join(this.folder, box, name), 'utf8');
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT') await this.quarantine(box, name, `cannot be read (${code ?? (error as Error).message})`);
        continue;
      }
      const read = readStoredMessage(text, name);
      if ('message' in read) messages.push(read.message);
      else await this.quarantine(box, name, read.problem);
    }
    return messages;
  }

  /** Moves a file that is not a message out of the way, keeping it for a person to look at. */
  private async quarantine(box: 'work' | 'dead', name: string, reason: string): Promise<void> {
    const file = join(this.folder, box, name);
    const folder = join(this.folder, 'quarantine');
    try {
      await mkdir(folder, { recursive: true });
      const taken = new Set(await readdir(folder));
      const target = taken.has(name) ? `${name.slice(0, -'.json'.length)}.${randomBytes(3).toString('hex')}.json` : name;
      await rename(file, join(folder, target));
      this.quarantined.push({ file, reason });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      this.quarantined.push({ file, reason: `${reason}; it could not be moved to ${folder} (${code}): move it away` });
    }
  }
}

export interface QueueFolderView {
  waiting: number;
  dead: Array<{ id: string; reason: string }>;
  /** message files that are not valid messages: the next run moves them to quarantine/ */
  invalid: Quarantined[];
  /** files already in quarantine/ */
  quarantined: number;
}

/** What a queue folder holds, read without taking it over (for `status` while a run works). */
export async function peekQueueFolder(folder: string): Promise<QueueFolderView> {
  const names = async (box: string) => (await readdir(join(folder, box)).catch(() => [] as string[])).filter((n) => n.endsWith('.json')).sort();
  const view: QueueFolderView = { waiting: 0, dead: [], invalid: [], quarantined: (await names('quarantine')).length };
  for (const box of ['work', 'dead'] as const) {
    for (const name of await names(box)) {
      const file = join(folder, box, name);
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT') view.invalid.push({ file, reason: `cannot be read (${code ?? (error as Error).message})` });
        continue;
      }
      const read = readStoredMessage(text, name);
      if (!('message' in read)) view.invalid.push({ file, reason: read.problem });
      else if (box === 'work') view.waiting += 1;
      else view.dead.push({ id: read.message.id, reason: read.message.reason ?? 'no reason recorded' });
    }
  }
  return view;
}
