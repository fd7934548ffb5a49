/**
 * Page-once bookkeeping: an alert key (for example one dispute deadline at
 * one lead time) is recorded the first time it fires, with a conditional put
 * on the events table, so a minute-by-minute job pages once per key however
 * many runs see it, and two concurrent runs cannot both page.
 */
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { PutCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

export interface AlertLedger {
  /** True the first time `key` is recorded, false ever after. */
  firstTime(key: string, details: Record<string, string | number>): Promise<boolean>;
}

export function createAlertLedger(
  documents: DynamoDBDocumentClient,
  tableName: string,
  now: () => Date = () => new Date(),
): AlertLedger {
  return {
    async firstTime(key, details) {
      try {
        await documents.send(
          new PutCommand({
            TableName: tableName,
            Item: { id: `alert#${key}`, recordType: "alert", details, firedAt: now().toISOString() },
            ConditionExpression: "attribute_not_exists(id)",
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
    },
  };
}
