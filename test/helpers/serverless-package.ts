import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from './zoho.js';

export type Resource = {
  Type: string;
  // biome-ignore lint/suspicious/noExplicitAny: the tests walk CloudFormation's JSON freely; a wrong path fails the test
  Properties: Record<string, any>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  DependsOn?: string | string[];
  Condition?: string;
};

export interface Template {
  Resources: Record<string, Resource>;
  Outputs: Record<string, { Value: unknown; Export?: unknown; Description?: string }>;
  Conditions?: Record<string, unknown>;
  [section: string]: unknown;
}

export interface PackagedApp {
  /** the folder `serverless package` wrote: both templates and one zip per function */
  dir: string;
  /** the template `serverless deploy` creates the stack with: the deployment bucket alone */
  createTemplate: Template;
  /** the template of the whole app, applied once the zips are in the deployment bucket */
  updateTemplate: Template;
  remove(): Promise<void>;
}

export const ROOT = join(import.meta.dirname, '..', '..');

/**
 * `serverless package --stage <stage>` of this repository, offline and with no AWS credentials at all (a few
 * seconds: call it once per test file, in beforeAll), with `params` as `--param name=value`.
 */
export async function packageApp(stage: string, params: Record<string, string> = {}): Promise<PackagedApp> {
  const dir = await tempDir();
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: dir.path,
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
    AWS_SHARED_CREDENTIALS_FILE: join(dir.path, 'none'),
    AWS_CONFIG_FILE: join(dir.path, 'none'),
  };
  const out = join(dir.path, 'package');
  const child = spawn(
    process.execPath,
    [
      join(ROOT, 'node_modules/osls/bin/serverless.js'),
      'package',
      '--stage',
      stage,
      '--package',
      out,
      ...Object.entries(params).map(([name, value]) => `--param=${name}=${value}`),
    ],
    {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const [code] = (await once(child, 'exit')) as [number];
  if (code !== 0) throw new Error(`serverless package failed (${code}):\n${output}`);
  const read = async (name: string) => JSON.parse(await readFile(join(out, name), 'utf8')) as Template;
  return {
    dir: out,
    createTemplate: await read('cloudformation-template-create-stack.json'),
    updateTemplate: await read('cloudformation-template-update-stack.json'),
    remove: dir.remove,
  };
}
