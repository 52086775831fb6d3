import { expect } from 'vitest';
import { REPORT_FIELDS, type FieldSpec } from '../../lib/reports/catalog.js';
import { LocalWarehouse } from '../../lib/analytics/local-warehouse.js';
import { customFieldType, findTable, snake } from '../../lib/analytics/schema.js';
import { FIELD_MODULES, findReport, recordKey } from '../../lib/reports/catalog.js';
import { fieldsJson } from '../../lib/simulator/custom-fields.js';
import type { Simulator } from '../../lib/simulator/simulator.js';
import { TRUTH_REPORTS } from '../../lib/simulator/truth.js';

export type Row = Record<string, unknown>;

export async function rowsOf(warehouse: LocalWarehouse, sql: string): Promise<Row[]> {
  const result = await warehouse.query(sql);
  return result.rows.map((row) => Object.fromEntries(result.columns.map((c, i) => [c, row[i]])));
}

/** A JSON value as its typed column holds it (DuckDB's JSON output: timestamps as 'YYYY-MM-DD HH:MM:SS[.fff]'). */
function typedValue(field: Pick<FieldSpec, 'type'>, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (field.type) {
    case 'integer':
    case 'decimal':
      return Number(value);
    case 'boolean':
      return value === true || value === 'true';
    case 'time': {
      const ms = typeof value === 'number' ? value : Date.parse(String(value));
      // DuckDB prints milliseconds without trailing zeros: 07:46:22.43, 07:46:22
      return new Date(ms).toISOString().replace('T', ' ').replace('Z', '').replace(/0+$/, '').replace(/\.$/, '');
    }
    case 'json':
      return JSON.stringify(value);
    default:
      return value;
  }
}

/** Each latest view against the portal's current records: ids, the whole record, and each typed column. */
export async function expectMirror(
  sim: Simulator,
  out: string,
  /** reports: the ones the runs read (default: a default run's, the opt-in ones left out) */
  options: { onePortal?: boolean; reports?: readonly string[] } = {},
): Promise<void> {
  // With several portals in the folder, the rows of this simulator's portal alone.
  const where = options.onePortal ? ` WHERE org_id = '${sim.orgId}'` : '';
  const warehouse = await LocalWarehouse.open(out);
  try {
    for (const report of options.reports ?? TRUTH_REPORTS.filter((id) => !findReport(id)?.optIn)) {
      const spec = findTable(report);
      const definition = findReport(report);
      if (!spec || !definition) throw new Error(`no table for ${report}`);
      const truth = sim.currentRecords(report);
      const rows = await rowsOf(warehouse, `SELECT * FROM ${spec.table}_latest${where}`);
      const byKey = new Map(rows.map((row) => [spec.key.map((k) => String(row[k])).join('/'), row]));
      const expected = truth.map((t) => recordKey(definition, t.record as never, t.parentId) as string);
      expect([...byKey.keys()].sort(), `${report}: ids`).toEqual([...expected].sort());
      for (const { record, parentId } of truth) {
        const row = byKey.get(recordKey(definition, record as never, parentId) as string) as Row;
        expect(JSON.parse(String(row.record)), `${report} ${String(record.id)}: the record`).toEqual(record);
        if (parentId && spec.parent) expect(row[spec.parent.column], `${report}: parent`).toBe(parentId);
        for (const field of REPORT_FIELDS[report] ?? []) {
          if (!(field.name in record) || field.type === 'json' || field.type === 'string[]') continue;
          const column = field.type === 'time' ? snake(field.name) : field.name;
          expect(row[column], `${report} ${String(record.id)}.${column}`).toEqual(typedValue(field, record[field.name]));
        }
        if (spec.module && record.cf && typeof record.cf === 'object') {
          for (const [apiName, value] of Object.entries(record.cf as Record<string, unknown>)) {
            const metadata = fieldsJson(sim.portal, spec.module as never).find((f) => f.apiName === apiName);
            const type = customFieldType(String(metadata?.type));
            const got = row[apiName];
            const want = typedValue({ type }, value);
            expect(metadata?.type === 'Date' && got !== null ? String(got).slice(0, 10) : got, `${report} ${String(record.id)}.${apiName}`).toEqual(
              want,
            );
          }
        }
      }
    }
    for (const module of FIELD_MODULES) {
      const rows = await rowsOf(
        warehouse,
        `SELECT "apiName" FROM organization_fields_latest WHERE module_id = '${module}'${where.replace('WHERE', 'AND')} ORDER BY "apiName"`,
      );
      expect(
        rows.map((r) => r.apiName),
        module,
      ).toEqual(
        fieldsJson(sim.portal, module)
          .map((f) => f.apiName)
          .sort(),
      );
    }
  } finally {
    warehouse.close();
  }
}
