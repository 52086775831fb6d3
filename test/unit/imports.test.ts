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
});
