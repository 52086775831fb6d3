#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx), so what you install is what the tests ran.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../lib/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
