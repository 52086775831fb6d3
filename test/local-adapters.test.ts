import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FolderObjectStore } from '../lib/adapters/folder-object-store.js';
import { FolderQueue } from '../lib/adapters/folder-queue.js';
import { ManualClock } from '../lib/clock.js';
import { ConfigError } from '../lib/errors.js';
import { tempDir } from './helpers/zoho.js';
import { rejection } from './helpers/errors.js';

let dir: { path: string; remove(): Promise<void> } | undefined;
afterEach(async () => dir?.remove());

describe('the local queue has SQS semantics', () => {
  it('hides a received message until it is deleted or released, and releases it after a delay', async () => {
    dir = await tempDir();
    const clock = new ManualClock('2026-11-20T10:00:00Z');
    const queue = await FolderQueue.open(dir.path, { clock, maxReceiveCount: 5, visibilityTimeoutMs: 30_000 });
    await queue.send([{ body: 'a' }, { body: 'b' }]);
    const [first] = await queue.receive(1);
    expect(first).toMatchObject({ body: 'a', receiveCount: 1 });
    expect((await queue.receive(10)).map((m) => m.body)).toEqual(['b']);
    expect(await queue.receive(10)).toEqual([]);
    await queue.release(first!.handle, 5_000);
    expect(await queue.receive(10)).toEqual([]);
    clock.advance(5_000);
    const again = await queue.receive(10);
    expect(again).toMatchObject([{ body: 'a', receiveCount: 2 }]);
    await queue.delete(again[0]!.handle);
    clock.advance(30_000); // b's visibility timeout passes without a delete: it is back
    expect((await queue.receive(10)).map((m) => [m.body, m.receiveCount])).toEqual([['b', 2]]);
    await queue.close();
  });

  it("takes each portal's messages in turn, never more of one than it has room for, and keeps their groups across a restart", async () => {
    dir = await tempDir();
    const clock = new ManualClock('2026-11-20T10:00:00Z');
    let queue = await FolderQueue.open(dir.path, { clock, maxReceiveCount: 5 });
    // A backlog of one portal, then a few pages of another: the second is not behind the first.
    await queue.send(Array.from({ length: 50 }, (_, i) => ({ body: `a${i}` })));
    await queue.send([
      { body: 'b0', group: 'zoho_auth_eu' },
      { body: 'b1', group: 'zoho_auth_eu' },
      { body: 'b2', group: 'zoho_auth_eu' },
    ]);
    const first = await queue.receive(6);
    expect(first.filter((m) => m.group === 'zoho_auth_eu').map((m) => m.body)).toEqual(['b0', 'b1', 'b2']);
    expect(first.filter((m) => m.group === '').map((m) => m.body)).toEqual(['a0', 'a1', 'a2']);
    // A portal with no room left is skipped; the other's messages still come, up to its own room.
    await queue.send([
      { body: 'b3', group: 'zoho_auth_eu' },
      { body: 'b4', group: 'zoho_auth_eu' },
    ]);
    const roomy = await queue.receive(10, (group) => (group === '' ? 0 : 1));
    expect(roomy.map((m) => m.body)).toEqual(['b3']);
    await queue.close();
    queue = await FolderQueue.open(dir.path, { clock, maxReceiveCount: 5 });
    clock.advance(600_000); // every message received before is visible again
    const again = await queue.receive(100, (group) => (group === 'zoho_auth_eu' ? 100 : 0));
    expect(again.map((m) => m.body).sort()).toEqual(['b0', 'b1', 'b2', 'b3', 'b4']);
    await queue.close();
  });

  it('moves a message to the dead-letter queue on the receive after maxReceiveCount, keeping a reason', async () => {
    dir = await tempDir();
    const clock = new ManualClock('2026-11-20T10:00:00Z');
    const queue = await FolderQueue.open(dir.path, { clock, maxReceiveCount: 3 });
    await queue.send([{ body: 'poison' }]);
    for (let i = 1; i <= 3; i += 1) {
      const [message] = await queue.receive(1);
      expect(message?.receiveCount).toBe(i);
      await queue.release(message!.handle, 0);
    }
    clock.advance(60_000);
    expect(await queue.receive(1)).toEqual([]);
    // The message as it was sent, read back from its file (the queue keeps little of it in memory).
    expect(await queue.deadLetters()).toMatchObject([
      { body: 'poison', reason: 'received 3 times without success', sentAt: '2026-11-20T10:00:00.000Z', receiveCount: 4 },
    ]);
    expect(await queue.depths()).toEqual({ visible: 0, inFlight: 0, delayed: 0, dead: 1 });
    expect(await queue.redrive()).toBe(1);
    expect(await queue.receive(1)).toMatchObject([{ body: 'poison', receiveCount: 1 }]);
    await queue.close();
  });

  it('keeps messages and receive counts across processes', async () => {
    dir = await tempDir();
    const clock = new ManualClock('2026-11-20T10:00:00Z');
    const first = await FolderQueue.open(dir.path, { clock, maxReceiveCount: 5 });
    await first.send([{ body: 'kept' }]);
    await first.receive(1); // received, then the process "dies" without deleting it
    await first.close();
    const second = await FolderQueue.open(dir.path, { clock, maxReceiveCount: 5 });
    expect(await second.receive(1)).toMatchObject([{ body: 'kept', receiveCount: 2 }]);
    await second.close();
    // Only one process at a time: test/queue-lock.test.ts.
  });

  it('removes the temporary files a dead process left behind when it opens', async () => {
    dir = await tempDir();
    const first = await FolderQueue.open(dir.path, { clock: new ManualClock(), maxReceiveCount: 5 });
    await first.send([{ body: 'kept' }]);
    await first.close();
    await (await import('node:fs/promises')).writeFile(join(dir.path, 'work', 'x.json.ab12.tmp'), '{"id":"x","bo');
    const second = await FolderQueue.open(dir.path, { clock: new ManualClock(), maxReceiveCount: 5 });
    expect((await readdir(join(dir.path, 'work'))).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect((await second.receive(10)).map((m) => m.body)).toEqual(['kept']);
    await second.close();
  });

  it('quarantines every file that is not a valid message, saying why, and keeps the others', async () => {
    dir = await tempDir();
    const first = await FolderQueue.open(dir.path, { clock: new ManualClock(), maxReceiveCount: 5 });
    await first.send([{ body: 'kept' }]);
    await first.close();
    const stored = (id: string, fields: object) => ({ id, body: 'b', receiveCount: 0, sentAt: '2026-11-20T10:00:00.000Z', ...fields });
    const bad: Record<string, unknown> = {
      'a-cut.json': '{"id":"a-cut","bo',
      'b-count.json': stored('b-count', { receiveCount: -1 }),
      'c-body.json': stored('c-body', { body: 42 }),
      'd-escape.json': stored('../../d-escape', {}), // its id would make delete() unlink outside the folder
      'e-other.json': stored('e-another', {}),
      'f-array.json': [],
    };
    for (const [name, value] of Object.entries(bad)) {
      await (await import('node:fs/promises')).writeFile(join(dir.path, 'work', name), typeof value === 'string' ? value : JSON.stringify(value));
    }
    const queue = await FolderQueue.open(dir.path, { clock: new ManualClock(), maxReceiveCount: 5 });
    expect(queue.quarantined.map((q) => [q.file, q.reason])).toEqual([
      [join(dir.path, 'work', 'a-cut.json'), 'not JSON (it ends too early, at line 1, column 18)'],
      [join(dir.path, 'work', 'b-count.json'), '"receiveCount" must be a whole number ≥ 0'],
      [join(dir.path, 'work', 'c-body.json'), '"body" must be a string'],
      [join(dir.path, 'work', 'd-escape.json'), '"id" must be letters, digits, "_" or "-"'],
      [join(dir.path, 'work', 'e-other.json'), 'its "id" is not its file name'],
      [join(dir.path, 'work', 'f-array.json'), 'not a JSON object'],
    ]);
    expect((await readdir(join(dir.path, 'quarantine'))).sort()).toEqual(Object.keys(bad));
    expect((await queue.receive(10)).map((m) => m.body)).toEqual(['kept']);
    await queue.close();
  });

  it('reads a waiting message from its file when it is received: a file spoiled or removed meanwhile is set aside, the rest go on', async () => {
    dir = await tempDir();
    const queue = await FolderQueue.open(dir.path, { clock: new ManualClock('2026-11-20T10:00:00Z'), maxReceiveCount: 5 });
    await queue.send([{ body: 'a' }, { body: 'b' }, { body: 'c' }]);
    const [a, b] = (await readdir(join(dir.path, 'work'))).sort();
    await writeFile(join(dir.path, 'work', a!), '{"id":');
    await rm(join(dir.path, 'work', b!));
    expect((await queue.receive(10)).map((m) => m.body)).toEqual(['c']);
    expect(queue.quarantined).toEqual([{ file: join(dir.path, 'work', a!), reason: expect.stringContaining('not JSON') }]);
    expect(await queue.depths()).toMatchObject({ visible: 0, inFlight: 1, dead: 0 });
    await queue.close();
  });

  it('dead-letters a message directly with the reason given', async () => {
    dir = await tempDir();
    const queue = await FolderQueue.open(dir.path, { clock: new ManualClock(), maxReceiveCount: 5 });
    await queue.send([{ body: '{oops' }]);
    const [message] = await queue.receive(1);
    await queue.deadLetter(message!, 'invalid message: the message is not JSON');
    const files = await readdir(join(dir.path, 'dead'));
    expect(JSON.parse(await readFile(join(dir.path, 'dead', files[0]!), 'utf8'))).toMatchObject({
      body: '{oops',
      reason: 'invalid message: the message is not JSON',
      receiveCount: 1,
    });
    await queue.close();
  });
});

describe('the folder bucket', () => {
  it('stores objects under their keys and lists them in key order, leaving out dot-folders', async () => {
    dir = await tempDir();
    const store = new FolderObjectStore(dir.path);
    await store.put('b/dt=2026-11-20/page-00002.jsonl', 'two\n', 'application/x-ndjson');
    await store.put('b/dt=2026-11-20/page-00001.jsonl', 'one\n', 'application/x-ndjson');
    await store.put('a.json', '{}', 'application/json');
    await (await import('node:fs/promises')).mkdir(join(dir.path, '.queue', 'work'), { recursive: true });
    expect(await store.list('')).toEqual(['a.json', 'b/dt=2026-11-20/page-00001.jsonl', 'b/dt=2026-11-20/page-00002.jsonl']);
    expect(await store.list('b/dt=2026-11-20/page-00001')).toEqual(['b/dt=2026-11-20/page-00001.jsonl']);
    expect(await store.folders('')).toEqual(['b']);
    expect(await store.get('b/dt=2026-11-20/page-00001.jsonl')).toBe('one\n');
    expect(await store.get('missing.json')).toBeUndefined();
    await store.put('a.json', '{"v":2}', 'application/json');
    expect(await store.get('a.json')).toBe('{"v":2}');
    expect((await readdir(dir.path)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses keys that could leave the folder', async () => {
    dir = await tempDir();
    const store = new FolderObjectStore(dir.path);
    for (const key of ['../outside.json', '/etc/passwd', 'a/../../b', 'a//b', 'a/./b', '']) {
      expect(await rejection(store.put(key, 'x', 'text/plain'))).toBeInstanceOf(ConfigError);
    }
  });
});

describe('a write that fails part-way', () => {
  it('leaves no temporary file behind: the bucket, the queue and the secret file', async () => {
    dir = await tempDir();
    // A real failure: the worker runs under a file-size limit of a few KiB (RLIMIT_FSIZE, which binds root
    // too; Node ignores SIGXFSZ, so the write fails with EFBIG), and writes 64 KiB to each store.
    const worker = join(import.meta.dirname, 'helpers', 'failing-write-worker.ts');
    const child = spawn('/bin/sh', ['-c', 'ulimit -f 8 && exec "$@"', 'sh', process.execPath, '--import', 'tsx', worker], {
      env: { ...process.env, WRITE_DIR: dir.path, TSX_DISABLE_CACHE: '1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(0);
    const failures = JSON.parse(stdout) as Record<string, string | null>;
    expect(Object.values(failures).every((failure) => failure !== null)).toBe(true);
    const files = (await readdir(dir.path, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
    expect(files.filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});
