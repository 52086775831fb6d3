import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import pLimit from 'p-limit';
import type { Clock, QueueMessage, ReceivedMessage, WorkQueue } from '../ports.js';
import { writeWhole } from './atomic-write.js';
import { fsProblem } from './fs-problem.js';
import { type Entry, entryOf, GroupedEntries } from './queue-entries.js';
import { QueueLock } from './queue-lock.js';
import { readStoredMessage, type StoredMessage } from './stored-message.js';

export interface Quarantined {
  /** the file as it was found, e.g. reports/.queue/work/<id>.json */
  file: string;
  /** why it is not a message (fields named, never values) */
  reason: string;
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

const count = (messages: readonly ReceivedMessage[], group: string) => messages.filter((m) => m.group === group).length;

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
  private readonly entries = new GroupedEntries();
  /** message files read and written at once: the disk answers faster in parallel */
  private readonly files = pLimit(16);
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
      for (const message of await queue.read('work')) queue.entries.set(entryOf(message));
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
    const sentAt = new Date(this.options.clock.now()).toISOString();
    const stored = messages.map((input): StoredMessage => {
      // Joined, not concatenated: one flat string, where `${a}-${b}` keeps its parts (twice the memory a message).
      const id = [Date.now().toString(36).padStart(9, '0'), String(this.sequence++).padStart(6, '0'), randomBytes(3).toString('hex')].join('-');
      return {
        id,
        body: input.body,
        receiveCount: 0,
        sentAt,
        ...(input.group ? { group: input.group } : {}),
        ...(input.first ? { first: true } : {}),
      };
    });
    // The files side by side (a planner sends a hundred pages at once), then queued in the order they were sent.
    await Promise.all(stored.map((message) => this.files(() => this.write('work', message))));
    for (const message of stored) this.entries.set(entryOf(message));
    for (const wake of this.sentWaiters.splice(0)) wake();
  }

  /** Settles when the next message is sent. */
  whenSent(): Promise<void> {
    return new Promise((resolve) => this.sentWaiters.push(resolve));
  }

  /**
   * Up to `max` visible messages, each group's (portal's) in the order sent, the groups in turn; at most
   * `room(group)` of a group (a consumer leaves out a portal whose calls are all in use).
   */
  async receive(max: number, room?: (group: string) => number): Promise<ReceivedMessage[]> {
    const now = this.options.clock.now();
    const received: ReceivedMessage[] = [];
    while (received.length < max) {
      const visible = this.entries.visible(max - received.length, now, room && ((group) => room(group) - count(received, group)));
      if (visible.length === 0) break;
      // Read and marked side by side; one that is no message any more leaves room for the next.
      for (const message of await Promise.all(visible.map((entry) => this.files(() => this.take(entry, now))))) {
        if (message) received.push(message);
      }
    }
    return received;
  }

  /** Receives one waiting message: its receive count written back to its file, or the dead-letter queue past the last. */
  private async take(entry: Entry, now: number): Promise<ReceivedMessage | undefined> {
    // The body is read back from its file: a queue of a hundred thousand pages is not held in memory.
    const stored = await this.storedOf(entry);
    if (stored === undefined) return undefined;
    entry.receiveCount += 1;
    const message: StoredMessage = { ...stored, receiveCount: entry.receiveCount };
    if (entry.receiveCount > this.options.maxReceiveCount) {
      // What SQS does on the receive after the last allowed one.
      await this.moveToDead(entry, message, `received ${this.options.maxReceiveCount} times without success`);
      return undefined;
    }
    await this.write('work', message);
    entry.handle = `${entry.id}#${entry.receiveCount}`;
    entry.visibleAt = now + (this.options.visibilityTimeoutMs ?? 300_000);
    entry.received = message;
    return { id: entry.id, body: message.body, handle: entry.handle, receiveCount: entry.receiveCount, group: entry.group };
  }

  async delete(handle: string): Promise<void> {
    const entry = this.byHandle(handle);
    if (!entry) return;
    this.entries.delete(entry);
    await unlink(join(this.folder, 'work', `${entry.id}.json`)).catch(() => undefined);
  }

  async release(handle: string, delayMs: number): Promise<void> {
    const entry = this.byHandle(handle);
    if (!entry) return;
    entry.handle = undefined;
    entry.received = undefined;
    entry.visibleAt = this.options.clock.now() + Math.max(0, delayMs);
  }

  async deadLetter(message: Pick<ReceivedMessage, 'handle'>, reason: string): Promise<void> {
    const entry = this.byHandle(message.handle);
    if (entry?.received !== undefined) await this.moveToDead(entry, entry.received, reason);
  }

  depths(): Promise<QueueDepths> {
    const now = this.options.clock.now();
    let visible = 0;
    let inFlight = 0;
    let delayed = 0;
    for (const entry of this.entries.all()) {
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
    for (const entry of this.entries.all()) {
      if (entry.handle === undefined && (next === undefined || entry.visibleAt < next)) next = entry.visibleAt;
    }
    return next;
  }

  /** The dead-letter queue's messages, with the reason each one is there. */
  deadLetters(): Promise<StoredMessage[]> {
    return this.read('dead');
  }

  /** Moves every dead-lettered message (or those `which` picks by body) back to the work queue with a fresh receive count. */
  async redrive(which: (body: string) => boolean = () => true): Promise<number> {
    const dead = (await this.read('dead')).filter((message) => which(message.body));
    for (const message of dead) {
      const { reason: _reason, ...rest } = message;
      const revived: StoredMessage = { ...rest, receiveCount: 0 };
      await this.write('work', revived);
      await unlink(join(this.folder, 'dead', `${message.id}.json`));
      this.entries.set(entryOf(revived));
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

  private async moveToDead(entry: Entry, message: StoredMessage, reason: string): Promise<void> {
    this.entries.delete(entry);
    await this.write('dead', { ...message, reason });
    await unlink(join(this.folder, 'work', `${entry.id}.json`)).catch(() => undefined);
  }

  /** A waiting message from its file; a file gone or no longer a message leaves the queue (and is set aside). */
  private async storedOf(entry: Entry): Promise<StoredMessage | undefined> {
    const name = `${entry.id}.json`;
    let text: string;
    try {
      text = await readFile(join(this.folder, 'work', name), 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      this.entries.delete(entry);
      if (code !== 'ENOENT') await this.quarantine('work', name, `cannot be read (${code ?? (error as Error).message})`);
      return undefined;
    }
    const read = readStoredMessage(text, name);
    if ('message' in read) return read.message;
    this.entries.delete(entry);
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
