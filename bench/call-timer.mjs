// Preloaded (`node --import`) into the process figure 9 times: how long each Desk call took as that process saw
// it (sent to answered), so the figure can say what the machine allowed as well as what L promised. At exit it
// writes {"calls": n, "meanMs": m} to the file named by BENCH_CALLS_FILE.
import { writeFileSync } from 'node:fs';

const send = globalThis.fetch;
let calls = 0;
let totalMs = 0;
globalThis.fetch = async (input, init) => {
  const started = performance.now();
  try {
    return await send(input, init);
  } finally {
    if (String(input instanceof Request ? input.url : input).includes('/api/v1/')) {
      calls += 1;
      totalMs += performance.now() - started;
    }
  }
};

process.on('exit', () => {
  if (process.env.BENCH_CALLS_FILE) writeFileSync(process.env.BENCH_CALLS_FILE, JSON.stringify({ calls, meanMs: calls ? totalMs / calls : 0 }));
});
