import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../infra/offline/stack-file";
import { kitPolicies, policyPackName } from "../../infra/policy/policies";
import { adminStatement, signerKeyPolicy, signerStatement } from "./fixture-stack";

/**
 * The policy pack as the Pulumi CLI runs it: `infra/policy/index.ts` started
 * in its own directory (so PolicyPack finds its package.json version), then
 * queried over gRPC with the engine's own analyzer messages. This checks
 * the entrypoint and that the SDK's server, not only the offline runner,
 * evaluates the policies the same way.
 */

// The engine's protobuf modules, resolved the way @pulumi/policy resolves them (one copy of each class).
const requireFromPulumi = createRequire(require.resolve("@pulumi/pulumi/proto/analyzer_pb"));

interface Message {
  setType(value: string): void;
  setUrn(value: string): void;
  setName(value: string): void;
  setProperties(value: unknown): void;
  setOptions(value: unknown): void;
}
interface Diagnostic {
  getPolicyname(): string;
  getMessage(): string;
  getEnforcementlevel(): number;
}
interface Client {
  getAnalyzerInfo(
    request: unknown,
    callback: (
      error: Error | null,
      response: { getName(): string; getPoliciesList(): { getName(): string }[] },
    ) => void,
  ): void;
  analyze(
    request: unknown,
    callback: (error: Error | null, response: { getDiagnosticsList(): Diagnostic[] }) => void,
  ): void;
  close(): void;
}

const analyzerPb = requireFromPulumi("./analyzer_pb") as {
  AnalyzeRequest: new () => Message;
  AnalyzerResourceOptions: new () => unknown;
};
const analyzerGrpc = requireFromPulumi("./analyzer_grpc_pb") as {
  AnalyzerClient: new (address: string, credentials: unknown) => Client;
};
const grpc = requireFromPulumi("@grpc/grpc-js") as { credentials: { createInsecure(): unknown } };
const { Struct } = requireFromPulumi("google-protobuf/google/protobuf/struct_pb") as {
  Struct: { fromJavaScript(value: unknown): unknown };
};
const { Empty } = requireFromPulumi("google-protobuf/google/protobuf/empty_pb") as { Empty: new () => unknown };

let pack: ChildProcess;
let client: Client;

function analyze(type: string, name: string, properties: Record<string, unknown>): Promise<Diagnostic[]> {
  const request = new analyzerPb.AnalyzeRequest();
  request.setType(type);
  request.setName(name);
  request.setUrn(`urn:pulumi:test::boson-kit::${type}::${name}`);
  request.setProperties(Struct.fromJavaScript(properties));
  request.setOptions(new analyzerPb.AnalyzerResourceOptions());
  return new Promise((resolve, reject) =>
    client.analyze(request, (error, response) => (error ? reject(error) : resolve(response.getDiagnosticsList()))),
  );
}

beforeAll(async () => {
  pack = spawn(join(projectRoot, "node_modules/.bin/tsx"), ["index.ts"], {
    cwd: join(projectRoot, "infra/policy"),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  pack.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  // The server prints the port it listens on, as the CLI expects.
  const port = await new Promise<string>((resolve, reject) => {
    pack.stdout?.on("data", (chunk: Buffer) => resolve(chunk.toString().trim().split("\n")[0] ?? ""));
    pack.once("exit", (code) => reject(new Error(`the pack exited (${code}): ${stderr}`)));
  });
  client = new analyzerGrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
});

afterAll(() => {
  client?.close();
  pack?.kill("SIGTERM");
});

describe("infra/policy/index.ts under the SDK's analyzer server", () => {
  it("serves every policy of the pack", async () => {
    const info = await new Promise<{ getName(): string; getPoliciesList(): { getName(): string }[] }>(
      (resolve, reject) =>
        client.getAnalyzerInfo(new Empty(), (error, response) => (error ? reject(error) : resolve(response))),
    );
    expect(info.getName()).toBe(policyPackName);
    expect(info.getPoliciesList().map((p) => p.getName())).toEqual(kitPolicies.map((p) => p.name));
  });

  it("reports a wildcard signer and an administrator who can sign as mandatory violations", async () => {
    const diagnostics = await analyze("aws:kms/key:Key", "signer", {
      customerMasterKeySpec: "ECC_SECG_P256K1",
      keyUsage: "SIGN_VERIFY",
      policy: signerKeyPolicy([
        { ...adminStatement, Action: ["kms:*"] },
        { ...signerStatement, Principal: "*" },
      ]),
    });
    const byPolicy = new Map(diagnostics.map((d) => [d.getPolicyname(), d]));
    expect([...byPolicy.keys()].sort()).toEqual(["kms-no-wildcard-principal", "kms-signer-separation-of-duties"]);
    expect(byPolicy.get("kms-signer-separation-of-duties")?.getMessage()).toMatch(
      /boson-kit-key-admin can both administer the key and sign/,
    );
  });

  it("passes a compliant signer and leaves other types to their own policies", async () => {
    expect(
      await analyze("aws:kms/key:Key", "signer", {
        customerMasterKeySpec: "ECC_SECG_P256K1",
        keyUsage: "SIGN_VERIFY",
        policy: signerKeyPolicy(),
      }),
    ).toEqual([]);
    const lambda = await analyze("aws:lambda/function:Function", "withdraw", {
      runtime: "nodejs18.x",
      tags: { Job: "withdraw" },
    });
    expect([...new Set(lambda.map((d) => d.getPolicyname()))].sort()).toEqual([
      "lambda-current-runtime",
      "lambda-dead-letter-queue",
      "lambda-in-vpc",
      "lambda-reserved-concurrency",
      "lambda-xray-tracing",
    ]);
  });
});
