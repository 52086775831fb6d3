import { GetSecretValueCommand, PutSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigError } from '../../errors.js';
import type { SecretStore } from '../../ports.js';
import { jsonProblem } from '../json-problem.js';

function errorName(error: unknown): string {
  return (error as { name?: string })?.name ?? '';
}

/**
 * The Zoho secret in AWS Secrets Manager (`zoho_auth` by default): the JSON the original project's users put
 * there. The refresh token and the shared access token are written back as new versions of it.
 */
export class SecretsManagerStore implements SecretStore {
  readonly description: string;

  constructor(
    private readonly client: SecretsManagerClient,
    readonly secretId: string,
  ) {
    this.description = `Secrets Manager secret ${secretId}`;
  }

  async read(): Promise<Record<string, unknown>> {
    let text: string | undefined;
    try {
      text = (await this.client.send(new GetSecretValueCommand({ SecretId: this.secretId }))).SecretString;
    } catch (error) {
      const name = errorName(error);
      if (name === 'ResourceNotFoundException') {
        throw new ConfigError(
          `There is no ${this.description} in this region. Create it as JSON with client_id, client_secret, code and org_id ` +
            '(README: Deploy to AWS), or set ZOHO_SECRET_ID to its name.',
        );
      }
      if (name === 'AccessDeniedException') {
        throw new ConfigError(`This role may not read the ${this.description}: its name must start with the deployment's secret prefix.`);
      }
      throw error;
    }
    if (text === undefined) throw new ConfigError(`The ${this.description} holds binary data; store the JSON as a secret string.`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Never JSON.parse's message: it quotes the text, which is the client secret and the tokens.
      throw new ConfigError(`The ${this.description} is not valid JSON (${jsonProblem(text)}). Store it as plaintext JSON.`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new ConfigError(`The ${this.description} must hold one JSON object.`);
    }
    return parsed as Record<string, unknown>;
  }

  async write(value: Record<string, unknown>): Promise<void> {
    await this.client.send(new PutSecretValueCommand({ SecretId: this.secretId, SecretString: JSON.stringify(value) }));
  }
}
