// Writes deploy/athena.json (included by serverless.yml) from lib/analytics: `npm run generate:athena`.
// The tests fail while the committed file differs from what this writes.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { athenaTemplateText } from '../lib/analytics/athena-template.js';

const target = join(import.meta.dirname, 'athena.json');
await writeFile(target, athenaTemplateText());
console.log(`wrote ${target}`);
