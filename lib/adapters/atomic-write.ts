import { randomBytes } from 'node:crypto';
import { rename, unlink, writeFile } from 'node:fs/promises';

/**
 * Writes a file whole: the body goes to a temporary file (`temp`, or `<path>.<random>.tmp`), which is then
 * renamed over the path, so a reader or a crash never sees half of it. When the write or the rename fails (a
 * full disk, a file too large, a read-only folder) the temporary file is removed before the error goes on.
 */
export async function writeWhole(path: string, body: string, temp = `${path}.${randomBytes(4).toString('hex')}.tmp`): Promise<void> {
  try {
    await writeFile(temp, body, 'utf8');
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    // A failed write through a descriptor (ENOSPC, EFBIG) names no file: name the one being written.
    const failure = error as NodeJS.ErrnoException;
    if (failure.code !== undefined && failure.path === undefined) failure.path = path;
    throw error;
  }
}
