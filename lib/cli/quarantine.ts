import { join, relative } from 'node:path';
import type { Quarantined } from '../adapters/folder-queue.js';
import type { Output } from './output.js';

/**
 * One line per queue file that was not a valid message and was moved aside, named from the reports folder:
 * "Quarantined .queue/work/<id>.json: "receiveCount" is missing". The run went on without it.
 */
export function printQuarantined(out: Output, root: string, files: readonly Quarantined[]): void {
  for (const { file, reason } of files) out.line(`Quarantined ${relative(root, file)}: ${reason}.`);
  if (files.length) {
    out.line(`  They are in ${join(root, '.queue', 'quarantine')}/: look at them, then delete them (or fix one and move it back to .queue/work/).`);
  }
}
