import { CreateDatabaseCommand, CreateTableCommand, GetTableCommand, GlueClient } from '@aws-sdk/client-glue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GlueViewCatalog } from '../lib/adapters/aws/glue-view-catalog.js';
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
});
