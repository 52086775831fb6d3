import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compactedLatestViewSql, compactedTableName } from '../lib/analytics/compacted-views.js';
import { generationFile, readPointer } from '../lib/analytics/compaction.js';
import { LocalWarehouse } from '../lib/analytics/local-warehouse.js';
import { TABLES } from '../lib/analytics/schema.js';
import { DUCKDB, latestViewName } from '../lib/analytics/views.js';
import { runReports } from '../lib/cli/run-command.js';
import { rowsOf } from './helpers/mirror.js';
import { contextFor, FAST } from './helpers/pipeline.js';
import { fixtures, tempDir } from './helpers/zoho.js';

// Issue 15: Athena's latest views read each report's compacted generation (the `<table>_compacted` Parquet table,
// a partition per generation) and the pages of later runs. Athena cannot run here: the very SQL, written once for
// both engines, runs in DuckDB over the same generation files and page files, and must give the local latest
// views' rows, which compaction.test.ts holds equal to the views over every page.

const open = fixtures();
const HOUR = 3_600_000;
const COLUMNS = 'org_id, record, run_id, dt, source_file';

describe("Athena's latest views over the compacted state", () => {
  it('give the rows of the local latest views, from the generation and the pages of runs after it', async () => {
    const fixture = await open({ simulator: { tickets: 90, contacts: 50, edition: 'ENTERPRISE' } });
    const { sim } = fixture.running;
    const dir = await tempDir();
    const context = contextFor(fixture, sim.clock);
    expect(await runReports([], { out: dir.path, ...FAST }, context)).toBe(0);
    sim.advance(4 * HOUR, { modifiedTickets: 4, newThreads: 3, deleteTickets: 2, closeTickets: 2, editContacts: 2, disableAgents: 1 });
    expect(await runReports([], { out: dir.path, ...FAST }, context)).toBe(0);
    // A run the generation does not hold yet: its pages are read after it.
    sim.advance(4 * HOUR, { modifiedTickets: 3, newTickets: 2, restoreTickets: 1, deleteContacts: 1, processApprovals: 1 });
    const current = join(dir.path, 'current');
    await rename(current, `${current}.kept`);
    expect(await runReports([], { out: dir.path, ...FAST }, context)).toBe(0);
    await rm(current, { recursive: true, force: true });
    await rename(`${current}.kept`, current);

    const warehouse = await LocalWarehouse.open(dir.path);
    try {
      let compared = 0;
      for (const spec of TABLES) {
        const pointer = await readPointer(dir.path, spec.report);
        if (!pointer) continue;
        const file = generationFile(dir.path, spec.report, pointer.generation);
        // The Glue table reads the file's columns by position as record, page, dt.
        const described = await rowsOf(warehouse, `DESCRIBE SELECT * FROM read_parquet('${file}', hive_partitioning = false)`);
        expect(described.map((c) => c.column_name)).toEqual(['record', '$path', 'dt']);
        // Two generations, as the bucket may hold: the view reads the one it names.
        await warehouse.query(
          `CREATE OR REPLACE VIEW "${compactedTableName(spec)}" AS SELECT record, "$path" AS page, dt, '${pointer.generation}' AS gen FROM read_parquet('${file}')
           UNION ALL SELECT record, "$path" AS page, dt, 'gen=older' AS gen FROM read_parquet('${file}')`,
        );
        const sql = compactedLatestViewSql(spec, DUCKDB, {}, pointer, `${dir.path}/`);
        const athena = (await rowsOf(warehouse, `SELECT ${COLUMNS} FROM (${sql}) AS v`)).map((r) => JSON.stringify(r)).sort();
        const local = (await rowsOf(warehouse, `SELECT ${COLUMNS} FROM ${latestViewName(spec)}`)).map((r) => JSON.stringify(r)).sort();
        expect(athena, spec.table).toEqual(local);
        compared += local.length;
      }
      // Every report had a generation, and the later run's pages were read besides it.
      expect(compared).toBeGreaterThan(500);
      const tickets = await rowsOf(
        warehouse,
        `SELECT count(*) AS n FROM tickets_latest WHERE run_id > '${(await readPointer(dir.path, 'tickets'))?.through}'`,
      );
      expect(Number(tickets[0]?.n)).toBeGreaterThan(0);
    } finally {
      warehouse.close();
    }
    await dir.remove();
  });
});
