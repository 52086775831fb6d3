import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { EXPIRING_PAGE_TAG, type ObjectStore, type PutOptions } from '../../ports.js';
import { checkKey } from '../folder-object-store.js';

function isMissing(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
}

/** The bucket: one PutObject per object, so a page is replaced whole or not at all. */
export class S3ObjectStore implements ObjectStore {
  readonly description: string;

  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
  ) {
    this.description = `bucket ${bucket}`;
  }

  /**
   * The length is given: the SDK sets Content-Length only for a non-empty body, and warns of "a Stream of
   * unknown length" for an empty page without it.
   */
  async put(key: string, body: string | Uint8Array, contentType: string, options: PutOptions = {}): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: checkKey(key),
        Body: body,
        ContentLength: typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.byteLength,
        ContentType: contentType,
        ...(options.expiring && { Tagging: `${EXPIRING_PAGE_TAG.key}=${EXPIRING_PAGE_TAG.value}` }),
      }),
    );
  }

  async get(key: string): Promise<string | undefined> {
    try {
      const result = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: checkKey(key) }));
      return await result.Body?.transformToString('utf-8');
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async getBytes(key: string): Promise<Uint8Array | undefined> {
    try {
      const result = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: checkKey(key) }));
      return (await result.Body?.transformToByteArray()) ?? new Uint8Array();
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }));
      for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  }

  async folders(prefix: string): Promise<string[]> {
    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, Delimiter: '/', ContinuationToken: token }));
      for (const common of page.CommonPrefixes ?? []) {
        if (common.Prefix) names.push(common.Prefix.slice(prefix.length).replace(/\/$/, ''));
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return names.sort();
  }

  /** DeleteObjects, a thousand keys a call (its limit); a key that fails is named in the error. */
  async delete(keys: readonly string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1_000) {
      const batch = keys.slice(i, i + 1_000).map((key) => ({ Key: checkKey(key) }));
      const result = await this.s3.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: batch, Quiet: true } }));
      const failed = result.Errors?.[0];
      if (failed) {
        throw new Error(
          `S3 did not delete ${failed.Key} from ${this.bucket}: ${failed.Code ?? 'error'} ${failed.Message ?? ''} (and ${(result.Errors?.length ?? 1) - 1} more)`,
        );
      }
    }
  }
}
