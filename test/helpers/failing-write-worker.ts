// Writes that fail for real, for the tests: run with tsx under a small file-size limit (`ulimit -f`), each
// store writes a body larger than the limit, so the write of its temporary file fails part-way with EFBIG (as
// on a full disk: the file exists, the write stops). Prints what each write threw, as JSON.
import { join } from 'node:path';
import { FileSecretStore } from '../../lib/adapters/file-secret-store.js';
import { FolderObjectStore } from '../../lib/adapters/folder-object-store.js';
import { FolderQueue } from '../../lib/adapters/folder-queue.js';
import { ManualClock } from '../../lib/clock.js';

const dir = process.env.WRITE_DIR ?? '';
const big = 'x'.repeat(64 * 1024);
const failure = async (write: () => Promise<unknown>) => {
  try {
    await write();
    return null;
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    const cause = (error as { cause?: NodeJS.ErrnoException }).cause;
    return code ?? cause?.code ?? message;
  }
};
const queue = await FolderQueue.open(join(dir, 'queue'), { clock: new ManualClock(), maxReceiveCount: 5 });
const result = {
  put: await failure(() => new FolderObjectStore(join(dir, 'reports')).put('tickets/page-00001.jsonl', big, 'application/x-ndjson')),
  send: await failure(() => queue.send([{ body: big }])),
  secret: await failure(() => new FileSecretStore(join(dir, 'secret', 'auth.json')).write({ client_secret: big })),
};
await queue.close();
process.stdout.write(JSON.stringify(result));
