/**
 * A view as Athena itself stores one made by CREATE VIEW in the Glue catalogue: the SQL and columns as JSON,
 * base64 inside a comment, so Athena reads it as its own. Shared by the template and the view refresh.
 */

export interface PrestoViewColumn {
  name: string;
  engineType: string;
}

/** The JSON Athena keeps for a view; `schema` is the Glue database. */
export function prestoViewJson(sql: string, columns: readonly PrestoViewColumn[], schema: string): string {
  return JSON.stringify({
    originalSql: sql,
    catalog: 'awsdatacatalog',
    schema,
    columns: columns.map((c) => ({ name: c.name, type: c.engineType })),
  });
}

export const viewOriginalText = (json: string) => `/* Presto View: ${Buffer.from(json, 'utf8').toString('base64')} */`;

/** The SQL of a stored view, or undefined when the text is not a Presto view. */
export function prestoViewSql(originalText: string | undefined): string | undefined {
  const encoded = /^\/\* Presto View: (\S+) \*\/$/.exec(originalText?.trim() ?? '')?.[1];
  if (!encoded) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as { originalSql?: unknown };
    return typeof parsed.originalSql === 'string' ? parsed.originalSql : undefined;
  } catch {
    return undefined;
  }
}
