import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A STAND-IN for AWS Secrets Manager, not an emulator: no Secrets Manager emulator can run here, so this
 * small HTTP server speaks just enough of its JSON 1.1 protocol (X-Amz-Target: secretsmanager.GetSecretValue,
 * PutSecretValue, DescribeSecret) for the real @aws-sdk/client-secrets-manager to talk to it. Versions,
 * rotation, KMS and policies are not modelled. It counts calls so tests can see what the code did.
 */
export interface SecretsManagerStandIn {
  endpoint: string;
  secrets: Map<string, { value: string; versionId: string; versions: number }>;
  calls: Record<string, number>;
  stop(): Promise<void>;
}

const region = 'us-east-1';
const arn = (name: string) => `arn:aws:secretsmanager:${region}:000000000000:secret:${name}-AbCdEf`;

export async function startSecretsManagerStandIn(initial: Record<string, unknown> = {}): Promise<SecretsManagerStandIn> {
  const secrets = new Map<string, { value: string; versionId: string; versions: number }>();
  for (const [name, value] of Object.entries(initial)) secrets.set(name, { value: JSON.stringify(value), versionId: randomUUID(), versions: 1 });
  const calls: Record<string, number> = {};
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const action = target.replace(/^secretsmanager\./, '');
      calls[action] = (calls[action] ?? 0) + 1;
      const input = (body ? JSON.parse(body) : {}) as { SecretId?: string; SecretString?: string };
      const name = input.SecretId ?? '';
      const reply = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(payload));
      };
      const secret = secrets.get(name);
      if (!secret && action !== 'PutSecretValue') {
        return reply(400, { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." });
      }
      switch (action) {
        case 'GetSecretValue':
          return reply(200, {
            ARN: arn(name),
            Name: name,
            VersionId: secret?.versionId,
            SecretString: secret?.value,
            VersionStages: ['AWSCURRENT'],
            CreatedDate: Date.now() / 1000,
          });
        case 'PutSecretValue': {
          if (!secret) return reply(400, { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." });
          const next = { value: input.SecretString ?? '', versionId: randomUUID(), versions: secret.versions + 1 };
          secrets.set(name, next);
          return reply(200, { ARN: arn(name), Name: name, VersionId: next.versionId, VersionStages: ['AWSCURRENT'] });
        }
        case 'DescribeSecret':
          return reply(200, { ARN: arn(name), Name: name, VersionIdsToStages: { [secret?.versionId ?? '']: ['AWSCURRENT'] } });
        default:
          return reply(400, { __type: 'InvalidRequestException', message: `the stand-in does not know ${target}` });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    secrets,
    calls,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
