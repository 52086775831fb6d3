import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { CreateDatabaseCommand, CreateTableCommand, GetTableCommand, GlueClient } from '@aws-sdk/client-glue';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GlueViewCatalog } from '../lib/adapters/aws/glue-view-catalog.js';
import { S3ObjectStore } from '../lib/adapters/aws/s3-store.js';
import { buildCompactor } from '../lib/aws/compactor.js';
import { silentLogger, type ViewCatalog } from '../lib/ports.js';
import { FolderObjectStore } from '../lib/adapters/folder-object-store.js';
import { exportViews, refreshExportViews } from '../lib/analytics/custom-field-views.js';
import { prestoViewJson, viewOriginalText } from '../lib/analytics/presto-view.js';
import { runReports } from '../lib/cli/run-command.js';
import { schedule } from '../lib/aws/scheduler.js';
import { FAST, contextFor, openPipeline } from './helpers/pipeline.js';
import { MOTO_INSTALL, motoInstalled, startMoto, type Moto } from './helpers/moto.js';
import { fixtures, tempDir } from './helpers/zoho.js';

// Athena's views follow the portal's custom fields: after a run reads the field metadata, the scheduler gives
// each deployed view a `cf_…` column per custom field. Glue is moto's (started here on 127.0.0.1); the export is
// the simulator's, read by the real pipeline.

const installed = motoInstalled();
const required = process.env.REQUIRE_MOTO === '1';
if (!installed && !required) console.warn(`test/glue-views.test.ts is skipped: moto is not installed (${MOTO_INSTALL}).`);

const DATABASE = 'zoho_desk_ci';
const open = fixtures();
let moto: Moto | undefined;
let glue: GlueClient;

beforeAll(async () => {
  if (!installed && !required) return;
  moto = await startMoto();
  glue = new GlueClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: DATABASE } }));
  // The views as the template deploys them: no custom-field columns yet.
  for (const view of exportViews(new Map())) {
    await glue.send(
      new CreateTableCommand({
        DatabaseName: DATABASE,
        TableInput: {
          Name: view.name,
          TableType: 'VIRTUAL_VIEW',
          ViewOriginalText: viewOriginalText(prestoViewJson(view.sql, view.columns, DATABASE)),
          StorageDescriptor: { Columns: view.columns.map((c) => ({ Name: c.name, Type: c.hiveType })) },
        },
      }),
    );
  }
}, 60_000);

afterAll(async () => {
  await moto?.stop();
});

async function storedView(name: string) {
  const { Table } = await glue.send(new GetTableCommand({ DatabaseName: DATABASE, Name: name }));
  const encoded = /Presto View: (\S+) \*\//.exec(Table?.ViewOriginalText ?? '')?.[1] ?? '';
  const presto = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as {
    originalSql: string;
    schema: string;
    columns: Array<{ name: string; type: string }>;
  };
  return { presto, columns: Table?.StorageDescriptor?.Columns ?? [] };
}

describe.skipIf(!installed && !required)('custom-field columns in Athena', () => {
  it("are added to the deployed views from the export's field metadata, once, and typed", async () => {
    const fixture = await open({ simulator: { tickets: 20 } });
    const dir = await tempDir();
    expect(await runReports(['organization-fields'], { out: dir.path, ...FAST }, contextFor(fixture))).toBe(0);
    const catalog = new GlueViewCatalog(glue, DATABASE);
    const warnings: string[] = [];
    const store = new FolderObjectStore(dir.path);

    const replaced = await refreshExportViews(store, catalog, (m) => warnings.push(m));
    expect(replaced.sort()).toEqual([
      'accounts',
      'accounts_latest',
      'calls',
      'calls_latest',
      'contacts',
      'contacts_latest',
      'queue',
      'queue_latest',
      'tickets',
      'tickets_latest',
    ]);
    expect(warnings).toEqual([]);
    expect((await storedView('tickets')).presto.originalSql).toContain(`json_extract_scalar(record, '$.cf.cf_product_area') AS "cf_product_area"`);
    const { presto, columns } = await storedView('tickets_latest');
    expect(presto.schema).toBe(DATABASE);
    expect(presto.originalSql).toContain('versions."cf_product_area"');
    expect(presto.columns).toEqual(
      expect.arrayContaining([
        { name: 'cf_product_area', type: 'varchar' },
        { name: 'cf_items_affected', type: 'bigint' },
      ]),
    );
    expect(columns).toEqual(expect.arrayContaining([{ Name: 'cf_refund_requested', Type: 'boolean' }]));

    // Nothing changed since: nothing is replaced.
    expect(await refreshExportViews(store, catalog, (m) => warnings.push(m))).toEqual([]);
    // A view that is not deployed is named, not created.
    const elsewhere = new GlueViewCatalog(glue, 'no_such_database');
    await refreshExportViews(store, elsewhere, (m) => warnings.push(m));
    expect(warnings).toContainEqual(expect.stringContaining('Glue database no_such_database has no view accounts: deploy the stack'));

    // The scheduler Lambda does it on every invocation, after finalizing the runs before (a redeploy put the
    // template's view back).
    const [template] = exportViews(new Map()).filter((v) => v.name === 'calls');
    await catalog.replaceView(template!);
    const pipeline = await openPipeline(fixture, dir.path);
    try {
      await schedule({ reports: ['departments'] }, pipeline.deps, [], catalog);
    } finally {
      await pipeline.close();
    }
    expect((await storedView('calls')).presto.originalSql).toContain('AS "cf_');
    await dir.remove();
  });

  it('are pointed at each new generation by the compactor, which keeps the older generations while it cannot', async () => {
    const fixture = await open({ simulator: { tickets: 30, edition: 'ENTERPRISE' } });
    const { sim } = fixture.running;
    const dir = await tempDir();
    const s3 = new S3Client({
      endpoint: moto!.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      forcePathStyle: true,
    });
    await s3.send(new CreateBucketCommand({ Bucket: 'zdr-compacted' }));
    const store = new S3ObjectStore(s3, 'zdr-compacted');
    const copied = new Set<string>();
    // Each run read locally, its pages and bookkeeping put in the bucket as the Lambdas would have (not current/).
    const runAndUpload = async () => {
      if (copied.size) sim.advance(4 * 3_600_000, { modifiedTickets: 2, newTickets: 1, newThreads: 1 });
      expect(await runReports([], { out: dir.path, ...FAST }, contextFor(fixture, sim.clock))).toBe(0);
      for (const entry of await readdir(dir.path, { withFileTypes: true, recursive: true })) {
        const key = relative(dir.path, join(entry.parentPath, entry.name)).replaceAll('\\', '/');
        if (!entry.isFile() || key.startsWith('current/') || key.startsWith('.') || copied.has(key)) continue;
        await store.put(key, await readFile(join(dir.path, key)), 'application/octet-stream');
        copied.add(key);
      }
    };
    const catalog = new GlueViewCatalog(glue, DATABASE, 's3://zdr-compacted/');
    const compactor = (views: ViewCatalog) =>
      buildCompactor({ store, clock: sim.clock, logger: silentLogger, views, workDir: join(tmpdir(), `zdr-glue-${process.pid}`) });
    const pointer = async () => JSON.parse((await store.get('current/tickets/_current.json')) ?? '{}') as { generation: string; through: string };
    const generations = async () => new Set((await store.list('current/tickets/gen=')).map((key) => key.split('/')[2]));

    await runAndUpload();
    const first = await compactor(catalog)();
    expect(first.views).toEqual(expect.arrayContaining(['tickets_latest', 'threads_latest', 'agents_latest']));
    const { generation, through } = await pointer();
    const sql = (await storedView('tickets_latest')).presto.originalSql;
    expect(sql).toContain(`FROM "tickets_compacted" WHERE gen = '${generation}'`);
    expect(sql).toContain(`'s3://zdr-compacted/' || page AS "$path"`);
    expect(sql).toContain(`WHERE dt >= '${through.slice(0, 10)}' AND regexp_extract("$path", '/run=([^/]+)/', 1) > '${through}'`);
    // Still the typed columns and the custom fields the scheduler gives them.
    expect((await storedView('tickets_latest')).presto.columns).toEqual(expect.arrayContaining([{ name: 'cf_product_area', type: 'varchar' }]));

    // Glue refuses (a permission taken away): the generations stay, so no view is left naming one that is gone.
    const refusing: ViewCatalog = {
      description: catalog.description,
      location: catalog.location,
      viewSql: (name) => catalog.viewSql(name),
      replaceView: () => Promise.reject(new Error('AccessDeniedException: not authorized to perform glue:UpdateTable')),
    };
    for (let i = 0; i < 2; i += 1) {
      await runAndUpload();
      await expect(compactor(refusing)()).rejects.toThrow(
        /The compacted generations are in place, but Athena's views in Glue database zoho_desk_ci were not pointed at them \(AccessDeniedException.*older generations are kept until they are/,
      );
    }
    expect(await generations()).toEqual(new Set([generation, (await pointer()).generation, expect.any(String)]));
    expect((await generations()).size).toBe(3);
    expect((await storedView('tickets_latest')).presto.originalSql).toContain(`WHERE gen = '${generation}'`);

    // Glue answers again: the views follow the newest generation, and the older ones go.
    await runAndUpload();
    await compactor(catalog)();
    const newest = await pointer();
    expect((await storedView('tickets_latest')).presto.originalSql).toContain(`WHERE gen = '${newest.generation}'`);
    expect((await generations()).size).toBe(2);
    expect(await generations()).not.toContain(generation);
    await dir.remove();
  }, 120_000);
});
