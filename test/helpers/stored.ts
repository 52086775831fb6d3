import { FolderObjectStore } from '../../lib/adapters/folder-object-store.js';
import type { ObjectStore } from '../../lib/ports.js';

export type Row = Record<string, unknown>;

/** A reports folder (its path) or any bucket behind the ObjectStore port (an S3ObjectStore, say). */
export type StoreOrFolder = string | ObjectStore;

const storeOf = (from: StoreOrFolder): ObjectStore => (typeof from === 'string' ? new FolderObjectStore(from) : from);

/** Every page file of a report (each `.jsonl` key under `<report>/`), in key order, with its records parsed. */
export async function storedPages(from: StoreOrFolder, report: string): Promise<Array<{ key: string; records: Row[] }>> {
  const store = storeOf(from);
  const pages: Array<{ key: string; records: Row[] }> = [];
  for (const key of await store.list(`${report}/`)) {
    if (!key.endsWith('.jsonl')) continue;
    const text = (await store.get(key)) ?? '';
    pages.push({
      key,
      records: text
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Row),
    });
  }
  return pages;
}

/** Every record of every page of a report, parsed, in key order. */
export async function storedRecords(from: StoreOrFolder, report: string): Promise<Row[]> {
  return (await storedPages(from, report)).flatMap((page) => page.records);
}

/**
 * The data a run left: every key under the report folders (not the bookkeeping, nor the compacted state, whose
 * generations are named by when they were written: the views over it are compared in compaction.test.ts).
 */
export async function reportFiles(from: StoreOrFolder): Promise<Map<string, string>> {
  const store = storeOf(from);
  const files = new Map<string, string>();
  for (const key of await store.list('')) {
    if (key.startsWith('_') || key.startsWith('current/')) continue;
    files.set(key, (await store.get(key)) ?? '');
  }
  return files;
}

/** Of an export's files, those of one run and those outside every run (a later run's pages left out). */
export function ofRun(files: Map<string, string>, runId: string): Map<string, string> {
  return new Map([...files].filter(([key]) => !key.includes('/run=') || key.includes(`/run=${runId}/`)));
}
