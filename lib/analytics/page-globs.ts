import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The run folders of a report, in the two layouts an export can hold: each portal's (`dt=…/org=…/run=…`) and,
 * for files written before portals, the legacy one (`dt=…/run=…`). See pipeline/portals.ts.
 */
const LAYOUTS = ['dt=*/org=*/run=*', 'dt=*/run=*'] as const;

/**
 * The globs of `pages` (e.g. `ticket=*` then `*.jsonl`) under `<root>/<prefix>` in each layout that holds at
 * least one such file: DuckDB refuses a list of patterns when one of them matches nothing. Each is searched
 * newest folder first and stops at the first file, so a layout with pages costs a few listings. With none,
 * the portals' glob, which the caller sees match nothing (an empty table).
 */
export async function pageGlobs(root: string, prefix: string, pages: string): Promise<string[]> {
  const base = `${root.replaceAll('\\', '/')}/${prefix}`;
  const found: string[] = [];
  for (const layout of LAYOUTS) {
    const glob = `${layout}/${pages}`;
    if (await anyFile(join(root, prefix), glob.split('/'))) found.push(`${base}${glob}`);
  }
  return found.length ? found : [`${base}${LAYOUTS[0]}/${pages}`];
}

const pattern = (segment: string) => new RegExp(`^${segment.split('*').map(literal).join('[^/]*')}$`);
const literal = (text: string) => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

async function entries(path: string): Promise<Dirent[]> {
  const found = await readdir(path, { withFileTypes: true }).catch(() => []);
  // Newest first: day, run and page names sort by time.
  return found.sort((a, b) => b.name.localeCompare(a.name));
}

/** Whether a file under `path` matches the glob's segments (`**`: any number of folders). */
export async function anyFile(path: string, segments: readonly string[]): Promise<boolean> {
  const [segment, ...rest] = segments;
  if (segment === undefined) return false;
  if (segment === '**') {
    if (await anyFile(path, rest)) return true;
    for (const entry of await entries(path)) if (entry.isDirectory() && (await anyFile(join(path, entry.name), segments))) return true;
    return false;
  }
  const matches = pattern(segment);
  for (const entry of await entries(path)) {
    if (!matches.test(entry.name)) continue;
    if (rest.length === 0 ? entry.isFile() : entry.isDirectory() && (await anyFile(join(path, entry.name), rest))) return true;
  }
  return false;
}
