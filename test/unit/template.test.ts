import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { athenaTemplateText } from '../../lib/analytics/athena-template.js';

const ROOT = join(import.meta.dirname, '..', '..');

describe('the Athena tables and views in the packaged template', () => {
  it('is the file `npm run generate:athena` writes (run it after changing lib/analytics)', async () => {
    expect(await readFile(join(ROOT, 'deploy/athena.json'), 'utf8')).toBe(athenaTemplateText());
  });
});
