import type { StoredMessage } from './stored-message.js';

/** What is kept in memory of a waiting message: a queue of a hundred thousand pages keeps little of each. */
export interface Entry {
  id: string;
  /** the message's group (a portal): the queue takes from each group in turn */
  group: string;
  receiveCount: number;
  visibleAt: number;
  handle: string | undefined;
  /** taken before the rest of its group (QueueMessage.first) */
  first: boolean;
  /** the message as its file holds it, while it is received (for the dead-letter queue); otherwise read from the file */
  received: StoredMessage | undefined;
}

/** The group of messages sent without one. */
export const NO_GROUP = '';

export const entryOf = (message: StoredMessage): Entry => ({
  id: message.id,
  group: message.group ?? NO_GROUP,
  receiveCount: message.receiveCount,
  visibleAt: 0,
  handle: undefined,
  first: message.first === true,
  received: undefined,
});

/** A group's messages: those sent to go first, then the rest, each in the order sent (a Map keeps it). */
class Lane {
  readonly first = new Map<string, Entry>();
  readonly rest = new Map<string, Entry>();

  mapOf(entry: Pick<Entry, 'first'>): Map<string, Entry> {
    return entry.first ? this.first : this.rest;
  }

  get(id: string): Entry | undefined {
    return this.first.get(id) ?? this.rest.get(id);
  }

  get size(): number {
    return this.first.size + this.rest.size;
  }

  *values(): IterableIterator<Entry> {
    yield* this.first.values();
    yield* this.rest.values();
  }
}

/**
 * The folder queue's waiting messages, per group, each group in the order its messages were sent (those sent
 * to go first before the rest). A receive takes from every group in turn, so one portal's backlog of a hundred thousand pages never
 * holds back another portal's few: what SQS fair queues do for message groups on a standard queue.
 */
export class GroupedEntries {
  private readonly byGroup = new Map<string, Lane>();
  /** the group a receive starts with: the one after the group the last receive started with */
  private turn = 0;

  set(entry: Entry): void {
    let group = this.byGroup.get(entry.group);
    if (!group) {
      group = new Lane();
      this.byGroup.set(entry.group, group);
    }
    group.mapOf(entry).set(entry.id, entry);
  }

  /** A message by id (a handle names its id): a few groups looked in. */
  get(id: string): Entry | undefined {
    for (const group of this.byGroup.values()) {
      const entry = group.get(id);
      if (entry) return entry;
    }
    return undefined;
  }

  delete(entry: Entry): void {
    const group = this.byGroup.get(entry.group);
    group?.mapOf(entry).delete(entry.id);
    if (group?.size === 0) this.byGroup.delete(entry.group);
  }

  *all(): IterableIterator<Entry> {
    for (const group of this.byGroup.values()) yield* group.values();
  }

  /**
   * Up to `max` visible messages, one from each group in turn (a group with fewer leaves its share to the
   * others), at most `room(group)` of a group; the groups take turns starting.
   */
  visible(max: number, now: number, room: (group: string) => number = () => max): Entry[] {
    const groups = [...this.byGroup.entries()].filter(([name]) => room(name) > 0);
    if (groups.length === 0) return [];
    const start = this.turn++ % groups.length;
    const order = [...groups.slice(start), ...groups.slice(0, start)].map(([name, entries]) => ({
      waiting: entries.values(),
      left: room(name),
    }));
    const taken: Entry[] = [];
    let open = order.filter((group) => group.left > 0).length;
    while (taken.length < max && open > 0) {
      for (const group of order) {
        if (taken.length >= max) break;
        if (group.left === 0) continue;
        let next = group.waiting.next();
        // Those in flight or delayed are skipped: they sit near the head, so this stays short.
        while (!next.done && next.value.visibleAt > now) next = group.waiting.next();
        if (next.done) group.left = 0;
        else {
          taken.push(next.value);
          group.left -= 1;
        }
        if (group.left === 0) open -= 1;
      }
    }
    return taken;
  }
}
