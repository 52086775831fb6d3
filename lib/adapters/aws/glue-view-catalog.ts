import { EntityNotFoundException, GetTableCommand, UpdateTableCommand, type GlueClient } from '@aws-sdk/client-glue';
import { prestoViewJson, prestoViewSql, viewOriginalText } from '../../analytics/presto-view.js';
import type { ViewCatalog } from '../../ports.js';

/** Athena's views in the Glue catalogue: read one's SQL, replace one (as Athena's CREATE OR REPLACE VIEW stores it). */
export class GlueViewCatalog implements ViewCatalog {
  readonly description: string;

  constructor(
    private readonly glue: GlueClient,
    private readonly database: string,
    /** the bucket its tables read, `s3://<bucket>/` */
    readonly location?: string,
  ) {
    this.description = `Glue database ${database}`;
  }

  async viewSql(name: string): Promise<string | undefined> {
    try {
      const { Table } = await this.glue.send(new GetTableCommand({ DatabaseName: this.database, Name: name }));
      return prestoViewSql(Table?.ViewOriginalText);
    } catch (error) {
      if (error instanceof EntityNotFoundException) return undefined;
      throw error;
    }
  }

  async replaceView(view: Parameters<ViewCatalog['replaceView']>[0]): Promise<void> {
    await this.glue.send(
      new UpdateTableCommand({
        DatabaseName: this.database,
        TableInput: {
          Name: view.name,
          Description: view.description,
          TableType: 'VIRTUAL_VIEW',
          Parameters: { presto_view: 'true', comment: 'Presto View' },
          ViewOriginalText: viewOriginalText(prestoViewJson(view.sql, view.columns, this.database)),
          ViewExpandedText: '/* Presto View */',
          StorageDescriptor: { SerdeInfo: {}, Columns: view.columns.map((c) => ({ Name: c.name, Type: c.hiveType })) },
        },
      }),
    );
  }
}
