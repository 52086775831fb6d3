import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const LIB = join(import.meta.dirname, '..', '..', 'lib');

describe('imports the Lambda bundles can shake', () => {
  it('takes zod as a namespace (import * as z): its `z` export is the whole library, which esbuild then bundles whole', async () => {
    // `import { z } from 'zod'` in one file on the consumer's path put 350 kB more in each Lambda (bench figure 4).
    const files = (await readdir(LIB, { recursive: true })).filter((name) => name.endsWith('.ts'));
    const offenders: string[] = [];
    for (const file of files) if (/import\s*\{\s*z\s*\}\s*from\s*'zod'/.test(await readFile(join(LIB, file), 'utf8'))) offenders.push(file);
    expect(offenders).toEqual([]);
  });

  it('lib/reports/ depends on no part that asks it (pipeline, analytics, cli, aws): a definition is read, it does not read them', async () => {
    const dir = join(LIB, 'reports');
    const offenders: string[] = [];
    for (const file of (await readdir(dir, { recursive: true })).filter((name) => name.endsWith('.ts'))) {
      const text = await readFile(join(dir, file), 'utf8');
      if (/from '(\.\.\/)+(pipeline|analytics|cli|aws|adapters)\//.test(text)) offenders.push(file);
    }
    expect(offenders).toEqual([]);
  });
});
