/**
 * A local stand-in for the Boson subgraph (GraphQL over POST on node:http).
 * It serves the schema rebuilt from @bosonprotocol/core-sdk's published
 * types (graphql-js parses, validates and executes every query against it,
 * so a field the real subgraph lacks is an error here too) and resolves the
 * root fields the kit reads (`_meta`, `exchanges`, `exchange`) from the
 * protocol fixture's events, indexed from anvil. Its head can follow the chain, lag N blocks behind it, or be
 * held at a block, so tests can make it stale on purpose.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createPublicClient, decodeEventLog, http, type Abi, type Address, type Hex } from "viem";
import { compileFixture, type FixtureDeployment } from "./protocol-fixture";
import { applyExchangeEvent, type SubgraphExchangeEntity } from "./exchange-entities";
import { graphql, type GraphQLFieldResolver } from "graphql";
import { bosonSubgraphSchema } from "./boson-subgraph-schema";

export type { SubgraphExchangeEntity };

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
  /** Adds exchanges as if indexed (benchmarks: a seller's history without mining it). */
  addExchanges(entities: readonly SubgraphExchangeEntity[]): void;
  /** Requests served, by root field. */
  requests(): Record<string, number>;
  /** Bytes of response bodies sent. */
  responseBytes(): number;
  stop(): Promise<void>;
};

export async function startSubgraphServer(options: {
  rpcUrl: string;
  diamond: Address;
  fromBlock?: bigint;
  lag?: number;
}): Promise<SubgraphServer> {
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
  let bytesSent = 0;
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
      event = decodeEventLog({ abi, data: log.data, topics: log.topics as [Hex, ...Hex[]] }) as unknown as {
        eventName: string;
        args: Record<string, unknown>;
      };
    } catch {
      return; // not a protocol event
    }
    const id = (name: string) => String(event.args[name]);
    if (event.eventName === "OfferCreated") {
      offers.set(id("offerId"), { id: id("offerId"), sellerId: id("sellerId"), voided: false });
      return;
    }
    if (event.eventName === "OfferVoided") {
      const offer = offers.get(id("offerId"));
      if (offer) offer.voided = true;
      return;
    }
    if (event.args.exchangeId === undefined) return;
    const commit = event.eventName === "BuyerCommitted" || event.eventName === "SellerCommitted";
    const voucher = event.args.voucher as { committedDate?: bigint; validUntilDate?: bigint } | undefined;
    applyExchangeEvent(exchanges, {
      eventName: event.eventName,
      exchangeId: id("exchangeId"),
      timestamp: Number(
        commit && voucher?.committedDate !== undefined ? voucher.committedDate : await timestampOf(log.blockNumber),
      ),
      ...(commit
        ? {
            offerId: id("offerId"),
            sellerId: offers.get(id("offerId"))?.sellerId ?? "0",
            buyerId: String(event.args.buyerId ?? "0"),
            ...(voucher?.validUntilDate !== undefined ? { validUntilDate: voucher.validUntilDate.toString() } : {}),
          }
        : {}),
    });
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

  type ExchangesArgs = {
    first?: number | null;
    skip?: number | null;
    where?: {
      seller?: string | null;
      id_gt?: string | null;
      id_in?: string[] | null;
      state?: string | null;
      state_in?: string[] | null;
      finalizedDate?: string | null;
      validUntilDate_lt?: string | null;
    } | null;
  };
  type OffersArgs = {
    first?: number | null;
    where?: { seller?: string | null; voided?: boolean | null; id_gt?: string | null } | null;
  };
  const byId = (a: { id: string }, b: { id: string }) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1);
  // graph-node compares String ids as strings; the kit's cursors start at "" and every id here is a decimal of one width per test.
  const after = (id: string, cursor: string | null | undefined) =>
    cursor == null || cursor === "" || BigInt(id) > BigInt(cursor);
  const rootValue: Record<string, (args: never) => unknown> = {
    _meta: () => ({
      block: { number: Number(indexed), hash: null, timestamp: null },
      hasIndexingErrors: indexingErrors,
      deployment: "local",
    }),
    exchanges: (args: ExchangesArgs) => {
      const where = args.where ?? {};
      const first = args.first ?? 100;
      const skip = args.skip ?? 0;
      const list = [...exchanges.values()]
        .filter((entity) => where.seller == null || entity.sellerId === where.seller)
        .filter((entity) => after(entity.id, where.id_gt))
        .filter((entity) => where.id_in == null || where.id_in.includes(entity.id))
        .filter((entity) => where.state == null || entity.state === where.state)
        .filter((entity) => where.state_in == null || where.state_in.includes(entity.state))
        // `finalizedDate: null` in a where clause means "not finalized" (the key is present with null).
        .filter((entity) => !("finalizedDate" in where) || entity.finalizedDate === where.finalizedDate)
        .filter(
          (entity) =>
            where.validUntilDate_lt == null || BigInt(entity.validUntilDate) < BigInt(where.validUntilDate_lt),
        )
        .sort(byId);
      return list.slice(skip, skip + first);
    },
    offers: (args: OffersArgs) => {
      const where = args.where ?? {};
      return [...offers.values()]
        .filter((offer) => where.seller == null || offer.sellerId === where.seller)
        .filter((offer) => where.voided == null || offer.voided === where.voided)
        .filter((offer) => after(offer.id, where.id_gt))
        .sort(byId)
        .slice(0, args.first ?? 100);
    },
    exchange: (args: { id: string }) => exchanges.get(String(args.id)) ?? null,
  };
  const fieldResolver: GraphQLFieldResolver<unknown, unknown> = (source, args, _context, info) => {
    if (info.parentType.name === "Query") {
      requestCounts[info.fieldName] = (requestCounts[info.fieldName] ?? 0) + 1;
      const resolve = rootValue[info.fieldName];
      if (resolve === undefined) throw new Error(`the local subgraph does not serve ${info.fieldName}`);
      return resolve(args as never);
    }
    return (source as Record<string, unknown> | null)?.[info.fieldName];
  };

  const answer = async (body: { query?: string; variables?: Record<string, unknown> }): Promise<unknown> => {
    await sync();
    // Parsed, validated against core-sdk's schema, then executed, like a graph node.
    return graphql({
      schema: bosonSubgraphSchema(),
      source: body.query ?? "",
      variableValues: body.variables ?? {},
      fieldResolver,
    });
  };

  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      void (async () => {
        try {
          if (request.method !== "POST") throw new Error("POST a GraphQL query");
          const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
            query?: string;
            variables?: Record<string, unknown>;
          };
          const result = await answer(body);
          const text = JSON.stringify(result);
          bytesSent += Buffer.byteLength(text);
          response.writeHead(200, { "content-type": "application/json" });
          response.end(text);
        } catch (error) {
          response.writeHead(400, { "content-type": "application/json" });
          response.end(
            JSON.stringify({ errors: [{ message: error instanceof Error ? error.message : String(error) }] }),
          );
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
    addExchanges: (entities) => {
      for (const entity of entities) exchanges.set(entity.id, { ...entity });
    },
    requests: () => ({ ...requestCounts }),
    responseBytes: () => bytesSent,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The local subgraph over the protocol fixture, indexing from the fixture's deployment block. */
export function startFixtureSubgraph(
  rpcUrl: string,
  fixture: Pick<FixtureDeployment, "diamond" | "deployBlock">,
): Promise<SubgraphServer> {
  return startSubgraphServer({ rpcUrl, diamond: fixture.diamond, fromBlock: fixture.deployBlock });
}
