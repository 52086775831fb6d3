import { rename as renameCallback, writeFile as writeFileCallback } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { promisify } from 'node:util';

// The callback forms, promisified: fs/promises' writeFile goes through a FileHandle, which costs the main thread
// about a third more a file, and a run writes several files a page (the page, its receipt, its queue message).
const writeFile = promisify(writeFileCallback);
const rename = promisify(renameCallback);

let written = 0;

/**
 * Writes a file whole: the body goes to a temporary file (`temp`, or `<path>.<pid>-<n>.tmp`), which is then
 * renamed over the path, so a reader or a crash never sees half of it. When the write or the rename fails (a
 * full disk, a file too large, a read-only folder) the temporary file is removed before the error goes on.
 * Asynchronous on purpose: a rename over a file can wait on the disk (ext4 flushes the new data first), and
 * that wait belongs in libuv's pool, not on the thread that keeps Zoho's calls moving.
 */
export async function writeWhole(path: string, body: string | Uint8Array, temp = `${path}.${tempSuffix()}`): Promise<void> {
  try {
    await writeFile(temp, body, typeof body === 'string' ? 'utf8' : undefined);
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    // A failed write through a descriptor (ENOSPC, EFBIG) names no file: name the one being written.
    const failure = error as NodeJS.ErrnoException;
    if (failure.code !== undefined && failure.path === undefined) failure.path = path;
    throw error;
  }
}

/** A temporary file's suffix that no other write of this process, nor of another one, uses at the same time. */
export function tempSuffix(): string {
  written += 1;
  return `${process.pid}-${written}.tmp`;
}
