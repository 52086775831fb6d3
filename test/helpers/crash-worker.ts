// A worker process that dies mid-page, for the crash tests: run with tsx, it drains the queue folder like
// `run` does and exits abruptly (no cleanup, no acknowledgement) at the Nth page, either between fetching
// and storing it (`after-fetch`) or between storing it and deleting its message (`after-store`).
import { openLocalPipeline } from '../../lib/cli/local-pipeline.js';
import type { ObjectStore } from '../../lib/ports.js';

const env = process.env as Record<string, string>;
const point = env.CRASH_POINT as 'after-fetch' | 'after-store';
const at = Number(env.CRASH_AT);
const pipeline = await openLocalPipeline(
  { out: env.CRASH_OUT ?? '', retry: { baseMs: 1, capMs: 5 } },
  { env, out: { line: () => undefined, error: () => undefined } },
);
const store = pipeline.store as ObjectStore;
const put = store.put.bind(store);
let pages = 0;
store.put = async (key, body, contentType) => {
  const isPage = key.endsWith('.jsonl');
  if (isPage && point === 'after-fetch' && ++pages === at) process.exit(137); // fetched, not stored
  await put(key, body, contentType);
  const isWrittenReceipt = key.startsWith('_runs/') && typeof body === 'string' && body.includes('"status":"written"');
  if (isWrittenReceipt && point === 'after-store' && ++pages === at) process.exit(137); // stored, not acknowledged
};
await pipeline.connectPortal();
await pipeline.process();
process.exit(0);
