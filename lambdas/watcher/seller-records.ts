import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import {
  GetCommand,
  PutCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type UpdateCommandInput,
} from "@aws-sdk/lib-dynamodb";
import type { Exposure } from "./exposure";

/**
 * What the watcher keeps about the seller beside the raw events, in the same
 * table (hash key `id`, prefixed record types):
 * - `offer#<offerId>`: the offer's seller and fee terms (from OfferCreated, or
 *   from getOffer for offers created before the watcher started);
 * - `exchange#<exchangeId>`: the seller's exchange with its exposure facts
 *   (fee events by event id, gas by kit transaction) and the computed
 *   exposure (M4). Facts are keyed, so re-applying them is harmless;
 * - `open-disputes#<sellerId>`: exchangeId -> block time the dispute was
 *   raised, for the "disputed more than a day" alert (B3).
 */

export type OfferRecord = {
  id: string;
  recordType: "offer";
  offerId: string;
  sellerId: string;
  exchangeToken: string;
  price: string;
  protocolFee: string;
  agentFee: string;
  disputeResolverFee: string;
};

export type FeeFact = { kind: "protocol" | "dispute-resolver"; amount: string };

export type StoredExposure = {
  protocolFee: string;
  agentFee: string;
  disputeResolverFee: string;
  totalFees: string;
  protocolFeeSource: Exposure["protocolFeeSource"];
  disputeResolverFeeSource: Exposure["disputeResolverFeeSource"];
  gasWei: string;
  kitTransactions: number;
  fiat?: Exposure["fiat"];
  computedAt: string;
};

export type ExchangeRecord = {
  id: string;
  recordType: "exchange";
  exchangeId: string;
  offerId: string;
  sellerId: string;
  exchangeToken: string;
  /** Fee events by event id (`txHash#logIndex`). */
  feeEvents: Record<string, FeeFact>;
  /** Gas cost in wei (decimal string) of each of the kit's own transactions for this exchange. */
  gasByTx: Record<string, string>;
  exposure?: StoredExposure;
};

export const offerKey = (offerId: bigint | string) => `offer#${offerId.toString()}`;
export const exchangeKey = (exchangeId: bigint | string) => `exchange#${exchangeId.toString()}`;
export const openDisputesKey = (sellerId: bigint | string) => `open-disputes#${sellerId.toString()}`;

export interface SellerRecords {
  getOffer(offerId: bigint): Promise<OfferRecord | undefined>;
  putOffer(offer: OfferRecord): Promise<void>;
  getExchange(exchangeId: bigint): Promise<ExchangeRecord | undefined>;
  /** Creates the exchange record unless it exists. */
  ensureExchange(record: Omit<ExchangeRecord, "id" | "recordType" | "feeEvents" | "gasByTx">): Promise<void>;
  addFeeEvent(exchangeId: bigint, eventId: string, fact: FeeFact): Promise<void>;
  /** Records a kit transaction's gas for the exchange; false when it was already recorded. */
  addGas(exchangeId: bigint, txHash: string, gasWei: bigint): Promise<boolean>;
  setExposure(exchangeId: bigint, exposure: StoredExposure): Promise<void>;
  openDispute(sellerId: bigint, exchangeId: bigint, raisedAt: number): Promise<void>;
  closeDispute(sellerId: bigint, exchangeId: bigint): Promise<void>;
  /** exchangeId -> unix seconds the dispute was raised. */
  openDisputes(sellerId: bigint): Promise<Record<string, number>>;
}

const isConditionFailure = (error: unknown) => error instanceof ConditionalCheckFailedException;

export function createSellerRecords(documents: DynamoDBDocumentClient, tableName: string): SellerRecords {
  const get = async <T>(id: string): Promise<T | undefined> => {
    const result = await documents.send(new GetCommand({ TableName: tableName, Key: { id }, ConsistentRead: true }));
    return result.Item as T | undefined;
  };
  const putIfAbsent = async (item: Record<string, unknown>): Promise<void> => {
    try {
      await documents.send(
        new PutCommand({ TableName: tableName, Item: item, ConditionExpression: "attribute_not_exists(id)" }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  };
  const ensureDisputes = (sellerId: bigint) =>
    putIfAbsent({
      id: openDisputesKey(sellerId),
      recordType: "open-disputes",
      sellerId: sellerId.toString(),
      open: {},
    });
  type Update = Pick<UpdateCommandInput, "UpdateExpression" | "ExpressionAttributeNames" | "ExpressionAttributeValues">;
  // Facts only ever amend an exchange record that exists (the condition keeps a stray fact from creating one).
  const updateExchange = async (
    exchangeId: bigint,
    update: Update,
    condition = "attribute_exists(id)",
  ): Promise<void> => {
    await documents.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { id: exchangeKey(exchangeId) },
        ConditionExpression: condition,
        ...update,
      }),
    );
  };
  const updateDisputes = async (sellerId: bigint, update: Update): Promise<void> => {
    await ensureDisputes(sellerId);
    await documents.send(
      new UpdateCommand({ TableName: tableName, Key: { id: openDisputesKey(sellerId) }, ...update }),
    );
  };

  return {
    getOffer: (offerId) => get<OfferRecord>(offerKey(offerId)),
    putOffer: async (offer) => {
      await documents.send(new PutCommand({ TableName: tableName, Item: offer }));
    },
    getExchange: (exchangeId) => get<ExchangeRecord>(exchangeKey(exchangeId)),
    ensureExchange: (record) =>
      putIfAbsent({
        ...record,
        id: exchangeKey(record.exchangeId),
        recordType: "exchange",
        feeEvents: {},
        gasByTx: {},
      }),
    addFeeEvent: async (exchangeId, eventId, fact) => {
      await updateExchange(exchangeId, {
        UpdateExpression: "SET feeEvents.#event = :fact",
        ExpressionAttributeNames: { "#event": eventId },
        ExpressionAttributeValues: { ":fact": fact },
      });
    },
    addGas: async (exchangeId, txHash, gasWei) => {
      try {
        await updateExchange(
          exchangeId,
          {
            UpdateExpression: "SET gasByTx.#tx = :wei",
            ExpressionAttributeNames: { "#tx": txHash.toLowerCase() },
            ExpressionAttributeValues: { ":wei": gasWei.toString() },
          },
          "attribute_exists(id) AND attribute_not_exists(gasByTx.#tx)",
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },
    setExposure: async (exchangeId, exposure) => {
      await updateExchange(exchangeId, {
        UpdateExpression: "SET exposure = :exposure",
        ExpressionAttributeValues: { ":exposure": exposure },
      });
    },
    openDispute: async (sellerId, exchangeId, raisedAt) => {
      await updateDisputes(sellerId, {
        UpdateExpression: "SET #open.#exchange = :raisedAt",
        ExpressionAttributeNames: { "#open": "open", "#exchange": exchangeId.toString() },
        ExpressionAttributeValues: { ":raisedAt": raisedAt },
      });
    },
    closeDispute: async (sellerId, exchangeId) => {
      await updateDisputes(sellerId, {
        UpdateExpression: "REMOVE #open.#exchange",
        ExpressionAttributeNames: { "#open": "open", "#exchange": exchangeId.toString() },
      });
    },
    openDisputes: async (sellerId) => {
      const item = await get<{ open?: Record<string, number> }>(openDisputesKey(sellerId));
      return item?.open ?? {};
    },
  };
}
