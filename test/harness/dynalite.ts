/**
 * A local DynamoDB for tests: `dynalite` (npm), in memory, on a free port of
 * 127.0.0.1. The real `@aws-sdk/client-dynamodb` talks to it, so the code
 * under test is the code that runs in Lambda. Tables are created the way the
 * infra creates them: a string hash key `id`, on-demand billing.
 */
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient, waitUntilTableExists } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

type DynaliteFactory = (options?: { createTableMs?: number; deleteTableMs?: number; updateTableMs?: number }) => Server;

const load = createRequire(__filename);

export type Dynalite = {
  /** http://127.0.0.1:<port> */
  endpoint: string;
  client: DynamoDBClient;
  documents: DynamoDBDocumentClient;
  /** Creates a table with the string hash key `id` and waits until it is ACTIVE. */
  createTable(name: string): Promise<void>;
  deleteTable(name: string): Promise<void>;
  /** A DynamoDBClient for this endpoint; pass the SDK's own options (e.g. a middleware) if needed. */
  newClient(): DynamoDBClient;
  stop(): Promise<void>;
};

/** Starts dynalite and creates `tables` (hash key `id`). */
export async function startDynalite(tables: readonly string[] = []): Promise<Dynalite> {
  const factory = load("dynalite") as DynaliteFactory;
  const server = factory({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const newClient = () =>
    new DynamoDBClient({
      endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
      maxAttempts: 1,
    });
  const client = newClient();
  const documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });

  const createTable = async (name: string) => {
    await client.send(
      new CreateTableCommand({
        TableName: name,
        AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
    await waitUntilTableExists({ client, maxWaitTime: 10, minDelay: 0.05, maxDelay: 0.2 }, { TableName: name });
  };
  for (const table of tables) await createTable(table);

  return {
    endpoint,
    client,
    documents,
    createTable,
    deleteTable: async (name) => {
      await client.send(new DeleteTableCommand({ TableName: name }));
    },
    newClient,
    stop: async () => {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
