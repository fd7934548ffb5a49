/**
 * A local stand-in for the Boson subgraph (plain node:http GraphQL over
 * POST). It indexes the protocol fixture's events from anvil, so what it
 * serves comes from the chain, and it answers by matching the query's root
 * fields (`_meta`, `exchanges`, `exchange`), arguments taken from the
 * variables. Its head can follow the chain, lag N blocks behind it, or be
 * held at a block, so tests can make it stale on purpose.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createPublicClient, decodeEventLog, http, type Abi, type Address, type Hex } from "viem";
import { compileFixture } from "./protocol-fixture";

export type SubgraphExchangeEntity = {
  id: string;
  offerId: string;
  sellerId: string;
  buyerId: string;
  state: "COMMITTED" | "REVOKED" | "CANCELLED" | "REDEEMED" | "COMPLETED" | "DISPUTED";
  committedDate: string;
  redeemedDate: string | null;
  finalizedDate: string | null;
  disputed: boolean;
  disputeState: string | null;
  validUntilDate: string;
};

export type SubgraphOfferEntity = { id: string; sellerId: string; voided: boolean };

export type SubgraphServer = {
  url: string;
  /** Follow the chain head `blocks` behind (0 = at the head). */
  setLag(blocks: number): void;
  /** Hold the indexed head at `block` (undefined: follow again with the current lag). */
  holdAt(block: bigint | undefined): void;
  setIndexingErrors(value: boolean): void;
  /** Indexes up to the current target now and returns the indexed block. */
  sync(): Promise<bigint>;
  indexedBlock(): bigint;
  exchanges(): SubgraphExchangeEntity[];
  /** Requests served, by root field. */
  requests(): Record<string, number>;
  stop(): Promise<void>;
};

/** Root fields of a GraphQL query document: identifiers at selection depth 1, outside argument lists. */
export function rootFields(query: string): string[] {
  const fields: string[] = [];
  let depth = 0;
  let parens = 0;
  for (let i = 0; i < query.length; i++) {
    const char = query[i] ?? "";
    if (char === "{") {
      depth++;
      continue;
    }
    if (char === "}") {
      depth--;
      continue;
    }
    if (char === "(") parens++;
    else if (char === ")") parens--;
    if (depth !== 1 || parens > 0) continue;
    if (/[_A-Za-z]/.test(char)) {
      let end = i;
      while (end < query.length && /[_0-9A-Za-z]/.test(query[end] ?? "")) end++;
      const name = query.slice(i, end);
      // `alias: field` — the field is the name after the colon.
      const rest = query.slice(end).trimStart();
      if (rest.startsWith(":")) {
        i = end;
        continue;
      }
      fields.push(name);
      // Skip this field's own selection set and arguments.
      let j = end;
      let nested = 0;
      let args = 0;
      for (; j < query.length; j++) {
        const c = query[j];
        if (c === "(") args++;
        else if (c === ")") args--;
        else if (c === "{" && args === 0) nested++;
        else if (c === "}" && args === 0) {
          if (nested === 0) break;
          nested--;
          if (nested === 0) {
            j++;
            break;
          }
        } else if (nested === 0 && args === 0 && /[_A-Za-z]/.test(c ?? "") && j > end) break;
      }
      i = j - 1;
    }
  }
  return fields;
}

export async function startSubgraphServer(options: { rpcUrl: string; diamond: Address; fromBlock?: bigint; lag?: number }): Promise<SubgraphServer> {
  const abi: Abi = compileFixture().BosonProtocolFixture.abi;
  const client = createPublicClient({ transport: http(options.rpcUrl) });
  let lag = options.lag ?? 0;
  let held: bigint | undefined;
  let indexingErrors = false;
  let indexed = (options.fromBlock ?? 1n) - 1n;
  const offers = new Map<string, SubgraphOfferEntity>();
  const exchanges = new Map<string, SubgraphExchangeEntity>();
  const timestamps = new Map<bigint, string>();
  const requestCounts: Record<string, number> = {};
  let syncing: Promise<bigint> | undefined;

  const timestampOf = async (blockNumber: bigint): Promise<string> => {
    let cached = timestamps.get(blockNumber);
    if (!cached) {
      cached = (await client.getBlock({ blockNumber })).timestamp.toString();
      timestamps.set(blockNumber, cached);
    }
    return cached;
  };

  const apply = async (log: { topics: readonly Hex[]; data: Hex; blockNumber: bigint }) => {
    let event: { eventName: string; args: Record<string, unknown> };
    try {
      event = decodeEventLog({ abi, data: log.data, topics: log.topics as [Hex, ...Hex[]] }) as unknown as { eventName: string; args: Record<string, unknown> };
    } catch {
      return; // not a protocol event
    }
    const id = (name: string) => String(event.args[name]);
    const exchange = () => exchanges.get(id("exchangeId"));
    switch (event.eventName) {
      case "OfferCreated":
        offers.set(id("offerId"), { id: id("offerId"), sellerId: id("sellerId"), voided: false });
        break;
      case "BuyerCommitted": {
        const voucher = event.args.voucher as { committedDate: bigint; validUntilDate: bigint };
        exchanges.set(id("exchangeId"), {
          id: id("exchangeId"),
          offerId: id("offerId"),
          sellerId: offers.get(id("offerId"))?.sellerId ?? "0",
          buyerId: id("buyerId"),
          state: "COMMITTED",
          committedDate: voucher.committedDate.toString(),
          redeemedDate: null,
          finalizedDate: null,
          disputed: false,
          disputeState: null,
          validUntilDate: voucher.validUntilDate.toString(),
        });
        break;
      }
      case "VoucherRedeemed": {
        const entity = exchange();
        if (entity) Object.assign(entity, { state: "REDEEMED", redeemedDate: await timestampOf(log.blockNumber) });
        break;
      }
      case "ExchangeCompleted": {
        const entity = exchange();
        if (entity) Object.assign(entity, { state: "COMPLETED", finalizedDate: await timestampOf(log.blockNumber) });
        break;
      }
      case "DisputeRaised": {
        const entity = exchange();
        if (entity) Object.assign(entity, { state: "DISPUTED", disputed: true, disputeState: "RESOLVING" });
        break;
      }
      case "DisputeEscalated": {
        const entity = exchange();
        if (entity) entity.disputeState = "ESCALATED";
        break;
      }
      case "VoucherExpired": {
        const entity = exchange();
        if (entity) Object.assign(entity, { state: "CANCELLED", finalizedDate: await timestampOf(log.blockNumber) });
        break;
      }
      case "DisputeRetracted":
      case "DisputeExpired":
      case "DisputeResolved":
      case "DisputeDecided": {
        const entity = exchange();
        const state = { DisputeRetracted: "RETRACTED", DisputeExpired: "RETRACTED", DisputeResolved: "RESOLVED", DisputeDecided: "DECIDED" }[event.eventName];
        if (entity) Object.assign(entity, { finalizedDate: await timestampOf(log.blockNumber), disputeState: state });
        break;
      }
      default:
        break;
    }
  };

  const doSync = async (): Promise<bigint> => {
    const head = await client.getBlockNumber({ cacheTime: 0 });
    const target = held ?? (head > BigInt(lag) ? head - BigInt(lag) : 0n);
    if (target < indexed) {
      // Told to fall behind what it already indexed: re-index from the start up to the new head (tests only; a graph node never un-indexes).
      indexed = (options.fromBlock ?? 1n) - 1n;
      offers.clear();
      exchanges.clear();
    }
    if (target > indexed) {
      const logs = await client.getLogs({ address: options.diamond, fromBlock: indexed + 1n, toBlock: target });
      for (const log of logs) await apply({ topics: log.topics, data: log.data, blockNumber: log.blockNumber });
      indexed = target;
    }
    return indexed;
  };
  const sync = (): Promise<bigint> => {
    // One sync at a time: concurrent queries wait for the same one.
    syncing ??= doSync().finally(() => {
      syncing = undefined;
    });
    return syncing;
  };

  const answer = async (body: { query?: string; variables?: Record<string, unknown> }): Promise<unknown> => {
    const query = body.query ?? "";
    const variables = body.variables ?? {};
    await sync();
    const data: Record<string, unknown> = {};
    for (const field of rootFields(query)) {
      requestCounts[field] = (requestCounts[field] ?? 0) + 1;
      if (field === "_meta") {
        data._meta = { block: { number: Number(indexed), hash: null }, hasIndexingErrors: indexingErrors, deployment: "local" };
      } else if (field === "exchanges" && variables.cursor !== undefined) {
        // The cursor form (`where: { seller, state, finalizedDate: null, id_gt, validUntilDate_lt }`): ids compare as strings, as graph-node orders IDs.
        const cursor = String(variables.cursor);
        const validBefore = BigInt(String(variables.validBefore ?? 2n ** 255n));
        const list = [...exchanges.values()]
          .filter((entity) => entity.sellerId === String(variables.sellerId) && entity.state === variables.state && entity.finalizedDate === null && entity.id > cursor && BigInt(entity.validUntilDate) < validBefore)
          .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
        data.exchanges = list.slice(0, Number(variables.first ?? 100)).map((entity) => ({ id: entity.id }));
      } else if (field === "offers") {
        const cursor = String(variables.cursor ?? "");
        const list = [...offers.values()].filter((offer) => offer.sellerId === String(variables.sellerId) && !offer.voided && offer.id > cursor).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
        data.offers = list.slice(0, Number(variables.first ?? 100)).map((offer) => ({ id: offer.id }));
      } else if (field === "exchanges") {
        const seller = variables.sellerId === undefined ? undefined : String(variables.sellerId);
        const first = Number(variables.first ?? 100);
        const skip = Number(variables.skip ?? 0);
        const list = [...exchanges.values()].filter((entity) => seller === undefined || entity.sellerId === seller).sort((a, b) => Number(BigInt(a.id) - BigInt(b.id)));
        data.exchanges = list.slice(skip, skip + first);
      } else if (field === "exchange") {
        data.exchange = exchanges.get(String(variables.id)) ?? null;
      } else {
        return { errors: [{ message: `the local subgraph does not serve ${field}` }] };
      }
    }
    return { data };
  };

  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      void (async () => {
        try {
          if (request.method !== "POST") throw new Error("POST a GraphQL query");
          const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { query?: string; variables?: Record<string, unknown> };
          const result = await answer(body);
          response.writeHead(200, { "content-type": "application/json" });
          response.end(JSON.stringify(result));
        } catch (error) {
          response.writeHead(400, { "content-type": "application/json" });
          response.end(JSON.stringify({ errors: [{ message: error instanceof Error ? error.message : String(error) }] }));
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/subgraphs/name/boson`,
    setLag: (blocks) => {
      lag = blocks;
      held = undefined;
    },
    holdAt: (block) => {
      held = block;
    },
    setIndexingErrors: (value) => {
      indexingErrors = value;
    },
    sync,
    indexedBlock: () => indexed,
    exchanges: () => [...exchanges.values()].map((entity) => ({ ...entity })),
    requests: () => ({ ...requestCounts }),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
