import { mkdir, readdir, readFile, rmdir, unlink } from 'node:fs/promises';
import pLimit from 'p-limit';
import { dirname, join, posix } from 'node:path';
import { ConfigError } from '../errors.js';
import type { ObjectStore } from '../ports.js';
import { tempSuffix, writeWhole } from './atomic-write.js';
import { fsProblem } from './fs-problem.js';

/** folders remembered as made: enough for every folder a run writes into at once */
const MADE_REMEMBERED = 4_096;

// `%`: a route export's query, URL-encoded, names its folder (routeParamsScope); `~`: a receipt's flattened scope.
const SEGMENT = /^[A-Za-z0-9_=.%~-]+$/;

/** Refuses keys that could leave the folder or that S3 would treat differently. */
export function checkKey(key: string): string {
  const segments = key.split('/');
  if (key.length === 0 || key.length > 1024 || segments.some((s) => !SEGMENT.test(s) || s === '.' || s === '..')) {
    throw new ConfigError(`"${key}" is not a valid object key.`);
  }
  return key;
}

/**
 * The local bucket: a folder (default ./reports) holding the same keys as S3. Writes go to a temporary
 * file renamed into place, so a reader or a crash never sees half an object. Dot-folders (the local queue)
 * are not part of the bucket.
 */
/** Objects removed together: S3's DeleteObjects takes 1,000 keys a call, and so does the folder. */
const DELETE_CHUNK = 1_000;

export class FolderObjectStore implements ObjectStore {
  readonly description: string;
  /** folders already made by this process: a page's folder is made once, not once per page */
  private readonly made = new Set<string>();

  constructor(readonly root: string) {
    this.description = `folder ${root}`;
  }

  async put(key: string, body: string | Uint8Array, _contentType?: string): Promise<void> {
    const path = join(this.root, checkKey(key));
    const folder = dirname(path);
    try {
      if (!this.made.has(folder)) {
        await mkdir(folder, { recursive: true });
        // Forgotten now and then: a first run makes a folder per ticket, and remembering them all grows with the portal.
        if (this.made.size >= MADE_REMEMBERED) this.made.clear();
        this.made.add(folder);
      }
      // A dot-file: never listed as a key, even while it exists.
      await writeWhole(path, body, join(folder, `.${tempSuffix()}`));
    } catch (error) {
      throw fsProblem(error, `the reports folder ${this.root}`); // a full disk, a file where a folder must be, …
    }
  }

  async get(key: string): Promise<string | undefined> {
    try {
      return await readFile(join(this.root, checkKey(key)), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async getBytes(key: string): Promise<Uint8Array | undefined> {
    try {
      return await readFile(join(this.root, checkKey(key)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async folders(prefix: string): Promise<string[]> {
    const folder = prefix.replace(/\/$/, '');
    if (folder) checkKey(folder);
    try {
      const entries = await readdir(join(this.root, folder), { withFileTypes: true });
      return entries
        .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
        .map((e) => e.name)
        .sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  async list(prefix: string): Promise<string[]> {
    // Walk from the deepest folder the prefix names, then filter by the rest of it.
    const folder = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    if (folder) checkKey(folder);
    const keys: string[] = [];
    const walk = async (relative: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(join(this.root, relative), { withFileTypes: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw error;
      }
      for (const entry of entries) {
        if (entry.name.startsWith('.')) continue;
        const key = relative ? posix.join(relative, entry.name) : entry.name;
        if (entry.isDirectory()) await walk(key);
        else if (key.startsWith(prefix)) keys.push(key);
      }
    };
    await walk(folder);
    return keys.sort();
  }

  /** Unlinks each file, then the folders that left empty (up to the reports folder), deepest first. */
  async delete(keys: readonly string[]): Promise<void> {
    // A chunk at a time, so removing a first run's receipts never holds a promise per file.
    for (let start = 0; start < keys.length; start += DELETE_CHUNK) await this.deleteSome(keys.slice(start, start + DELETE_CHUNK));
  }

  private async deleteSome(keys: readonly string[]): Promise<void> {
    const folders = new Set<string>();
    const limit = pLimit(32); // many small removals at once: the disk answers faster in parallel
    const remove = async (key: string) => {
      await unlink(join(this.root, checkKey(key))).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
    };
    try {
      await Promise.all(keys.map((key) => limit(() => remove(key))));
    } catch (error) {
      throw fsProblem(error, `the reports folder ${this.root}`);
    }
    for (const key of keys) for (let folder = posix.dirname(key); folder !== '.'; folder = posix.dirname(folder)) folders.add(folder);
    // Deepest first, one depth at a time; a folder not empty (other objects, a write under way) is kept, as S3 would.
    const byDepth = new Map<number, string[]>();
    for (const folder of folders) {
      const depth = folder.split('/').length;
      const list = byDepth.get(depth);
      if (list) list.push(folder);
      else byDepth.set(depth, [folder]);
    }
    for (const depth of [...byDepth.keys()].sort((a, b) => b - a)) {
      await Promise.all(
        (byDepth.get(depth) ?? []).map((folder) =>
          limit(async () => {
            const removed = await rmdir(join(this.root, folder)).then(
              () => true,
              () => false,
            );
            if (removed) this.made.delete(join(this.root, folder));
          }),
        ),
      );
    }
  }
}
