import { afterEach, describe, expect, it, vi } from "vitest";
import { createJobLogger } from "../../lambdas/shared/runtime/logger";
import { redact, redactedMarker } from "../../lambdas/shared/runtime/redact";

// Values shaped like the real thing but generated here; none is a real key.
const fakePrivateKey = `0x${"ab".repeat(32)}`;
const fakeSignature = `0x${"cd".repeat(65)}`;
const fakeRawTransaction = `0x02f8${"ef".repeat(120)}`;
const txHash = `0x${"12".repeat(32)}`;

/** Powertools writes info to stdout and errors to stderr: capture both. */
function captureOutput(): { lines: () => string[] } {
  const chunks: string[] = [];
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, "write").mockImplementation((chunk: string | Uint8Array) => {
      chunks.push(String(chunk));
      return true;
    });
  }
  return { lines: () => chunks.join("").split("\n").filter(Boolean) };
}

describe("redaction (C1)", () => {
  afterEach(() => vi.restoreAllMocks());

  it("removes private keys, signatures and raw transactions at any depth, keeping tx hashes", () => {
    const record = {
      txHash,
      nested: { deeper: [{ privateKey: fakePrivateKey, note: `signed ${fakeSignature}` }] },
      rawTransaction: fakeRawTransaction,
      payload: `broadcast ${fakeRawTransaction}`,
    };
    const text = JSON.stringify(redact(record));
    expect(text).not.toContain("ab".repeat(32));
    expect(text).not.toContain("cd".repeat(65));
    expect(text).not.toContain("ef".repeat(120));
    expect(text).toContain(txHash);
    expect(text).toContain(redactedMarker);
  });

  it("reduces a signed transaction object to its hash", () => {
    const transaction = { hash: txHash, nonce: 3, gas: 21000n, input: "0x", r: "0x01", s: "0x02", yParity: 1 };
    expect(redact({ transaction })).toEqual({ transaction: { redacted: "transaction", hash: txHash } });
  });

  it("strips paths and queries from URLs in error messages (RPC API keys live there)", () => {
    const error = new Error("HTTP request failed. URL: https://rpc.example.test/v2/not-a-real-api-key?x=1");
    const text = JSON.stringify(redact({ error }));
    expect(text).not.toContain("not-a-real-api-key");
    expect(text).toContain("rpc.example.test");
  });

  it("applies inside the Powertools logger, error objects and their causes included", () => {
    const out = captureOutput();
    const logger = createJobLogger("withdraw");
    const cause = new Error(`signature was ${fakeSignature}`);
    logger.error("send failed", {
      error: new Error(`could not send ${fakeRawTransaction}`, { cause }),
      request: { privateKey: fakePrivateKey, txHash },
      transaction: { nonce: 1, gas: 21000, data: "0xdeadbeef", to: "0x0000000000000000000000000000000000000001" },
    });
    const [line] = out.lines();
    expect(line).toBeDefined();
    expect(line).not.toContain("ab".repeat(32));
    expect(line).not.toContain("cd".repeat(65));
    expect(line).not.toContain("ef".repeat(120));
    expect(line).not.toContain("deadbeef");
    expect(line).toContain(txHash);
    expect(JSON.parse(line ?? "{}").message).toBe("send failed");
  });
});
