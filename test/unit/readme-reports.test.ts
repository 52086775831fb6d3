import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPORT_IDS } from '../../lib/reports/catalog.js';

const README = join(import.meta.dirname, '..', '..', 'README.md');

/** The report ids the README's "The reports" table lists, in its first column ("`contacts`, `accounts`"). */
function listed(readme: string): string[] {
  const section = readme.split('\n## The reports\n')[1]?.split('\n## ')[0] ?? '';
  return section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .flatMap((line) => [...(line.split('|')[1] ?? '').matchAll(/`([a-z-]+)`/g)].map((m) => m[1] as string));
}

describe("the README's list of reports", () => {
  it('names every report once, and no report that does not exist', async () => {
    const ids = listed(await readFile(README, 'utf8'));
    expect([...ids].sort()).toEqual([...REPORT_IDS].sort());
  });

  it('is read from the table rows (the check can fail)', () => {
    expect(listed('x\n## The reports\n| `tickets` | a |\n| `a`, `b` | c |\n## Next\n| `queue` |')).toEqual(['tickets', 'a', 'b']);
  });
});
