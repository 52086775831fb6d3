import { readFile, readlink } from 'node:fs/promises';
import { hostname } from 'node:os';

/** A process, told apart from a later one that got the same pid. */
export interface ProcessIdentity {
  pid: number;
  /** when it started, where that can be known (Linux); absent elsewhere */
  started?: string;
  /** the machine, and the pid namespace (a container) it runs in: a pid means something only within both */
  host?: string;
  pidNamespace?: string;
}

let bootId: Promise<string> | undefined;

/**
 * When a process started, as "<boot id>:<clock ticks since boot>" (`/proc/<pid>/stat` field 22, and
 * `/proc/sys/kernel/random/boot_id`), or undefined where there is no /proc (macOS, Windows) or the process is
 * gone. Two processes with the same pid never have the same start time within one boot.
 */
export async function processStartTime(pid: number): Promise<string | undefined> {
  if (process.platform !== 'linux') return undefined;
  let stat: string;
  try {
    stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid …": comm may hold spaces and ")", so count from the last ")"; field 3 is the first.
  const ticks = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[22 - 3];
  if (!ticks || !/^\d+$/.test(ticks)) return undefined;
  bootId ??= readFile('/proc/sys/kernel/random/boot_id', 'utf8').then(
    (id) => id.trim(),
    () => '',
  );
  const boot = await bootId;
  return boot ? `${boot}:${ticks}` : ticks;
}

/** This process's pid namespace ("pid:[4026531836]"), on Linux. */
async function pidNamespace(): Promise<string | undefined> {
  if (process.platform !== 'linux') return undefined;
  return readlink('/proc/self/ns/pid').catch(() => undefined);
}

export async function currentProcess(): Promise<ProcessIdentity> {
  const started = await processStartTime(process.pid);
  const namespace = await pidNamespace();
  return {
    pid: process.pid,
    ...(started !== undefined && { started }),
    host: hostname(),
    ...(namespace !== undefined && { pidNamespace: namespace }),
  };
}

/**
 * Whether the process is still running: its pid is alive and, when its start time was recorded, it is the
 * same start time (else the pid now belongs to an unrelated process). Where start times cannot be read (not
 * Linux), a live pid counts as running.
 */
export async function isRunning(holder: ProcessIdentity): Promise<boolean> {
  // Another machine or container (a shared volume): its pid cannot be checked from here, so it counts as running.
  if (holder.host !== undefined && holder.host !== hostname()) return true;
  if (holder.pidNamespace !== undefined && holder.pidNamespace !== (await pidNamespace())) return true;
  let otherUser = false;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false; // ESRCH: no such process
    otherUser = true; // alive, but another user's: signals are not allowed
  }
  if (holder.started === undefined || process.platform !== 'linux') return true;
  const started = await processStartTime(holder.pid);
  // Unreadable: ended a moment ago, or hidden from this user (then assume it is the holder).
  if (started === undefined) return otherUser;
  return started === holder.started;
}
