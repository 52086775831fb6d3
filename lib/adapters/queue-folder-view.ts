import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Quarantined } from './folder-queue.js';
import { readStoredMessage } from './stored-message.js';

export interface QueueFolderView {
  waiting: number;
  dead: Array<{ id: string; reason: string }>;
  /** message files that are not valid messages: the next run moves them to quarantine/ */
  invalid: Quarantined[];
  /** files already in quarantine/ */
  quarantined: number;
}

/** What a queue folder holds, read without taking it over (for `status` while a run works). */
export async function peekQueueFolder(folder: string): Promise<QueueFolderView> {
  const names = async (box: string) => (await readdir(join(folder, box)).catch(() => [] as string[])).filter((n) => n.endsWith('.json')).sort();
  const view: QueueFolderView = { waiting: 0, dead: [], invalid: [], quarantined: (await names('quarantine')).length };
  for (const box of ['work', 'dead'] as const) {
    for (const name of await names(box)) {
      const file = join(folder, box, name);
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT') view.invalid.push({ file, reason: `cannot be read (${code ?? (error as Error).message})` });
        continue;
      }
      const read = readStoredMessage(text, name);
      if (!('message' in read)) view.invalid.push({ file, reason: read.problem });
      else if (box === 'work') view.waiting += 1;
      else view.dead.push({ id: read.message.id, reason: read.message.reason ?? 'no reason recorded' });
    }
  }
  return view;
}
