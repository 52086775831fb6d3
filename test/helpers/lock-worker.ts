// A process that takes the folder queue's lock, for the lock tests (run with tsx):
// - LOCK_MODE=crash: opens the queues in LOCK_DIRS (a JSON array), says "locked", and dies without closing
//   them (stale locks);
// - LOCK_MODE=race: says "ready", then for each line "go <folder>" on stdin tries to open that queue and
//   answers "won" or "lost <error name>: <message>" (keeping the queue open); on "release" closes it and
//   answers "released". Ends with stdin.
import { createInterface } from 'node:readline';
import { FolderQueue } from '../../lib/adapters/folder-queue.js';
import { ManualClock } from '../../lib/clock.js';

const options = { clock: new ManualClock(), maxReceiveCount: 5 };
const say = (line: string) => process.stdout.write(`${line}\n`);

if (process.env.LOCK_MODE === 'crash') {
  for (const folder of JSON.parse(process.env.LOCK_DIRS ?? '[]') as string[]) await FolderQueue.open(folder, options);
  say('locked');
  process.exit(137); // no close(): the lock stays, naming a process that is gone
}

let held: FolderQueue | undefined;
say('ready');
for await (const line of createInterface({ input: process.stdin })) {
  if (line.startsWith('go ')) {
    try {
      held = await FolderQueue.open(line.slice(3), options);
      say('won');
    } catch (error) {
      say(`lost ${(error as Error).name}: ${(error as Error).message}`);
    }
  } else if (line === 'release') {
    await held?.close();
    held = undefined;
    say('released');
  }
}
