import { spawn, spawnSync } from 'node:child_process';

/** How to get the emulator the moto test needs. */
export const MOTO_INSTALL = 'pip install "moto[server]==5.2.1"';

/** Whether `python3 -m moto.server` can run here (moto with its server extras). */
export function motoInstalled(): boolean {
  const probe = spawnSync('python3', ['-c', 'import moto.server'], { stdio: 'ignore', timeout: 30_000 });
  return probe.status === 0;
}

export interface Moto {
  /** http://127.0.0.1:<port>: SQS, S3, Secrets Manager, CloudFormation, Lambda, IAM… on one port */
  endpoint: string;
  stop(): Promise<void>;
}

/**
 * moto's server on a free port of 127.0.0.1 (port 0: it prints the one it got), stopped by `stop`. Every
 * server is a fresh, empty account (123456789012).
 */
export async function startMoto(): Promise<Moto> {
  const child = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const endpoint = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`moto did not start in 30 s:\n${output}`)), 30_000);
    const look = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Running on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', look);
    child.stderr.on('data', look);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`moto exited (${code}) before serving:\n${output}`));
    });
  });
  // Keep draining its request log, or the pipe fills and moto blocks.
  child.stdout.removeAllListeners('data').resume();
  child.stderr.removeAllListeners('data').resume();
  return {
    endpoint,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}
