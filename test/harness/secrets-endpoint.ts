/**
 * A local Secrets Manager for tests: plain node:http speaking AWS JSON 1.1
 * (`X-Amz-Target: secretsmanager.GetSecretValue`), so the real
 * `@aws-sdk/client-secrets-manager` (pointed here with
 * AWS_ENDPOINT_URL_SECRETS_MANAGER) reads the RPC secret from it. Reads are
 * counted, to check the jobs cache the secret across invocations.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export type SecretsEndpoint = {
  /** http://127.0.0.1:<port> */
  url: string;
  /** Adds or replaces a secret; returns its ARN. */
  putSecret(name: string, value: string): string;
  /** GetSecretValue requests so far, by secret id. */
  reads(): Readonly<Record<string, number>>;
  close(): Promise<void>;
};

export async function startSecretsEndpoint(options: { region?: string } = {}): Promise<SecretsEndpoint> {
  const region = options.region ?? "us-east-1";
  const secrets = new Map<string, { arn: string; name: string; value: string; versionId: string }>();
  const reads: Record<string, number> = {};

  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const reply = (status: number, body: unknown) => {
        response.writeHead(status, {
          "content-type": "application/x-amz-json-1.1",
          "x-amzn-requestid": `req-${Date.now()}`,
        });
        response.end(JSON.stringify(body));
      };
      const target = request.headers["x-amz-target"];
      if (request.method !== "POST" || target !== "secretsmanager.GetSecretValue") {
        reply(400, { __type: "UnknownOperationException", message: `unsupported operation ${String(target)}` });
        return;
      }
      let body: { SecretId?: string };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as { SecretId?: string };
      } catch {
        reply(400, { __type: "SerializationException", message: "body is not JSON" });
        return;
      }
      const id = body.SecretId ?? "";
      reads[id] = (reads[id] ?? 0) + 1;
      const secret = secrets.get(id) ?? [...secrets.values()].find((entry) => entry.name === id);
      if (!secret) {
        reply(400, {
          __type: "ResourceNotFoundException",
          message: "Secrets Manager can't find the specified secret.",
        });
        return;
      }
      reply(200, {
        ARN: secret.arn,
        Name: secret.name,
        SecretString: secret.value,
        VersionId: secret.versionId,
        VersionStages: ["AWSCURRENT"],
        CreatedDate: Date.now() / 1000,
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    putSecret: (name, value) => {
      const arn = `arn:aws:secretsmanager:${region}:111122223333:secret:${name}-AbCdEf`;
      secrets.set(arn, { arn, name, value, versionId: `v-${secrets.size + 1}` });
      return arn;
    },
    reads: () => ({ ...reads }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
